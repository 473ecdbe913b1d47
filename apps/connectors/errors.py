"""The errors an upload or a run is refused with before any record is stored."""

from apps.core.errors import DomainError


class IngestionRefused(DomainError, ValueError):
    """The upload itself is refused (unknown source, too large, empty) before any run starts."""
