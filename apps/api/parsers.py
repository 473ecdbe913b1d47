"""The API's JSON body parser: DRF's, refusing what the file readers refuse (issue 19).

A key given twice in an object (the last value silently won: a team created under the second of two names), NaN,
Infinity or a number beyond a double's range, and a body nested deeper than Python's recursion allows (a 500
before) are answered 400 with the reason, as DRF answers any other unreadable body."""

from __future__ import annotations

import codecs
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from apps.connectors.sources.json_strict import StrictJsonError, strict_loads


class StrictJSONParser(JSONParser):
    """application/json, read with :func:`strict_loads`."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        """The body's JSON value, or ParseError (400) saying why it cannot be read."""
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            # The body is at most DATA_UPLOAD_MAX_MEMORY_SIZE (1 MiB): read whole, as json.load would.
            text = codecs.getreader(encoding)(stream).read()
            return strict_loads(text, what="the body")
        except StrictJsonError as exc:
            raise ParseError(f"JSON parse error - {exc.message}") from None
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply to be read") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
