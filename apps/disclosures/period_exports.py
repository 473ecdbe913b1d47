"""A period's exports: rendered in one format from its snapshot, kept once signed off, logged when downloaded.

PDF, XLSX and the evidence pack are rendered by a task only: a request asks for one (`request_export`), the
task renders it (`run_export`: queued → rendering → ready or failed) and a later request downloads the kept file.
XLSX and the evidence pack read every record; a draft's PDF reads its cached snapshot of the rollups (with the
annex's records-by-run table), a signed-off one its frozen inputs. JSON, CSV and iXBRL come from the snapshot
alone and are served at once.
"""

import hashlib
import io
import logging
import tempfile
from typing import BinaryIO

import pandas as pd
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts import audit
from apps.connectors import leases
from apps.connectors.dispatch import dispatch
from apps.core.errors import DomainError
from apps.footprint.models import FactorSetVersion
from apps.footprint.services import load_factor_set

from . import e1
from .errors import DisclosureError
from .evidence_files import evidence_sources
from .models import ExportState, PeriodExport, ReportingPeriod
from .snapshots import draft_of, export_inputs, snapshot_of
from .tasks import render_export

log = logging.getLogger(__name__)

EXPORT_FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "csv": ("text/csv", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
    "xhtml": ("application/xhtml+xml", "xhtml"),
    "evidence": ("application/zip", "zip"),
    # The AI usage per GHG category, for the company's reporting tool to consolidate (exports/contribution.py).
    "ghg_csv": ("text/csv", "ghg.csv"),
    # The same contribution as an xBRL-JSON report (exports/contribution_xbrl.py), for tools that import XBRL.
    "ghg_xbrl": ("application/json", "ghg.xbrl.json"),
}
# Rendered by a task only (they read every record of the period); the others come from the snapshot alone.
TASK_FORMATS = ("pdf", "xlsx", "evidence")


def snapshot_factor_set(period_snapshot: dict):
    """The snapshot's factor set (the evidence pack resolves the records' names in it)."""
    sha = period_snapshot["factor_sets"][0]["sha256"]
    return load_factor_set(FactorSetVersion.objects.filter(content_sha256=sha).first())


def factor_tables(period_snapshot: dict, factor_set=None) -> dict[str, pd.DataFrame]:
    """The factor tables of the snapshot's factor set (or of `factor_set`, that one loaded), as frames (the
    evidence pack ships them)."""
    factor_set = factor_set or snapshot_factor_set(period_snapshot)
    return {
        name: pd.DataFrame(list(table.rows), columns=list(table.columns)) for name, table in factor_set.tables.items()
    }


# The formats made from the snapshot alone; the others read every record (export_inputs).
SNAPSHOT_FORMATS = ("json", "csv", "xhtml", "ghg_csv", "ghg_xbrl")


def render_to(period: ReportingPeriod, fmt: str, out: BinaryIO) -> str:
    """Write the export in one format to a seekable binary stream, from the snapshot (frozen for a signed-off
    version), built once per export; the record-level exports (XLSX, evidence pack) stream the records. Returns
    the SHA-256 of the snapshot it was rendered from."""
    if fmt not in EXPORT_FORMATS:
        raise DisclosureError(f"Unknown format '{fmt}'. Choose one of: {', '.join(EXPORT_FORMATS)}.")
    by_run = None
    if fmt in SNAPSHOT_FORMATS:
        (snapshot, sha), records = snapshot_of(period), None  # a draft's from the rollups, cached
    elif fmt == "pdf" and not period.is_signed_off:
        # A draft's PDF reads no record: its snapshot and annex table come from the rollups, cached together.
        (snapshot, sha, by_run), records = draft_of(period), None
    else:
        snapshot, sha, records = export_inputs(period)
    if fmt == "json":
        out.write((e1.canonical_json(datapoints_json(snapshot)) + "\n").encode("utf-8"))
        return sha
    # The renderers load on first use, not at start-up: reportlab, openpyxl and the rest take about 0.8 s to
    # import, which pages, commands and workers that never render an export should not pay.
    from . import exports

    if fmt == "csv":
        out.write(exports.render_csv(snapshot))
    elif fmt == "xhtml":
        out.write(exports.render_ixbrl(snapshot))
    elif fmt == "ghg_csv":
        out.write(exports.render_contribution_csv(snapshot))
    elif fmt == "ghg_xbrl":
        out.write(exports.render_contribution_xbrl_json(snapshot))
    elif fmt == "pdf":
        out.write(exports.render_pdf(snapshot, records, snapshot_sha256=sha, by_run=by_run))
    elif fmt == "xlsx":
        exports.write_xlsx(snapshot, records, out)
    else:
        factor_set = snapshot_factor_set(snapshot)
        sources = evidence_sources(snapshot, period.organisation)
        tables = factor_tables(snapshot, factor_set)
        exports.write_evidence_pack(snapshot, sha, records, tables, out, factor_set, sources)
    return sha


