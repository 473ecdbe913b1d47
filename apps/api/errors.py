"""DRF's exception handler, plus a JSON answer for a request body over Django's size limits."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
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
