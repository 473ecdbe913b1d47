"""Factor-set versions in the database, and running the calculator on a usage frame for an organisation."""

import threading

import pandas as pd
from django.db import connection, transaction

from apps.accounts import audit
from apps.accounts.services import AccountsError
from apps.core.errors import DomainError

from . import usage_frame
from .calculator import diff_effect, estimate
from .catalogue import default_factor_set
from .factor_set import FactorSet
from .factor_table import FactorLookupError, FactorTable
from .locks import hold_open_days, locked_ranges
from .models import ContractualInstrument, FactorSetVersion, UsageRecord

_cache: dict[str, FactorSet] = {}
_cache_lock = threading.Lock()


FACTOR_SET_LOCK_NAMESPACE = 4_140_003  # pg_advisory_xact_lock's first key (footprint.locks uses 4_140_001 and 002)


def register_factor_set(factor_set: FactorSet, organisation=None, user=None, note: str = "") -> FactorSetVersion:
    """Store a factor set as a version row (once per content hash and organisation)."""
    # The content is read only when the cached FactorSet is missing (load_factor_set): 84 KB a request otherwise.
    rows = FactorSetVersion.objects.defer("content").filter(
        organisation=organisation, content_sha256=factor_set.content_hash
    )
    version = rows.order_by("pk").first()  # the oldest, should two exist from before issue 19
    if version is None:
        with transaction.atomic():
            # The unique constraint does not hold for the built-in set (organisation NULL: NULLs are distinct), so
            # the first runs of an installation, at once, each stored it and then failed on get() (issue 19). Who
            # stores it is serialised (SQLite's transactions already are: they begin IMMEDIATE).
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    key = int(factor_set.content_hash[:15], 16)
                    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [FACTOR_SET_LOCK_NAMESPACE, key % 2**31])
            version = rows.order_by("pk").first() or FactorSetVersion.objects.create(
                organisation=organisation,
                content_sha256=factor_set.content_hash,
                name=factor_set.name,
                version=factor_set.version,
                content=factor_set.to_dict(),
                method_version=factor_set.method_version,
                note=note,
                created_by=user,
            )
    with _cache_lock:
        _cache[version.content_sha256] = factor_set
    return version


def default_factor_set_version() -> FactorSetVersion:
    """The built-in set, built from the installed ecologits/codecarbon data, stored on first use."""
    return register_factor_set(default_factor_set(), note="Built-in default")


def own_factor_set_id(organisation) -> int | None:
    """The id of the organisation's newest own factor-set version (None: it computes with the default): what
    a cached figure's key names, read without the version's content."""
    own = FactorSetVersion.objects.filter(organisation=organisation).order_by("-created_at", "-pk")
    return own.values_list("pk", flat=True).first()


def current_factor_set_version(organisation) -> FactorSetVersion:
    """The set new figures of this organisation are computed with: its newest own version, else the default."""
    own = (
        FactorSetVersion.objects.filter(organisation=organisation)
        .defer("content")
        .order_by("-created_at", "-pk")
        .first()
    )
    return own or default_factor_set_version()


def load_factor_set(version: FactorSetVersion) -> FactorSet:
    """The calculator's FactorSet for a stored version (cached by content hash)."""
    with _cache_lock:
        cached = _cache.get(version.content_sha256)
    if cached is None:
        cached = FactorSet.from_dict(version.content)
        with _cache_lock:
            _cache[version.content_sha256] = cached
    return cached


def instruments_for(organisation) -> list[dict]:
    return [i.as_calculator_dict() for i in ContractualInstrument.objects.for_org(organisation)]


def estimate_for(organisation, frame: pd.DataFrame, version: FactorSetVersion | None = None) -> pd.DataFrame:
    """Run the calculator on a usage frame with the organisation's factor set (no instruments: market-based
    allocation of contractual instruments is done over a whole reporting period, not per file)."""
    version = version or current_factor_set_version(organisation)
    return estimate(frame, load_factor_set(version))


# ---- writes an officer makes: instruments and the residual-mix table ---------------------------------


class FactorInputError(DomainError, ValueError):
    """An instrument or a factor table the services refuse, with a message for the user."""


