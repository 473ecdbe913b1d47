"""Why a source left a row of its file out of the usage frame: a typed reason per skipped row, counted per chunk.

The interface every source keeps (no Django): a source that drops a row counts it under one
:class:`SkipReason` and hands the counts to :func:`counted`, which gives the chunk's ``frame.attrs``
(``rows_read``, ``rows_skipped`` = the sum, ``skipped`` = ``{reason code: count}``). ``combine`` and the
ingestion add the counts up per run; the run page, ``ingest --json`` and the runs API show them with
:func:`label`. A row is either read into the frame or counted under a reason: nothing is left out without one
(tests/connectors/test_source_conformance.py checks every registered source)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class SkipReason(StrEnum):
    """The reasons a row of a vendor file is not usage; the value is the code stored on the run."""

    NOT_AI = "not_ai"
    NOT_INFERENCE = "not_inference"
    NOT_USAGE_CHARGE = "not_usage_charge"
    CORRECTION = "correction"
    FAILED_REQUEST = "failed_request"
    CACHE_HIT = "cache_hit"
    REPEATED_MEASUREMENT = "repeated_measurement"
    NO_ACTIVITY = "no_activity"
    TEAM_MEMBERSHIP = "team_membership"
    OUT_OF_PERIOD = "out_of_period"
    PRICED_PER_REQUEST = "priced_per_request"
    NOT_USAGE_METRIC = "not_usage_metric"
    OWN_API_KEY = "own_api_key"
    UNSPECIFIED = "unspecified"

    @property
    def label(self) -> str:
        """What the reason means, for pages and reports."""
        return _LABELS[self]


_LABELS = {
    SkipReason.NOT_AI: "not an AI service (another meter, SKU or service of the bill)",
    SkipReason.NOT_INFERENCE: "an AI service line that is not model inference (hosting, training, storage, tools)",
    SkipReason.NOT_USAGE_CHARGE: "not a usage charge (a purchase, tax, credit or adjustment)",
    SkipReason.CORRECTION: "a correction of a charge invoiced in an earlier billing period (not this period's use)",
    SkipReason.FAILED_REQUEST: "a failed request (no answer, nothing counted)",
    SkipReason.CACHE_HIT: "answered from the gateway's own cache (no model called)",
    SkipReason.REPEATED_MEASUREMENT: "an earlier, cumulative measurement of a run counted once by its last row",
    SkipReason.NO_ACTIVITY: "a user with no activity on record (a seat tool's report: Copilot, ChatGPT)",
    SkipReason.TEAM_MEMBERSHIP: "a team-membership row (who was in which team that day): it attributes usage, it is "
    "none itself",
    SkipReason.OUT_OF_PERIOD: "a user whose last activity falls outside the report period",
    SkipReason.PRICED_PER_REQUEST: "a request the vendor priced per request and reported without token counts (no "
    "tokens to estimate from)",
    SkipReason.NOT_USAGE_METRIC: "a data point of another metric of the export (durations, HTTP, runtime): only the "
    "token usage metric counts tokens",
    SkipReason.OWN_API_KEY: "a seat tool's day whose requests all ran on the company's own API key, which that "
    "key's usage report counts (Cursor)",
    SkipReason.UNSPECIFIED: "left out by a source that gave no reason (a defect of that source)",
}


def label(code: str) -> str:
    """The label of a stored reason code; an unknown code (a later version's) is shown as it is."""
    try:
        return SkipReason(code).label
    except ValueError:
        return code


def counted(rows_read: int, skipped: Mapping[SkipReason, int] | None = None, **extra: Any) -> dict[str, Any]:
    """A chunk's ``frame.attrs``: rows read, the rows skipped by reason (zero counts left out) and their sum."""
    counts = {str(SkipReason(reason)): int(n) for reason, n in (skipped or {}).items() if int(n)}
    return {"rows_read": int(rows_read), "rows_skipped": sum(counts.values()), "skipped": counts, **extra}


def add_counts(total: dict[str, int], more: Mapping[str, int]) -> dict[str, int]:
    """`total` with `more`'s counts added (in place, returned)."""
    for code, n in more.items():
        total[code] = total.get(code, 0) + int(n)
    return total


def skipped_of(attrs: Mapping[str, Any]) -> dict[str, int]:
    """The skipped-by-reason counts of a chunk's attrs; rows it skipped without a reason count as unspecified."""
    counts = dict(attrs.get("skipped") or {})
    unexplained = int(attrs.get("rows_skipped", 0)) - sum(counts.values())
    if unexplained > 0:
        add_counts(counts, {str(SkipReason.UNSPECIFIED): unexplained})
    return counts
