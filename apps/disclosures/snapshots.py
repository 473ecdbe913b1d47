"""Computing a period's disclosure: its records re-estimated with one factor set, and the snapshot built from them.

A draft period's figures are computed live from the rollups (apps.disclosures.period_rollups: monthly rows of
whole months, daily rows of the rest; the same as from the records: every estimator is linear in what a rollup
row sums). At sign-off (apps.disclosures.services) they are frozen: the snapshot (figures, inputs, factor sets,
runs and files, method and code versions) with its SHA-256, and the records as disclosed; snapshot_of and
records_of then return those frozen inputs.
"""

import functools
import gzip
import hashlib
import io
import json
import subprocess
import time

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from apps.connectors.models import IngestionRun
from apps.core.cache import flush_writes
from apps.footprint import rollups, usage_frame
from apps.footprint.calculator import estimate
from apps.footprint.energy_mix import energy_mix_split
from apps.footprint.method_notes import METHOD_NOTES
from apps.footprint.models import ContractualInstrument, FactorSetVersion, UsageRecord
from apps.footprint.published import snapshot_rows as published_measurements
from apps.footprint.services import current_factor_set_version, load_factor_set, own_factor_set_id
from apps.footprint.upstream import upstream_of_electricity

from . import e1, period_rollups
from .assumptions import registered_assumptions
from .models import ReportingPeriod
from .periods import comparative_dates

RECORD_COLUMNS = [
    "id",
    "day",
    "source",
    "provider",
    "model",
    "usage_kind",
    "self_hosted",
    "person_ref",
    "team_ref",
    "team__name",
    "project",
    "api_key",
    "zone",
    "requests",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "active_user_days",
    "measured_energy_kwh",
    "cost",
    "currency",
    "run_id",
    "run__source_file__sha256",
]


@functools.cache
def code_version() -> str:
    """The git commit the code runs from, when it can be told (asked once per process: it cannot change under a
    running process, and every draft view asks)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def latest_version(organisation, start, end) -> ReportingPeriod | None:
    """The newest version of the period with these dates, or None."""
    return ReportingPeriod.objects.for_org(organisation).filter(start=start, end=end).order_by("-version").first()


def period_records(period: ReportingPeriod) -> pd.DataFrame:
    """The stored records of the period's days, as a frame (one row per record)."""
    rows = (
        UsageRecord.objects.for_org(period.organisation)
        .filter(day__range=(period.start, period.end))
        .order_by("day", "pk")
        .values_list(*RECORD_COLUMNS)
    )
    frame = pd.DataFrame(list(rows), columns=RECORD_COLUMNS)
    return frame.rename(columns={"team__name": "team", "run__source_file__sha256": "source_sha256"})


def _instruments(period: ReportingPeriod) -> list[dict]:
    overlapping = ContractualInstrument.objects.for_org(period.organisation).filter(
        period_start__lte=period.end, period_end__gte=period.start
    )
    return [i.as_calculator_dict() for i in overlapping]