def _assert_open(organisation, start, end, what):
    hold_open_days(organisation)  # in the writing transaction: no sign-off freezes between check and write
    for lock_start, lock_end in locked_ranges(organisation):
        if start <= lock_end and end >= lock_start:
            raise FactorInputError(
                f"The reporting period {lock_start:%Y-%m-%d} – {lock_end:%Y-%m-%d} is signed off: {what} covering "
                "it cannot be added, changed or deleted. Reopen the period (a restatement) first."
            )


@transaction.atomic
def add_instrument(organisation, user, **fields) -> ContractualInstrument:
    """Record a contractual instrument (GO, PPA, ...) after checking its zone and that its period is open."""
    if fields["period_end"] < fields["period_start"]:
        raise FactorInputError("The instrument's period must end on or after its start.")
    factor_set = load_factor_set(current_factor_set_version(organisation))
    if factor_set.resolve_zone(fields["zone"]) is None:
        raise FactorInputError(str(FactorLookupError("zone", fields["zone"], factor_set.known_zones())))
    _assert_open(organisation, fields["period_start"], fields["period_end"], "contractual instruments")
    instrument = ContractualInstrument.objects.create(organisation=organisation, created_by=user, **fields)
    audit.record(organisation, user, "instrument.add", str(instrument), instrument)
    return instrument


@transaction.atomic
def delete_instrument(organisation, user, instrument: ContractualInstrument) -> None:
    _assert_open(organisation, instrument.period_start, instrument.period_end, "contractual instruments")
    summary = str(instrument)
    instrument.delete()
    audit.record(organisation, user, "instrument.delete", summary)


def save_residual_mix(
    organisation, user, rows: list[tuple], source: str, vintage: str, licence: str, note: str = ""
) -> FactorSetVersion:
    """A new factor-set version of the organisation with its own residual-mix table (zone, year, g/kWh or None
    for an edition printing NA, status, the row's source)."""
    base_version = current_factor_set_version(organisation)
    base = load_factor_set(base_version)
    table = FactorTable(
        source=source,
        vintage=vintage,
        licence=licence,
        columns=RESIDUAL_COLUMNS,
        rows=tuple(rows),
    )
    number = FactorSetVersion.objects.filter(organisation=organisation).count() + 1
    new = base.with_table("residual_mix", table, version=f"{base.version}+{organisation.slug}.{number}")
    version = register_factor_set(new, organisation=organisation, user=user, note=note)
    audit.record(
        organisation,
        user,
        "factor_set.new",
        f"{version.label}: residual mix edited ({len(rows)} rows)",
        version,
        based_on=base_version.content_sha256,
        sha256=version.content_sha256,
    )
    return version


RESIDUAL_COLUMNS = ("zone", "year", "gco2e_per_kwh", "status", "source")
RESIDUAL_NA = "not_published"  # the edition prints NA (full disclosure): no figure, the grid average applies


def residual_line(row: tuple) -> str:
    """One residual-mix row as the form's line (the inverse of `parse_residual_rows`): None is written NA."""
    return ",".join("NA" if v is None else str(v) for v in row)


def parse_residual_rows(text: str) -> list[tuple]:
    """Lines 'ZONE,YEAR,gCO2e/kWh or NA[,status[,source]]' to rows; raises FactorInputError naming the line.
    The source is the rest of the line (it may hold commas); NA is an edition that publishes no residual mix."""
    rows = []
    for number, line in enumerate(text.strip().splitlines(), start=1):
        if not line.strip() or line.lower().startswith("zone"):
            continue
        parts = [p.strip() for p in line.split(",", 4)]
        if len(parts) < 3:
            raise FactorInputError(f"line {number}: expected zone,year,gCO2e/kWh[,status[,source]], got {line!r}")
        na = parts[2].upper() == "NA"
        try:
            year, grams = int(parts[1]), None if na else float(parts[2])
        except ValueError:
            raise FactorInputError(f"line {number}: year must be a whole number and gCO2e/kWh a number or NA") from None
        if grams is not None and not grams >= 0:
            raise FactorInputError(f"line {number}: gCO2e/kWh must be >= 0")
        status = parts[3] if len(parts) > 3 and parts[3] else (RESIDUAL_NA if na else "entered")
        rows.append((parts[0].upper(), year, grams, status, parts[4] if len(parts) > 4 else ""))
    if not rows:
        raise FactorInputError("No rows: enter one line per zone and year.")
    return rows


