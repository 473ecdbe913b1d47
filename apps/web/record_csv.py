"""The records list as CSV: the records behind a figure, with the dashboard's filters, for a spreadsheet.

Floats rounded to the exports' stated precision (apps.disclosures.exports.precision: 6 significant digits,
never an exponent), integers and money as stored. Rendered in the request, so it is bounded: a filtered set of
more than MAX_RECORDS records is refused with a message to narrow the filters (a year's records are in the
evidence pack, rendered in the background). The rows are read in chunks and written through a temporary file.
"""

from __future__ import annotations

import tempfile

import pandas as pd
from django.http import FileResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from apps.accounts.permissions import READ
from apps.accounts.tenancy import org_view
from apps.disclosures import filters as period_filters
from apps.footprint import selectors
from apps.footprint.models import UsageRecord

MAX_RECORDS = 50_000
CHUNK_ROWS = 10_000
# The exports' record columns not stored under their own name, and where they are read from.
JOINED = {
    "team": "team__name",
    "factor_set_sha256": "factor_set__content_sha256",
    "source_sha256": "run__source_file__sha256",
}


def stored_columns(record_columns: list[str]) -> dict[str, str]:
    """{CSV column: what to read} for the exports' record columns (tables.RECORD_COLUMNS) a stored record has:
    its figures as stored, the team's name and the file's and factor set's SHA-256."""
    names = {field.attname for field in UsageRecord._meta.concrete_fields}
    return {c: JOINED.get(c, c) for c in record_columns if c in names or c in JOINED}


def record_chunks(records, columns: dict[str, str], limit: int):
    """The records as frames of CHUNK_ROWS rows, day then id, at most `limit` rows in all."""
    rows = records.order_by("day", "pk").values_list(*columns.values())[:limit].iterator(chunk_size=CHUNK_ROWS)
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK_ROWS:
            yield pd.DataFrame(batch, columns=list(columns))
            batch = []
    if batch:
        yield pd.DataFrame(batch, columns=list(columns))


@org_view(READ)
def record_csv(request):
    """The filtered records as a CSV download (the records page's filters), or a 400 page when there are more
    than MAX_RECORDS."""
    from apps.disclosures.exports.tables import RECORD_COLUMNS, write_records_csv  # the renderers load on first use

    org = request.organisation
    filters = period_filters.parse_filters(org, request.GET)
    records = selectors.filtered_records(org, filters)
    if records[MAX_RECORDS : MAX_RECORDS + 1].exists():
        message = _(
            "More than %(max)s records match these filters: narrow them (a shorter range, a team, a source), or "
            "download the evidence pack of the period, which holds every record."
        ) % {"max": number_format(MAX_RECORDS, force_grouping=True)}
        context = {"filters": filters, "choices": period_filters.choices(org), "query": filters.querystring()}
        context["error"] = message
        return render(request, "web/record_csv_refused.html", context, status=400)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write_records_csv(record_chunks(records, stored_columns(RECORD_COLUMNS), MAX_RECORDS), out)
    out.seek(0)
    name = f"records-{org.slug}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    return FileResponse(out, as_attachment=True, filename=name, content_type="text/csv; charset=utf-8")