def estimate_period(period: ReportingPeriod, version: FactorSetVersion | None = None, *, from_rollups=False):
    """Re-estimate the period's records (or, `from_rollups`, its rollup rows: a draft's figures) with one
    factor set and the period's instruments.

    Returns (records frame with results and per-row energy mix, factor-set version, instruments); rows from the
    rollups carry `records` (how many records each sums) and no id."""
    version = version or current_factor_set_version(period.organisation)
    factor_set = load_factor_set(version)
    instruments = _instruments(period)
    stored = period_rollups.rows(period, factor_set, instruments) if from_rollups else period_records(period)
    usage = (
        usage_frame.conform(
            pd.DataFrame(
                {
                    "day": pd.to_datetime(stored["day"]),
                    "source": stored["source"],
                    "provider": stored["provider"],
                    "model": stored["model"],
                    "usage_kind": stored["usage_kind"],
                    "requests": stored["requests"],
                    "input_tokens": stored["input_tokens"],
                    "cached_input_tokens": stored["cached_input_tokens"],
                    "output_tokens": stored["output_tokens"],
                    "active_user_days": stored["active_user_days"],
                    "measured_energy_kwh": stored["measured_energy_kwh"],
                    "self_hosted": stored["self_hosted"].astype(bool),
                    "person": stored["person_ref"],
                    "team": stored["team_ref"],
                    "project": stored["project"],
                    "api_key": stored["api_key"],
                    "zone": stored["zone"],
                    "cost": stored["cost"],
                    "currency": stored["currency"],
                }
            )
        )
        if len(stored)
        else usage_frame.empty_frame()
    )
    estimated = estimate(usage, factor_set, instruments)
    mix = energy_mix_split(estimated, factor_set, instruments)
    estimated.attrs = {}  # a DataFrame in attrs breaks pandas' attrs propagation later on
    records = estimated.rename(columns={"person": "person_ref", "team": "team_ref"})
    for name, values in mix["rows"].items():
        records[name] = values
    if from_rollups:
        records["records"] = stored["records"].to_numpy(dtype=np.int64) if len(stored) else []
    else:
        records.insert(0, "id", stored["id"].to_numpy() if len(stored) else np.array([], dtype=np.int64))
    records["team"] = stored["team"].fillna("").to_numpy() if len(stored) else []
    records["run_id"] = stored["run_id"].to_numpy() if len(stored) else []
    records["source_sha256"] = stored["source_sha256"].to_numpy() if len(stored) else []
    records["factor_set_sha256"] = version.content_sha256
    records["day"] = pd.to_datetime(records["day"]).dt.strftime("%Y-%m-%d")
    for column in records.columns:
        if isinstance(records[column].dtype, pd.CategoricalDtype):
            records[column] = records[column].astype(str)
    return records, version, instruments


def _comparative_values(period: ReportingPeriod) -> dict | None:
    previous = latest_version(period.organisation, *comparative_dates(period.start))
    if previous is None:
        return None
    # Keyed by figure (older snapshots name none: their id is the figure), whatever the previous year's standard.
    if previous.is_signed_off:
        return {dp.get("figure") or dp["id"]: dp["value"] for dp in previous.snapshot["datapoints"]}
    snapshot = build_snapshot(previous, with_comparative=False, from_rollups=True)[0]
    return {dp.get("figure") or dp["id"]: dp["value"] for dp in snapshot["datapoints"]}


