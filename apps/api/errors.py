"""How the API answers errors, in one place: a domain error with its message and its class's HTTP status,
Django's body-size refusals in JSON, DRF's own answers, and the site's 404 handler (JSON under /api/)."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
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
    return drf_exception_handler(exc, context)


def not_found(request, exception):
    """The site's 404 handler (reporting.urls.handler404): a JSON answer under /api/, as every other API error is
    (e.g. a path whose id is not a number matches no route), the ordinary page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
