"""Headers every answer carries (settings.MIDDLEWARE): the Content-Security-Policy, and `Cache-Control: no-store`
on the answers to an authenticated request, so no shared cache or browser history keeps an organisation's
figures after the user logged out."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


def _authenticated(request) -> bool:
    # The API's token is checked inside its views (DRF), which set request.user for this middleware to read;
    # any answer to a request that sent credentials is kept out of caches, whatever the check said.
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False) or request.headers.get("Authorization"))


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every answer; no-store on authenticated ones."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        if _authenticated(request):
            add_never_cache_headers(response)
        return response