def build_snapshot(
    period: ReportingPeriod, *, with_comparative: bool = True, generated_at: str | None = None, from_rollups=False
):
    """Compute the disclosure of a period version. Returns (snapshot dict, records frame, factor-set version);
    `from_rollups`, the figures come from the rollups (the same, in a fraction of the time) and the frame
    holds rollup rows, not records."""
    records, version, instruments = estimate_period(period, from_rollups=from_rollups)
    net_revenue = float(period.net_revenue_eur) if period.net_revenue_eur is not None else None
    price = (
        float(period.internal_carbon_price_eur_per_t) if period.internal_carbon_price_eur_per_t is not None else None
    )
    factor_set = load_factor_set(version)
    upstream = upstream_of_electricity(records, factor_set)  # Scope 3 category 3, from Scope 2's kWh per zone
    values = e1.figures(records, net_revenue, price, period.variant, upstream["total_t"])
    comparative = _comparative_values(period) if with_comparative else None
    run_ids = sorted({int(r) for r in records["run_id"].unique()}) if len(records) else []
    runs = IngestionRun.objects.filter(pk__in=run_ids).select_related("source_file", "uploaded_by").order_by("pk")
    restated = period.restatement_of
    in_period = _records_per_run(records)
    snapshot = {
        "schema": e1.SCHEMA_VERSION,
        "organisation": {
            "slug": period.organisation.slug,
            "name": period.organisation.name,
            "lei": period.organisation.lei,
            "registration_number": period.organisation.registration_number,
            "vat_number": period.organisation.vat_number,
        },
        "period": {
            "id": period.pk,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "version": period.version,
            "status": period.status,
            "signed_off_by": period.signed_off_by.email if period.signed_off_by else None,
            "signed_off_at": period.signed_off_at.isoformat() if period.signed_off_at else None,
            "submitted_by": period.submitted_by.email if period.submitted_by else None,
            "comment": period.sign_off_comment,
            "restatement_of": (
                {"version": restated.version, "snapshot_sha256": restated.snapshot_sha256} if restated else None
            ),
            "restatement_reason": period.restatement_reason,
        },
        "variant": period.variant,
        "standard": e1.catalogue_name(period.variant, period.standard),
        "currency": "EUR",
        "datapoints": e1.datapoints(
            values, comparative, period.variant, period.standard, e1.not_defined_reasons(values, net_revenue)
        ),
        "not_carried": e1.not_carried(values, period.variant, period.standard),
        "breakdowns": e1.breakdowns(records) if len(records) else {k: [] for k in e1.BREAKDOWNS},
        "runs": [
            {
                "id": r.pk,
                "source_key": r.source_key,
                "filename": r.source_file.filename,
                "sha256": r.source_file.sha256,
                "rows_read": r.rows_read,
                "records": r.records_stored,
                # A run's file may cover days outside the period: those records are not in its figures.
                "records_in_period": in_period.get(r.pk, 0),
                "records_outside_period": max(r.records_stored - in_period.get(r.pk, 0), 0),
                "uploaded_by": r.uploaded_by.email if r.uploaded_by else "command line",
                "uploaded_at": r.created_at.isoformat(),
            }
            for r in runs
        ],
        "factor_sets": [
            {
                "label": version.label,
                "sha256": version.content_sha256,
                "method_version": version.method_version,
                "provenance": factor_set.provenance(),
            }
        ],
        "methodology": {
            "method_version": version.method_version,
            "notes": METHOD_NOTES,
            "assumptions": e1.ASSUMPTIONS
            + e1.standard_assumptions(period.variant, period.standard)
            + registered_assumptions(period.organisation),
            "exclusions": e1.EXCLUSIONS,
            "definitions": e1.DEFINITIONS,
            "range_drivers": e1.range_drivers(records) if len(records) else [],
            # A monthly rollup row has no first or last day of its own: the daily rollup tells them.
            "coverage": period_rollups.coverage(period) if from_rollups else e1.coverage(records),
            # The vendors' per-prompt figures beside the period's factor set's for comparable cases.
            "published_measurements": published_measurements(factor_set),
        },
        "inputs": {
            "net_revenue_eur": net_revenue,
            "internal_carbon_price_eur_per_t": price,
            "instruments": instruments,
        },
        "upstream_electricity": {"rows": upstream["rows"], "method": upstream["method"], "adds_to_scope3": True},
        "unverified_factors": e1.unverified_factors(records),
        "code_version": code_version(),
        "generated_at": generated_at or timezone.now().isoformat(),
    }
    return _json_safe(snapshot), records, version


def _records_per_run(records) -> dict[int, int]:
    """Run id -> how many of its records are in the frame (rollup rows count the records they sum)."""
    if not len(records):
        return {}
    counts = records["records"] if "records" in records.columns else pd.Series(1, index=records.index)
    return {int(k): int(v) for k, v in counts.groupby(records["run_id"].to_numpy()).sum().items()}