def render(period: ReportingPeriod, fmt: str) -> bytes:
    """The export in one format as bytes (render_to into memory)."""
    return _rendered(period, fmt)[0]


def _rendered(period: ReportingPeriod, fmt: str) -> tuple[bytes, str]:
    """The export's bytes, written through a temporary file (a year of records is not built in memory first),
    and the SHA-256 of the snapshot it was rendered from."""
    with tempfile.TemporaryFile() as fh:
        sha = render_to(period, fmt, fh)
        fh.seek(0)
        return fh.read(), sha


def datapoints_json(snapshot: dict) -> dict:
    """{datapoint id: {value, unit, low, high, not_defined}}: the `disclose --format json` shape; not_defined says
    why each null field is null (empty when none is)."""
    from .exports._common import not_defined

    return {
        dp["id"]: {"value": dp["value"], "unit": dp["unit"], "low": dp["low"], "high": dp["high"], "not_defined": why}
        for dp, why in zip(snapshot["datapoints"], not_defined(snapshot), strict=True)
    }


def export_file(period: ReportingPeriod, fmt: str, user=None, log: bool = True) -> tuple[BinaryIO, str, str]:
    """Render (or fetch the kept copy of) an export into a file, in the caller; log it. Returns (open file at
    its start, filename, content type); the caller closes it. A signed-off version's export is kept once
    rendered. Commands, tests and the snapshot formats of a request render here; pages and the API download
    the task formats through `download`."""
    if fmt not in EXPORT_FORMATS:
        raise DisclosureError(f"Unknown format '{fmt}'. Choose one of: {', '.join(EXPORT_FORMATS)}.")
    kept = period.exports.filter(format=fmt, state=ExportState.READY).first() if period.is_signed_off else None
    if kept is not None:
        return io.BytesIO(bytes(kept.content)), *_logged(period, fmt, user, log)
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
        _keep(
            period,
            fmt,
            {
                "state": ExportState.READY,
                "sha256": hashlib.sha256(content).hexdigest(),
                "snapshot_sha256": period.snapshot_sha256,
                "content": content,
                "created_by": user,
                "error": "",
                "finished_at": timezone.now(),
            },
        )
    return fh, *_logged(period, fmt, user, log)


def _keep(period: ReportingPeriod, fmt: str, fields: dict) -> None:
    """Keep a signed-off version's rendered export. Two requests rendering it at once both try to create the
    row: the one that loses the unique constraint updates the row the other created (same snapshot, same bytes)."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                PeriodExport.objects.update_or_create(
                    organisation=period.organisation, period=period, format=fmt, defaults=fields
                )
            return
        except IntegrityError:
            if attempt:
                raise


def export(period: ReportingPeriod, fmt: str, user=None, log: bool = True) -> tuple[bytes, str, str]:
    """export_file's content as bytes. Returns (content, filename, content type)."""
    fh, filename, content_type = export_file(period, fmt, user, log)
    with fh:
        return fh.read(), filename, content_type


def _logged(period: ReportingPeriod, fmt: str, user, log: bool) -> tuple[str, str]:
    content_type, extension = EXPORT_FORMATS[fmt]
    filename = f"{period.organisation.slug}-ai-footprint-{period.start:%Y%m%d}-{period.end:%Y%m%d}-v{period.version}"
    if log:
        audit.record(period.organisation, user, "period.export", f"{fmt} export of {period}", period, format=fmt)
    return f"{filename}.{extension}", content_type


class ExportNotReady(DisclosureError):
    """A task format asked for before its task has rendered it: the message says what to do."""

    def __init__(self, message: str, kept: PeriodExport | None):
        super().__init__(message)
        self.kept = kept


def download(period: ReportingPeriod, fmt: str, user) -> tuple[bytes, str, str]:
    """What a page or the API sends for a download: a task format only once its task has rendered it
    (ExportNotReady otherwise), a snapshot format at once."""
    if fmt not in TASK_FORMATS:
        return export(period, fmt, user)
    kept = period.exports.filter(format=fmt).first()
    if kept is None or kept.state != ExportState.READY:
        label = fmt.upper()
        if kept is None:
            message = f"The {label} of this version has not been requested yet: request it, then download it."
        elif kept.state == ExportState.FAILED:
            message = f"Rendering the {label} failed: {kept.error} Request it again."
        else:
            message = f"The {label} is being rendered ({kept.get_state_display().lower()}); try again shortly."
        raise ExportNotReady(message, kept)
    return bytes(kept.content), *_logged(period, fmt, user, True)


