"""A daily-bucket report of a vendor's admin API (OpenAI usage and costs, Anthropic usage and cost report).

All four are asked the same way: the period as the vendor spells it, ``bucket_width=1d``, a ``limit`` of buckets
per page, one group-by parameter repeated per dimension, and cursor pages (``page=<next_page>`` while
``has_more``). The pages go, as returned, into one document (a JSON list of pages) for the report's source.
Each vendor module says how its period and group-by are spelled; each report names its path and dimensions.
The other pulls name their period's file and build its pages document here too (:func:`period_name`,
:func:`pages_document`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ._http import Client, Document, dump


@dataclass(frozen=True)
class DailyReport:
    """One report: its API path, the source that reads it, the file name's stem, its dimensions, and how many
    daily buckets the API gives at most a page."""

    path: str
    source_key: str
    stem: str
    group_by: tuple[str, ...]
    max_days_per_page: int


def period_name(stem: str, start_day: date, end_day: date, suffix: str = ".json") -> str:
    """The file name of a pulled period: ``<stem>_<first day>_<last day><suffix>``, days as ISO dates."""
    return f"{stem}_{start_day:%Y-%m-%d}_{end_day:%Y-%m-%d}{suffix}"


def pages_document(source_key: str, stem: str, start_day: date, end_day: date, pages: list[dict]) -> list[Document]:
    """The pages of a period, as returned, as the one document (a JSON list of pages) of `source_key`."""
    return [Document(source_key, period_name(stem, start_day, end_day), dump(pages))]


def fetch_report(
    client: Client,
    report: DailyReport,
    *,
    period: list[tuple[str, Any]],
    group_param: str,
    start_day: date,
    end_day: date,
) -> list[Document]:
    """The report's pages for start_day..end_day (the `period` parameters, in the vendor's spelling) as one
    document; no document when no bucket has results (a file of empty days would be refused as empty)."""
    days = (end_day - start_day).days + 1
    params = [
        *period,
        ("bucket_width", "1d"),
        ("limit", min(days, report.max_days_per_page)),
        *[(group_param, dimension) for dimension in report.group_by],
    ]
    pages = client.cursor_pages(report.path, params)
    if not any(
        bucket.get("results") or bucket.get("result")
        for page in pages
        for bucket in page["data"]
        if isinstance(bucket, dict)
    ):
        return []
    return pages_document(report.source_key, report.stem, start_day, end_day, pages)
