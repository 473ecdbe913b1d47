"""The login lockout (django-axes), as the first authentication backend."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses a login from a locked-out e-mail and address pair; the next backend checks the password.

    A login without a request (a management command, a test's Client.login) has no address to count and is not
    rate-limited; every login page and the admin's pass the request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str | None:
    """The address a failed login is counted against: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT reverse proxies,
    the address the outermost of them saw. Each proxy appends the address it received the request from to
    X-Forwarded-For, so that is the entry TRUSTED_PROXY_COUNT from the right; entries further left come from the
    client and can be forged. (django-ipware counts proxies inside the header instead, which a single nginx does
    not write, so the rule is stated here.)"""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
