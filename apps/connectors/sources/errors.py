"""The error every source parser raises for a bad file, and the short form of a bad value in its message."""

from __future__ import annotations

from typing import Any

from apps.core.errors import DomainError


class SourceError(DomainError, ValueError):
    """A file cannot be read as the chosen source.

    ``row`` is the 1-based CSV row (header = row 1) or a JSON path string, or None when the problem is
    the file as a whole; ``column`` is the column or JSON key, or None. ``str()`` reads like
    ``usage.csv, row 12, column 'output_tokens': expected a whole number >= 0, got 'abc'``.
    """

    def __init__(self, filename: str, row: int | str | None, column: str | None, message: str):
        self.filename = filename
        self.row = row
        self.column = column
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [self.filename or "<stream>"]
        if isinstance(self.row, str):
            # JSON: the key is the last step of the path, so name it there rather than twice.
            path = self.row
            if self.column:
                path = f"{path}.{self.column}" if path else self.column
            parts.append(f"at {path}" if path else "at the top level")
        else:
            if self.row is not None:
                parts.append(f"row {self.row}")
            if self.column:
                parts.append(f"column '{self.column}'")
        return ", ".join(parts) + ": " + self.message

    def to_dict(self) -> dict[str, Any]:
        """The ``{row, column, message}`` shape the ingestion run and the CLI report."""
        return {"file": self.filename, "row": self.row, "column": self.column, "message": self.message}


def describe_value(value: Any) -> str:
    """A short repr of a bad value for a message; long values are cut so a message stays readable."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def utf8_error(filename: str, row: int | None, exc: UnicodeDecodeError) -> SourceError:
    """The error for bytes that are not UTF-8, at `row` (None: the file as a whole)."""
    bad = exc.object[exc.start : exc.start + 1].hex() if hasattr(exc, "object") else "?"
    return SourceError(
        filename,
        row,
        None,
        f"the file is not valid UTF-8 (byte 0x{bad}); it looks like Latin-1/Windows-1252 "
        "or another code page. Save it as UTF-8 ('CSV UTF-8' in Excel) and upload it again",
    )
