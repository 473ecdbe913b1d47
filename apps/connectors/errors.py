"""The errors an upload or a run is refused with before any record is stored, and their text in the reader's
language."""

from django.utils.translation import gettext

from apps.core.errors import DomainError
from apps.core.messages import Message, render


class IngestionRefused(DomainError, ValueError):
    """The upload itself is refused (unknown source, too large, empty) before any run starts."""


def message_of(exc: Exception) -> Message | str:
    """The exception's message as it was raised: a Message keeps its template (``str(exc)`` would not)."""
    first = exc.args[0] if exc.args else ""
    return first if isinstance(first, Message) else str(exc)


def translated(exc: Exception) -> str:
    """The exception's message in the active language (as raised when it is plain text)."""
    message = message_of(exc)
    return render(message.to_dict(), gettext) if isinstance(message, Message) else message
