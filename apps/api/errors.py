"""How the API answers errors, in one place: a domain error with its message and its class's HTTP status,
Django's body-size refusals in JSON, DRF's own answers, and the site's 404 handler (JSON under /api/)."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.html import escape
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from apps.core.errors import DomainError


def exception_handler(exc, context):
    """DRF's exception handler, plus:

    - a DomainError (any app's refusal, apps.core.errors): `{"detail": message}` with the class's `http_status`,
      or `{field: [message]}` when the view names the request field its domain errors are about
      (`domain_error_field`), as a serializer's own validation error would;
    - Django's body-size refusals, which DRF leaves to Django (an HTML 400 page): 413 for a body over
      DATA_UPLOAD_MAX_MEMORY_SIZE, 400 for too many fields or files, in JSON."""
    if isinstance(exc, DomainError):
        set_rollback()  # as DRF does for the errors it answers: an atomic request writes nothing
        field = getattr(context.get("view"), "domain_error_field", None)
        body = {field: [str(exc)]} if field else {"detail": str(exc)}
        return Response(body, status=exc.http_status)
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": "The request body is too large."}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, MultiPartParserError):  # raised outside DRF's parsers, e.g. by the session's CSRF check
        return Response({"detail": _unreadable_body(exc)}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def _unreadable_body(exc: MultiPartParserError) -> str:
    # Django's parser messages name the limit or the defect (e.g. "Request max total header size exceeded.")
    # and carry nothing of the request, so they are safe to repeat.
    return f"The multipart request body could not be read: {exc}"


def bad_request(request, exception):
    """The site's 400 handler (reporting.urls.handler400): a multipart body Django's parser refuses (a part's
    headers over its limit, a broken boundary) is answered with the parser's reason, in JSON under /api/ and as a
    short page elsewhere; any other 400 is Django's own page."""
    if isinstance(exception, MultiPartParserError):
        message = _unreadable_body(exception)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        page = f"<!doctype html><title>Bad request</title><h1>Bad request</h1><p>{escape(message)}</p>"
        return HttpResponseBadRequest(page)
    return defaults.bad_request(request, exception)


def not_found(request, exception):
    """The site's 404 handler (reporting.urls.handler404): a JSON answer under /api/, as every other API error is
    (e.g. a path whose id is not a number matches no route), the ordinary page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
