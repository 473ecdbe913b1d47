"""The disclosures app's user-facing error: the API maps every DomainError to HTTP in one handler."""

from apps.core.errors import ConflictError


class DisclosureError(ConflictError, ValueError):
    """A request on a period that its state or the user's role does not allow; the message says why.

    A ConflictError (409), a DomainError: the API answers it with 409 today (sign-off), the state of the period
    refusing the request."""
