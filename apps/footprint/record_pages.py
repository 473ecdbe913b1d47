"""Pages of usage records by keyset: the records list of the web page and of the API.

A page is the next `size` records after (or before) a cursor in the order (day, key hash) descending: the order
of the record's unique index (organisation, day, key_sha256), so the database reads the page straight from the
index, however deep into the year it is. No OFFSET (which reads and drops every earlier row) and no COUNT of the
year (which the list does not need to go on). The hash is unique within an organisation's day, so the order is
total and a record is on exactly one page; re-ingestion keeps a record's key, so it keeps its place. A cursor
the list did not give is no page of it (InvalidCursor, a 404).

Rows load only the columns the lists show: the factor set's label and hash, never its content (84 KB of JSON,
which a row join would otherwise repeat on every record). A record's warning is stored in English (the evidence
the CSV and the exports carry); both lists show it in the reader's language (`record_warning`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.messages import render

from .warning_codes import render_warning

ORDER_DESC = ("-day", "-key_sha256")
ORDER_ASC = ("day", "key_sha256")
NEXT, PREVIOUS = "n", "p"  # a cursor's direction: the records after it (older) or before it (newer)
LAST = "l"  # the oldest page: the first `size` records in ascending order (the cursor's day and key unused)
KEY_HASH = re.compile(r"[0-9a-f]{64}")
# What the lists show of a record, its run's file, its team and its factor set (whose content stays unread).
LIST_FIELDS = (
    "id",
    "day",
    "key_sha256",
    "source",
    "provider",
    "model",
    "usage_kind",
    "self_hosted",
    "person_ref",
    "team_ref",
    "project",
    "zone",
    "requests",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "active_user_days",
    "measured_energy_kwh",
    "cost",
    "currency",
    "energy_kwh",
    "energy_kwh_low",
    "energy_kwh_high",
    "co2e_location_kg",
    "co2e_market_kg",
    "co2e_embodied_kg",
    *(f"{n}{e}" for n in ("energy_prefill_kwh", "water_l", "adpe_kgsbeq", "pe_mj") for e in ("", "_low", "_high")),
    "grid_zone",
    "grid_gco2e_per_kwh",
    "scope",
    "data_quality",
    "method_version",
    "warning",
    "run__source_file__sha256",
    "run__source_file__filename",
    "team__name",
    "factor_set__name",
    "factor_set__version",
    "factor_set__content_sha256",
)


def record_warning(text: str) -> str:
    """A record's stored warning (English, its parts joined by "; ") in the active language, part by part; a part
    of no known template (an older method's) as it is."""
    return _warning_in(text, get_language()) if text else ""


def run_warning(stored: dict | str) -> str:
    """One of a run's stored warnings in the active language: a Message dict from its template, an older run's
    English text part by part (as `record_warning`)."""
    return render(stored, _) if isinstance(stored, dict) else record_warning(stored)


@functools.lru_cache(maxsize=1024)
def _warning_in(text: str, language: str | None) -> str:
    # A page of 100 records repeats a few distinct warnings: each is parsed once per language.
    return render_warning(text, _)


class InvalidCursor(DomainError):
    """A page cursor this list did not give (edited, truncated or from another version): no such page, a 404,
    as DRF answers a page number or cursor it cannot read (any string is a well-formed query parameter)."""

    http_status = 404

    def __init__(self):
        super().__init__(_("The page cursor is not valid: start again from the first page."))


class InvalidDay(DomainError):
    """A `from_day` that is not an ISO day (YYYY-MM-DD): a 400 naming the parameter."""

    http_status = 400

    def __init__(self, value: str):
        super().__init__(_("from_day must be a day as YYYY-MM-DD, not “%(value)s”.") % {"value": value[:40]})


def parse_from_day(value) -> dt.date | None:
    """The day a page jumps to (a date picker's value), None when not given; InvalidDay when unreadable."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidDay(text) from exc


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: the records after (NEXT) or before (PREVIOUS) the record at (day, key)."""

    direction: str
    day: dt.date
    key: str

    def encode(self) -> str:
        text = f"{self.direction}|{self.day.isoformat()}|{self.key}"
        return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """The cursor a `encode()` gave; InvalidCursor for anything else."""
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
            direction, day, key = text.split("|")
            parsed = dt.date.fromisoformat(day)
        except (ValueError, UnicodeError, binascii.Error) as exc:
            raise InvalidCursor() from exc
        if direction not in (NEXT, PREVIOUS, LAST) or not KEY_HASH.fullmatch(key) or len(day) != 10:
            raise InvalidCursor()
        return cls(direction, parsed, key)


@dataclass(frozen=True)
class RecordPage:
    """A page's records, newest first, and the cursors of the pages on either side (None where there is none)."""

    rows: list
    next_cursor: str | None  # the older records, None on the last page
    previous_cursor: str | None  # the newer records, None on the first page


# The "Oldest" link: a constant cursor, so the last page costs one index read from the other end, like the first.
OLDEST = Cursor(LAST, dt.date(1, 1, 1), "0" * 64).encode()


def list_rows(records):
    """The records with their run's file, team and factor set label joined, without the factor set's content."""
    return records.select_related("run__source_file", "team", "factor_set").only(*LIST_FIELDS)


def _after(records, cursor: Cursor):
    # (day, key) < (cursor): the redundant day bound lets the index scan start at the cursor's day.
    older = Q(day__lt=cursor.day) | Q(day=cursor.day, key_sha256__lt=cursor.key)
    return records.filter(older, day__lte=cursor.day).order_by(*ORDER_DESC)


def _before(records, cursor: Cursor):
    newer = Q(day__gt=cursor.day) | Q(day=cursor.day, key_sha256__gt=cursor.key)
    return records.filter(newer, day__gte=cursor.day).order_by(*ORDER_ASC)


def _edge(row, direction: str) -> str:
    return Cursor(direction, row.day, row.key_sha256).encode()


def record_page(records, *, cursor: str | None, size: int, from_day: dt.date | None = None) -> RecordPage:
    """One page of `records` (a filtered UsageRecord queryset), newest first, in one query (two with `from_day`).

    cursor: a RecordPage's next_cursor or previous_cursor, OLDEST for the last page, or None/"" for the first
    page. from_day (without a cursor): the page that starts at that day, its records and older ones (a jump)."""
    position = Cursor.decode(cursor) if cursor else None
    rows = list_rows(records)
    if position is None and from_day is not None:
        query, backwards = rows.filter(day__lte=from_day).order_by(*ORDER_DESC), False
    elif position is None:
        query, backwards = rows.order_by(*ORDER_DESC), False
    elif position.direction == NEXT:
        query, backwards = _after(rows, position), False
    elif position.direction == LAST:
        query, backwards = rows.order_by(*ORDER_ASC), True
    else:
        query, backwards = _before(rows, position), True
    found = list(query[: size + 1])  # one more than the page says whether there is a page beyond it
    beyond = len(found) > size
    found = found[:size][::-1] if backwards else found[:size]
    if not found:
        return RecordPage([], None, None)
    # Towards the side it came from, a cursor's page has rows: the cursor is one of them. The oldest page has
    # none older; a jumped-to day has newer records only if some lie after it (one indexed EXISTS).
    if backwards:
        more_newer, more_older = beyond, position.direction != LAST
    elif position is None and from_day is not None:
        more_newer, more_older = records.filter(day__gt=from_day).exists(), beyond
    else:
        more_newer, more_older = position is not None, beyond
    return RecordPage(
        found,
        _edge(found[-1], NEXT) if more_older else None,
        _edge(found[0], PREVIOUS) if more_newer else None,
    )
