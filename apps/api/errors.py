"""How the API answers errors: DRF's exception handler with Django's body-size refusals in JSON, and the
site's 404 handler, which answers in JSON under /api/."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF leaves Django's body-size refusals to Django, whose answer is an HTML 400 page; an API client gets JSON:
    413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE, 400 for too many fields or files."""
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
