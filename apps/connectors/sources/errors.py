"""The error every source parser raises for a bad file, and the short form of a bad value in its message.

A message may be a :class:`~apps.core.messages.Message` (English text keeping its template and values); the
location prefix ("usage.csv, row 12, column 'output_tokens'") is one too, built by :func:`location` from the
parts the error keeps, so the web layer can write both in the reader's language."""

from __future__ import annotations

from typing import Any

from apps.core.errors import DomainError
from apps.core.messages import Message

# The location prefixes: the msgids of their French entries (locale/fr).
AT_PATH = "{file}, at {path}"
AT_TOP_LEVEL = "{file}, at the top level"
AT_ROW_COLUMN = "{file}, row {row}, column '{column}'"
AT_ROW = "{file}, row {row}"
AT_COLUMN = "{file}, column '{column}'"
IN_FILE = "{file}"
WITH_LOCATION = "{location}: {message}"
NOT_UTF8 = (
    "the file is not valid UTF-8 (byte 0x{byte}); it looks like Latin-1/Windows-1252 "
    "or another code page. Save it as UTF-8 ('CSV UTF-8' in Excel) and upload it again"
)


def location(filename: str, row: int | str | None, column: str | None) -> Message:
    """Where a problem is, as the prefix of a SourceError's text: a CSV row and column, or a JSON path."""
    file = filename or "<stream>"
    if isinstance(row, str):
        # JSON: the key is the last step of the path, so name it there rather than twice.
        path = f"{row}.{column}" if row and column else (row or column or "")
        return Message(AT_PATH, file=file, path=path) if path else Message(AT_TOP_LEVEL, file=file)
    if row is not None and column:
        return Message(AT_ROW_COLUMN, file=file, row=row, column=column)
    if row is not None:
        return Message(AT_ROW, file=file, row=row)
    if column:
        return Message(AT_COLUMN, file=file, column=column)
    return Message(IN_FILE, file=file)


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
        super().__init__(self.text())

    def text(self) -> Message:
        """The whole text, location then message, as a Message (the message's own template kept when it has one)."""
        return Message(WITH_LOCATION, location=location(self.filename, self.row, self.column), message=self.message)

    def to_dict(self) -> dict[str, Any]:
        """The ``{row, column, message}`` shape the ingestion run and the CLI report; a Message's template and
        values are added as ``message_template``, for the page that shows it in another language."""
        out = {"file": self.filename, "row": self.row, "column": self.column, "message": self.message}
        if isinstance(self.message, Message):
            out["message_template"] = self.message.to_dict()
        return out


def stored_text(error: dict[str, Any]) -> dict[str, Any] | str:
    """A stored error (`SourceError.to_dict()`, or a run's error) as a message `apps.core.messages.render` writes
    in any language: location and template when it has them, else its English text as stored."""
    template = error.get("message_template")
    if template is None:
        return str(error.get("message", ""))
    if "file" not in error:
        return template  # the whole text is the template (a run's own message)
    where = location(error["file"], error.get("row"), error.get("column")).to_dict()
    return {"template": WITH_LOCATION, "params": {"location": where, "message": template}}


def describe_value(value: Any) -> str:
    """A short repr of a bad value for a message; long values are cut so a message stays readable."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def utf8_error(filename: str, row: int | None, exc: UnicodeDecodeError) -> SourceError:
    """The error for bytes that are not UTF-8, at `row` (None: the file as a whole)."""
    bad = exc.object[exc.start : exc.start + 1].hex() if hasattr(exc, "object") else "?"
    return SourceError(filename, row, None, Message(NOT_UTF8, byte=bad))
