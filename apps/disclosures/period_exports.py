"""A period's exports: rendered in one format from its snapshot, kept once signed off, logged when downloaded."""

import hashlib
import io
import tempfile
from typing import BinaryIO

import pandas as pd

from apps.accounts import audit
from apps.footprint.models import FactorSetVersion
from apps.footprint.services import load_factor_set

from . import e1
from .errors import DisclosureError
from .models import PeriodExport, ReportingPeriod
from .snapshots import export_inputs

EXPORT_FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "csv": ("text/csv", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
    "xhtml": ("application/xhtml+xml", "xhtml"),
    "evidence": ("application/zip", "zip"),
}


def factor_tables(period_snapshot: dict) -> dict[str, pd.DataFrame]:
    """The factor tables of the snapshot's factor set, as frames (the evidence pack ships them)."""
    sha = period_snapshot["factor_sets"][0]["sha256"]
    version = FactorSetVersion.objects.filter(content_sha256=sha).first()
    factor_set = load_factor_set(version)
    return {
        name: pd.DataFrame(list(table.rows), columns=list(table.columns)) for name, table in factor_set.tables.items()
    }


def render_to(period: ReportingPeriod, fmt: str, out: BinaryIO) -> None:
    """Write the export in one format to a seekable binary stream, from the snapshot (frozen for a signed-off
    version), built once per export; the record-level exports (XLSX, evidence pack) stream the records."""
    if fmt not in EXPORT_FORMATS:
        raise DisclosureError(f"Unknown format '{fmt}'. Choose one of: {', '.join(EXPORT_FORMATS)}.")
    snapshot, sha, records = export_inputs(period)
    if fmt == "json":
        out.write((e1.canonical_json(datapoints_json(snapshot)) + "\n").encode("utf-8"))
        return
    # The renderers load on first use, not at start-up: reportlab, openpyxl and the rest take about 0.8 s to
    # import, which pages, commands and workers that never render an export should not pay.
    from . import exports

    if fmt == "csv":
        out.write(exports.render_csv(snapshot))
    elif fmt == "xhtml":
        out.write(exports.render_ixbrl(snapshot))
    elif fmt == "pdf":
        out.write(exports.render_pdf(snapshot, records, snapshot_sha256=sha))
    elif fmt == "xlsx":
        exports.write_xlsx(snapshot, records, out)
    else:
        exports.write_evidence_pack(snapshot, sha, records, factor_tables(snapshot), out)


def render(period: ReportingPeriod, fmt: str) -> bytes:
    """The export in one format as bytes (render_to into memory)."""
    buffer = io.BytesIO()
    render_to(period, fmt, buffer)
    return buffer.getvalue()


def datapoints_json(snapshot: dict) -> dict:
    """{datapoint id: {value, unit, low, high}}: the `disclose --format json` shape."""
    return {
        dp["id"]: {"value": dp["value"], "unit": dp["unit"], "low": dp["low"], "high": dp["high"]}
        for dp in snapshot["datapoints"]
    }


def _filename(period: ReportingPeriod, fmt: str) -> str:
    slug = period.organisation.slug
    return f"{slug}-ai-footprint-{period.start:%Y%m%d}-{period.end:%Y%m%d}-v{period.version}.{EXPORT_FORMATS[fmt][1]}"


def export_file(period: ReportingPeriod, fmt: str, user=None, log: bool = True) -> tuple[BinaryIO, str, str]:
    """Render (or fetch the kept copy of) an export into a file; log it. Returns (open file at its start,
    filename, content type); the caller closes the file (Django's FileResponse does).

    A draft's export is written to a temporary file, so a download streams from disk; a signed-off version's is
    rendered once and kept (the database keeps its bytes)."""
    if fmt not in EXPORT_FORMATS:
        raise DisclosureError(f"Unknown format '{fmt}'. Choose one of: {', '.join(EXPORT_FORMATS)}.")
    kept = period.exports.filter(format=fmt).first() if period.is_signed_off else None
    if kept is not None:
        fh = io.BytesIO(bytes(kept.content))
    else:
        fh = tempfile.TemporaryFile()  # noqa: SIM115 (handed open to the caller, who closes it)
        try:
            render_to(period, fmt, fh)
        except BaseException:
            fh.close()
            raise
        fh.seek(0)
        if period.is_signed_off:
            content = fh.read()
            fh.seek(0)
            PeriodExport.objects.create(
                organisation=period.organisation,
                period=period,
                format=fmt,
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
                created_by=user,
            )
    if log:
        audit.record(period.organisation, user, "period.export", f"{fmt} export of {period}", period, format=fmt)
    return fh, _filename(period, fmt), EXPORT_FORMATS[fmt][0]


def export(period: ReportingPeriod, fmt: str, user=None, log: bool = True) -> tuple[bytes, str, str]:
    """Render (or fetch the kept copy of) an export; log it. Returns (content, filename, content type)."""
    fh, filename, content_type = export_file(period, fmt, user, log)
    with fh:
        return fh.read(), filename, content_type