@transaction.atomic
def request_export(*, period: ReportingPeriod, fmt: str, user) -> PeriodExport:
    """Queue the rendering of one task format. A signed-off version's ready export is kept as it is (refused);
    a draft's is rendered again from its figures of now. One already queued or rendering is returned, not
    queued twice."""
    if fmt not in TASK_FORMATS:
        raise DisclosureError(f"The {fmt.upper()} is made from the snapshot when it is downloaded: download it.")
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_signing:
        raise DisclosureError("This period is being signed off; its exports are rendered once it is frozen.")
    kept = PeriodExport.objects.filter(period=period, format=fmt).first()
    if kept and kept.state in (ExportState.QUEUED, ExportState.RENDERING):
        return kept
    if kept and kept.state == ExportState.READY and period.is_signed_off:
        raise DisclosureError(f"The {fmt.upper()} of this signed-off version is kept as rendered: download it.")
    row, _ = PeriodExport.objects.update_or_create(
        organisation=period.organisation,
        period=period,
        format=fmt,
        defaults={
            "state": ExportState.QUEUED,
            "error": "",
            "created_by": user,
            "finished_at": None,
            "heartbeat_at": timezone.now(),  # queued now: the reaper sends it again if no worker takes it
            "resends": 0,
        },
    )
    dispatch(render_export, row.pk)
    return row


def queue_all_exports(period: ReportingPeriod) -> list[PeriodExport]:
    """At sign-off: a queued export of every format, rendered by tasks from the frozen inputs (the draft's
    exports, rendered from live figures, are dropped first)."""
    PeriodExport.objects.filter(period=period).delete()
    rows = [
        PeriodExport.objects.create(
            organisation=period.organisation, period=period, format=fmt, heartbeat_at=timezone.now()
        )
        for fmt in EXPORT_FORMATS
    ]
    for row in rows:
        dispatch(render_export, row.pk)
    return rows


def run_export(*, export_id: int) -> str:
    """The task's body: claim a queued export, render it, keep it (ready) or say why not (failed)."""
    claimed = PeriodExport.objects.filter(pk=export_id, state=ExportState.QUEUED)
    if not claimed.update(state=ExportState.RENDERING, heartbeat_at=timezone.now()):
        return "skipped"  # gone, or already taken by another delivery of the same task
    row = PeriodExport.objects.select_related("period__organisation").get(pk=export_id)
    try:
        with leases.heartbeat(PeriodExport.objects.filter(pk=export_id, state=ExportState.RENDERING)):
            content, snapshot_sha = _rendered(row.period, row.format)
    except DomainError as exc:
        error = str(exc)
    except Exception:
        log.exception("rendering export %s (%s of period %s) failed", row.pk, row.format, row.period_id)
        error = "An internal error stopped the rendering; the server logs have the details."
    else:
        PeriodExport.objects.filter(pk=row.pk).update(
            state=ExportState.READY,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            snapshot_sha256=snapshot_sha,
            finished_at=timezone.now(),
        )
        return ExportState.READY
    PeriodExport.objects.filter(pk=row.pk).update(state=ExportState.FAILED, error=error, finished_at=timezone.now())
    return ExportState.FAILED


def task_status(period: ReportingPeriod) -> dict:
    """The period's sign-off and the state of each export, what its page and the API poll (the files'
    content is not read). `finished`: nothing is queued, rendering or signing off."""
    kept = {row.format: row for row in period.exports.defer("content")}
    exports = []
    for fmt in EXPORT_FORMATS:
        row = kept.get(fmt)
        exports.append(
            {
                "format": fmt,
                "by_task": fmt in TASK_FORMATS,
                "state": row.state if row else "",
                "state_label": row.get_state_display() if row else "",
                "error": row.error if row else "",
                "sha256": row.sha256 if row else "",
                "snapshot_sha256": row.snapshot_sha256 if row else "",
                "finished_at": row.finished_at if row else None,
            }
        )
    pending = (ExportState.QUEUED, ExportState.RENDERING)
    return {
        "id": period.pk,
        "status": period.status,
        "status_label": period.get_status_display(),
        "sign_off_error": period.sign_off_error,
        "exports": exports,
        "finished": not period.is_signing and not any(row["state"] in pending for row in exports),
    }
