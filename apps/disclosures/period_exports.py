"""A period's exports: rendered in one format from its snapshot, kept once signed off, logged when downloaded."""

import hashlib

import pandas as pd

from apps.accounts import audit
from apps.footprint.models import FactorSetVersion
from apps.footprint.services import load_factor_set

from . import e1
from .errors import DisclosureError
from .models import PeriodExport, ReportingPeriod
from .snapshots import records_of, snapshot_of

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


def render(period: ReportingPeriod, fmt: str) -> bytes:
    """The export in one format, from the snapshot (frozen for a signed-off version)."""
    if fmt not in EXPORT_FORMATS:
        raise DisclosureError(f"Unknown format '{fmt}'. Choose one of: {', '.join(EXPORT_FORMATS)}.")
    snapshot, sha = snapshot_of(period)
    if fmt == "json":
        return (e1.canonical_json(datapoints_json(snapshot)) + "\n").encode("utf-8")
    # The renderers load on first use, not at start-up: reportlab, openpyxl and the rest take about 0.8 s to
    # import, which pages, commands and workers that never render an export should not pay.
    from . import exports

    if fmt == "csv":
        return exports.render_csv(snapshot)
    if fmt == "xhtml":
        return exports.render_ixbrl(snapshot)
    records = records_of(period)
    if fmt == "pdf":
        return exports.render_pdf(snapshot, records, snapshot_sha256=sha)
    if fmt == "xlsx":
        return exports.render_xlsx(snapshot, records)
    return exports.render_evidence_pack(snapshot, sha, records, factor_tables(snapshot))


def datapoints_json(snapshot: dict) -> dict:
    """{datapoint id: {value, unit, low, high}}: the `disclose --format json` shape."""
    return {
        dp["id"]: {"value": dp["value"], "unit": dp["unit"], "low": dp["low"], "high": dp["high"]}
        for dp in snapshot["datapoints"]
    }


def export(period: ReportingPeriod, fmt: str, user=None, log: bool = True) -> tuple[bytes, str, str]:
    """Render (or fetch the kept copy of) an export; log it. Returns (content, filename, content type)."""
    kept = period.exports.filter(format=fmt).first() if period.is_signed_off else None
    content = bytes(kept.content) if kept else render(period, fmt)
    if period.is_signed_off and kept is None:
        PeriodExport.objects.create(
            organisation=period.organisation,
            period=period,
            format=fmt,
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            created_by=user,
        )
    content_type, extension = EXPORT_FORMATS[fmt]
    filename = f"{period.organisation.slug}-ai-footprint-{period.start:%Y%m%d}-{period.end:%Y%m%d}-v{period.version}"
    if log:
        audit.record(period.organisation, user, "period.export", f"{fmt} export of {period}", period, format=fmt)
    return content, f"{filename}.{extension}", content_type
