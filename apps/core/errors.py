"""One base class for every error the domain refuses a request with; the API maps it to HTTP in one place."""


class DomainError(Exception):
    """A request the domain refuses, with a message meant for the user.

    Subclasses say which HTTP status an API answer carries (`http_status`); pages show the message."""

    http_status = 400


class ConflictError(DomainError):
    """The request is valid but the state of the data refuses it (a signed-off period, a run in progress)."""

    http_status = 409