PUE_STATUSES = ("entered", "measured", "assumed")


def parse_facility_pue_rows(text: str, factor_set: FactorSet) -> list[tuple]:
    """Lines 'ZONE,PUE[,status]' (zone '*' for every other site) to rows; raises FactorInputError naming the line.
    A PUE is total facility energy over IT energy, so it is at least 1."""
    rows = []
    for number, line in enumerate(text.strip().splitlines(), start=1):
        if not line.strip() or line.lower().startswith("zone"):
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) not in (2, 3):
            raise FactorInputError(f"line {number}: expected zone,PUE[,status], got {line!r}")
        zone = parts[0] if parts[0] == "*" else factor_set.resolve_zone(parts[0])
        if zone is None:
            raise FactorInputError(f"line {number}: {FactorLookupError('zone', parts[0], factor_set.known_zones())}")
        try:
            pue = float(parts[1])
        except ValueError:
            raise FactorInputError(f"line {number}: PUE must be a number, got {parts[1]!r}") from None
        if not pue >= 1:
            raise FactorInputError(f"line {number}: a PUE is total facility energy / IT energy, so at least 1")
        status = parts[2].lower() if len(parts) == 3 else "entered"
        if status not in PUE_STATUSES:
            raise FactorInputError(f"line {number}: status must be one of {', '.join(PUE_STATUSES)}")
        rows.append((zone, pue, status))
    if not rows:
        raise FactorInputError("No rows: enter one line per site zone (or '*').")
    return rows


def save_facility_pue(organisation, user, text: str, source: str, note: str = "") -> FactorSetVersion:
    """A new factor-set version of the organisation with the facility PUE of its sites (zone, PUE, status)."""
    base_version = current_factor_set_version(organisation)
    base = load_factor_set(base_version)
    rows = parse_facility_pue_rows(text, base)
    if not any(zone == "*" for zone, _, _ in rows) and "facility_pue" in base.tables:
        # Sites not listed keep the set's default, with its source, rather than silently dropping to no PUE.
        rows += [r for r in base.tables["facility_pue"].rows if r[0] == "*"]
    default = base.tables.get("facility_pue")
    table = FactorTable(
        source=f"{source} (entered by the organisation){'; default row: ' + default.source if default else ''}",
        vintage=str(organisation.slug),
        licence="organisation data",
        columns=("zone", "pue", "status"),
        rows=tuple(rows),
    )
    number = FactorSetVersion.objects.filter(organisation=organisation).count() + 1
    new = base.with_table("facility_pue", table, version=f"{base.version}+{organisation.slug}.{number}")
    version = register_factor_set(new, organisation=organisation, user=user, note=note)
    audit.record(
        organisation,
        user,
        "factor_set.new",
        f"{version.label}: facility PUE edited ({len(rows)} rows)",
        version,
        based_on=base_version.content_sha256,
        sha256=version.content_sha256,
    )
    return version


def factor_set_effect(organisation, old: FactorSetVersion, new: FactorSetVersion) -> pd.DataFrame:
    """What moving the organisation's records from one factor-set version to another changes, per provider."""
    columns = [
        "day",
        "source",
        "provider",
        "model",
        "usage_kind",
        "requests",
        "input_tokens",
        "cached_input_tokens",
        "output_tokens",
        "active_user_days",
        "measured_energy_kwh",
        "self_hosted",
        "zone",
        "cost",
        "currency",
    ]
    rows = list(UsageRecord.objects.for_org(organisation).values_list(*columns))
    frame = usage_frame.conform(pd.DataFrame(rows, columns=columns)) if rows else usage_frame.empty_frame()
    return diff_effect(frame, load_factor_set(old), load_factor_set(new), instruments_for(organisation))


def refuse_removing_locked_attribution(organisation, **record_filter) -> None:
    """A person or team with usage in a signed-off period cannot be removed (accounts' deletion guard)."""
    for start, end in locked_ranges(organisation):
        if UsageRecord.objects.for_org(organisation).filter(day__range=(start, end), **record_filter).exists():
            raise AccountsError(
                f"Usage in the signed-off period {start:%Y-%m-%d} – {end:%Y-%m-%d} is attributed here; it cannot "
                "be removed until the period is reopened."
            )
