"""The login lockout (django-axes), as the first authentication backend."""

from axes.backends import AxesStandaloneBackend


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses a login from a locked-out e-mail and address pair; the next backend checks the password.

    A login without a request (a management command, a test's Client.login) has no address to count and is not
    rate-limited; every login page and the admin's pass the request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