def _json_safe(value):
    """NaN/inf to None, numpy scalars to Python: the snapshot is canonical JSON."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _period_state(period: ReportingPeriod | None) -> list:
    if period is None:
        return []
    return [
        getattr(period, name)
        for name in (
            "pk",
            "start",
            "end",
            "version",
            "variant",
            "standard",
            "status",
            "net_revenue_eur",
            "internal_carbon_price_eur_per_t",
            "restatement_of_id",
            "restatement_reason",
            "signed_off_by_id",
            "signed_off_at",
            "sign_off_comment",
            "snapshot_sha256",
        )
    ]


def _draft_key(period: ReportingPeriod) -> str:
    """What a draft's snapshot is computed from: the rollup generation (changed by every change to the records),
    the factor set in use, the period's and its comparative period's fields, the instruments, the registered
    assumptions and the code. Not the language: a snapshot is in English whatever the reader's (its sentences are
    translated where shown, `tr`), so one entry serves every language. Equal keys give equal snapshots (but for
    generated_at)."""
    organisation = period.organisation
    own_set = own_factor_set_id(organisation)
    parts = [
        rollups.generation(organisation.pk),
        own_set,
        _period_state(period),
        _period_state(latest_version(organisation, *comparative_dates(period.start))),
        _instruments(period),
        [str(line) for line in registered_assumptions(organisation)],
        code_version(),
    ]
    digest = hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()
    return f"draft-snapshot:{period.pk}:{digest}"


def snapshot_of(period: ReportingPeriod) -> tuple[dict, str]:
    """The frozen snapshot of a signed-off version, or a live one of a draft (from the rollups, cached until
    anything it is computed from changes); with its SHA-256."""
    if period.is_signed_off:
        return period.snapshot, period.snapshot_sha256
    return draft_of(period)[:2]


def draft_of(period: ReportingPeriod, *, warming: bool = False) -> tuple[dict, str, pd.DataFrame | None]:
    """A draft's snapshot, its SHA-256 and its records by run, scope and data quality (the PDF's annex), computed
    once from the rollups and cached together until anything they are computed from changes. `warming` (the
    warm-up task): says so in the cache while it computes, and a view asking meanwhile waits for its result
    rather than computing the same (views only read that mark: a page never waits for a cache write)."""
    key = _draft_key(period)
    found = cache.get(key)
    if _complete(found):
        return found
    if warming:
        cache.add(key + WARMING, True, timeout=WARMING_SECONDS)
        try:
            found = _build_draft(period, key)
            flush_writes()  # on a SQLite file the set is written by a thread: stored before the mark goes
        finally:
            cache.delete(key + WARMING)
        return found
    found = _warmed(key)
    return found if found is not None else _build_draft(period, key)


# The mark a warm-up leaves while it computes a draft; a view waits for its result at most WARM_WAIT_SECONDS
# (a warm-up killed midway leaves the mark until it expires: the view then computes after that wait).
WARMING = ":warming"
WARMING_SECONDS = 600
WARM_WAIT_SECONDS = 60.0
WARM_POLL_SECONDS = 0.25


def _complete(found) -> bool:
    return found is not None and len(found) == 3


def _build_draft(period: ReportingPeriod, key: str) -> tuple[dict, str, pd.DataFrame | None]:
    snapshot, rows, _version = build_snapshot(period, from_rollups=True)
    found = (snapshot, e1.snapshot_sha256(snapshot), e1.records_by_run(rows))
    cache.set(key, found, timeout=24 * 3600)
    return found


def _warmed(key: str):
    """The draft a running warm-up stores under `key`, once stored; None when no warm-up computes it (or it
    takes longer than WARM_WAIT_SECONDS)."""
    deadline = time.monotonic() + WARM_WAIT_SECONDS
    while cache.get(key + WARMING) is not None and time.monotonic() < deadline:
        time.sleep(WARM_POLL_SECONDS)
        found = cache.get(key)
        if _complete(found):
            return found
    found = cache.get(key)
    return found if _complete(found) else None


FROZEN_TEXT_COLUMNS = {
    "team": str,
    "person_ref": str,
    "api_key": str,
    "project": str,
    "zone": str,
    "currency": str,
    "warning": str,
}


def frozen_record_chunks(period: ReportingPeriod, chunk_rows: int = 50_000):
    """The records as disclosed at sign-off, read back from the gzipped CSV `chunk_rows` at a time (a generator:
    only the compressed copy and one chunk are in memory)."""
    with gzip.GzipFile(fileobj=io.BytesIO(bytes(period.frozen_records))) as stream:
        yield from pd.read_csv(
            stream, keep_default_na=False, na_values=[""], dtype=FROZEN_TEXT_COLUMNS, chunksize=chunk_rows
        )


def export_inputs(period: ReportingPeriod):
    """What an export renders from, the snapshot built once: (snapshot, its SHA-256, records).

    A signed-off version gives its frozen snapshot and a generator of its frozen records' chunks; a draft computes
    its snapshot once and gives the records frame that snapshot was computed from."""
    if period.is_signed_off:
        if period.frozen_records:
            return period.snapshot, period.snapshot_sha256, frozen_record_chunks(period)
        return period.snapshot, period.snapshot_sha256, build_snapshot(period)[1]
    snapshot, records, _version = build_snapshot(period)
    return snapshot, e1.snapshot_sha256(snapshot), records


def records_of(period: ReportingPeriod) -> pd.DataFrame:
    """All the records of a period version as one frame (frozen ones for a signed-off version)."""
    if period.is_signed_off and period.frozen_records:
        chunks = list(frozen_record_chunks(period))
        return pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
    return build_snapshot(period)[1]
