"""Ingestion: store an uploaded file once, parse it with its source's parser, compute its footprint and
store usage records, all or nothing.

The work of a run is split in two phases. Parsing reads the file chunk by chunk and records progress as
it goes (committed at once, so pages can show it). Writing stores every record and marks the run
succeeded in one transaction: a worker killed at any point leaves either nothing or everything, and a
retried task starts the run again from the file. Records are upserted on their natural key, so loading
overlapping data replaces rows instead of adding them twice.
"""

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts import audit
from apps.accounts.models import Person, Team
from apps.disclosures.locks import PeriodLocked, assert_days_open, locked_ranges
from apps.footprint import usage_frame
from apps.footprint.models import UsageRecord
from apps.footprint.services import current_factor_set_version, estimate_for

from .models import IdentityKind, IdentityMapping, IngestionRun, RunStatus, SourceFile
from .sources import SOURCES, SourceError, combine, iter_source_chunks

log = logging.getLogger(__name__)

COPY_BLOCK_BYTES = 1 << 20
UPSERT_BATCH = 5000
COMBINE_ROWS = 250_000  # parsed rows held before the chunks so far are summed into one frame
AMOUNT_FIELDS = ("requests", "input_tokens", "cached_input_tokens", "output_tokens", "active_user_days",
                 "measured_energy_kwh", "cost")
RESULT_FIELDS = ("energy_kwh", "energy_kwh_low", "energy_kwh_high", "co2e_location_kg", "co2e_location_kg_low",
                 "co2e_location_kg_high", "co2e_market_kg", "co2e_market_kg_low", "co2e_market_kg_high",
                 "co2e_embodied_kg", "grid_gco2e_per_kwh")
TEXT_RESULT_FIELDS = ("grid_zone", "scope", "data_quality", "method_version", "warning")


class IngestionRefused(ValueError):
    """The upload itself is refused (unknown source, too large, empty) before any run starts."""


def _max_bytes() -> int:
    return settings.MAX_UPLOAD_MB * 1024 * 1024


def store_upload(organisation, stream, filename: str, user=None) -> SourceFile:
    """Copy the stream into storage while hashing it; one stored file per (organisation, SHA-256).

    Refuses a file over MAX_UPLOAD_MB (nothing is kept) and an empty one."""
    filename = os.path.basename(filename) or "upload"
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    digest, size, limit = hashlib.sha256(), 0, _max_bytes()
    with tempfile.NamedTemporaryFile(dir=root, delete=False, prefix="incoming-") as tmp:
        try:
            while block := stream.read(COPY_BLOCK_BYTES):
                size += len(block)
                if size > limit:
                    raise IngestionRefused(
                        f"{filename}: the file is larger than the {settings.MAX_UPLOAD_MB} MB limit; "
                        "nothing was stored."
                    )
                digest.update(block)
                tmp.write(block)
        except BaseException:
            tmp.close()
            os.unlink(tmp.name)
            raise
    if size == 0:
        os.unlink(tmp.name)
        raise IngestionRefused(f"{filename}: the file is empty; nothing was stored.")
    sha = digest.hexdigest()
    existing = SourceFile.objects.for_org(organisation).filter(sha256=sha).first()
    if existing:
        os.unlink(tmp.name)
        return existing
    target = root / str(organisation.pk) / sha
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(tmp.name, target)
    return SourceFile.objects.create(organisation=organisation, sha256=sha, filename=filename, size_bytes=size,
                                     stored_path=str(target.relative_to(root)), uploaded_by=user)


def create_run(organisation, source_key: str, source_file: SourceFile, user=None) -> IngestionRun:
    """A queued run of this file through this source. A file this organisation already loaded with
    the same source gives a run that is finished at once, stores nothing and points to the earlier one."""
    if source_key not in SOURCES:
        raise IngestionRefused(f"Unknown source '{source_key}'. Known sources: {', '.join(sorted(SOURCES))}.")
    earlier = (IngestionRun.objects.for_org(organisation)
               .filter(source_file=source_file, source_key=source_key, status=RunStatus.SUCCEEDED,
                       duplicate_of__isnull=True)
               .first())
    run = IngestionRun(organisation=organisation, source_key=source_key, source_file=source_file,
                       uploaded_by=user, bytes_total=source_file.size_bytes)
    if earlier:
        now = timezone.now()
        run.status, run.duplicate_of = RunStatus.SUCCEEDED, earlier
        run.bytes_done, run.started_at, run.finished_at = source_file.size_bytes, now, now
        run.warnings = [f"{source_file.filename} was already loaded by run {earlier.pk}; nothing new was stored."]
    run.save()
    audit.record(organisation, user, "upload",
                 f"{source_file.filename} ({source_key}), SHA-256 {source_file.sha256[:12]}", run,
                 sha256=source_file.sha256, duplicate_of=run.duplicate_of_id)
    return run


def _claim(run_id: int) -> IngestionRun | None:
    """Mark the run as running (again, after a killed worker); None when it is already finished."""
    with transaction.atomic():
        run = IngestionRun.objects.select_for_update().get(pk=run_id)
        if run.is_finished:
            return None
        run.status, run.started_at, run.attempts = RunStatus.RUNNING, timezone.now(), run.attempts + 1
        run.bytes_done = run.rows_read = 0
        run.save(update_fields=["status", "started_at", "attempts", "bytes_done", "rows_read"])
    return run


def execute_run(run_id: int) -> IngestionRun:
    """Do the run's work (the body of the Celery task and of `manage.py ingest`). Safe to call again."""
    run = _claim(run_id)
    if run is None:
        return IngestionRun.objects.get(pk=run_id)
    path = Path(settings.MEDIA_ROOT) / run.source_file.stored_path
    try:
        frame = _parse(run, path)
        _store(run, frame)
    except (SourceError, usage_frame.UsageFrameError) as exc:
        _fail(run, [_error_dict(exc)])
    except (IngestionRefused, PeriodLocked) as exc:
        _fail(run, [{"row": None, "column": None, "message": f"{run.source_file.filename}: {exc}"
                     if isinstance(exc, PeriodLocked) else str(exc)}])
    except Exception:
        log.exception("ingestion run %s failed", run.pk)
        _fail(run, [{"row": None, "column": None,
                     "message": f"{run.source_file.filename}: internal error while loading; nothing was stored."}])
    run.refresh_from_db()
    return run


def _parse(run: IngestionRun, path: Path) -> pd.DataFrame:
    chunks, rows_read, rows_skipped = [], 0, 0
    pending_rows = merged_rows = 0
    with path.open("rb") as fh:
        for chunk in iter_source_chunks(run.source_key, fh, run.source_file.filename):
            chunks.append(chunk)
            pending_rows += len(chunk)
            # Sum the chunks so far whenever they outgrow the last sum: memory then follows the number of
            # distinct keys, not the length of the file, at an amortised linear cost.
            if len(chunks) > 1 and pending_rows - merged_rows > max(merged_rows, COMBINE_ROWS):
                chunks = [combine(chunks)]
                pending_rows = merged_rows = len(chunks[0])
            rows_read += int(chunk.attrs.get("rows_read", len(chunk)))
            rows_skipped += int(chunk.attrs.get("rows_skipped", 0))
            position = fh.tell() if not fh.closed else run.bytes_total
            IngestionRun.objects.filter(pk=run.pk).update(bytes_done=min(position, run.bytes_total),
                                                          rows_read=rows_read, rows_skipped=rows_skipped)
    frame = combine(chunks) if len(chunks) != 1 else chunks[0]
    frame.attrs.update(rows_read=rows_read, rows_skipped=rows_skipped)
    if frame.empty:
        raise IngestionRefused(f"{run.source_file.filename}: no usage rows found for source '{run.source_key}'; "
                               "nothing was stored.")
    return frame


def natural_keys(frame: pd.DataFrame) -> list[str]:
    """SHA-256 of each row's natural key (usage_frame.KEY_COLUMNS and currency)."""
    parts = [frame["day"].dt.strftime("%Y-%m-%d")]
    parts += [frame[c].astype(str) for c in usage_frame.KEY_COLUMNS if c != "day"]
    parts.append(frame["currency"].astype(str))
    joined = parts[0].str.cat(parts[1:], sep="\x1f")
    return [hashlib.sha256(value.encode("utf-8")).hexdigest() for value in joined]


def _resolve_identities(organisation, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Person and team ids for each row through the mapping tables; unmatched identities stay None."""
    people = {email.lower(): (pk, team_id) for pk, email, team_id in
              Person.objects.for_org(organisation).values_list("pk", "email", "team_id")}
    teams = {name.lower(): pk for pk, name in Team.objects.for_org(organisation).values_list("pk", "name")}
    mappings = {(kind, value.lower()): (person_id, team_id) for kind, value, person_id, team_id in
                IdentityMapping.objects.for_org(organisation).values_list("kind", "value", "person_id", "team_id")}

    def person_of(ref: str):
        ref = ref.lower()
        if (IdentityKind.PERSON, ref) in mappings:
            return mappings[(IdentityKind.PERSON, ref)][0]
        return people.get(ref, (None, None))[0]

    person_team = {pk: team_id for pk, team_id in people.values()}
    unique_people = {ref: person_of(ref) for ref in frame["person"].unique() if ref}
    # A list, not Series.map: a mix of ids and None would become floats with NaN.
    person_ids = np.array([unique_people.get(ref) for ref in frame["person"]], dtype=object)

    def team_of(team_ref: str, project: str, api_key: str, person_id):
        for kind, value in ((IdentityKind.TEAM, team_ref), (IdentityKind.PROJECT, project),
                            (IdentityKind.API_KEY, api_key)):
            hit = mappings.get((kind, value.lower())) if value else None
            if hit and hit[1]:
                return hit[1]
        if team_ref and team_ref.lower() in teams:
            return teams[team_ref.lower()]
        return person_team.get(person_id)

    combos = pd.DataFrame({"team": frame["team"], "project": frame["project"], "api_key": frame["api_key"],
                           "person_id": pd.Series(person_ids, dtype=object)})
    rows = list(combos.itertuples(index=False, name=None))
    resolved = {combo: team_of(*combo) for combo in set(rows)}
    team_ids = np.array([resolved[combo] for combo in rows], dtype=object)
    return person_ids, team_ids


def _store(run: IngestionRun, frame: pd.DataFrame) -> None:
    organisation = run.organisation
    version = current_factor_set_version(organisation)
    estimated = estimate_for(organisation, frame, version)
    keys = natural_keys(estimated)
    person_ids, team_ids = _resolve_identities(organisation, estimated)
    days = estimated["day"].dt.date.to_numpy()
    columns = _record_columns(organisation, run, version, estimated, keys, person_ids, team_ids, days)
    fields = list(UsageRecord._meta.concrete_fields)  # all of them, in order: positional Model(*row)
    warnings = sorted({w for w in estimated["warning"].unique() if w})
    with transaction.atomic():
        locked = IngestionRun.objects.select_for_update().get(pk=run.pk)
        if locked.is_finished:  # another delivery of the same task finished first
            return
        assert_days_open(organisation, set(days))
        _upsert_records(fields, columns, len(estimated))
        locked.status, locked.finished_at = RunStatus.SUCCEEDED, timezone.now()
        locked.bytes_done = locked.bytes_total
        locked.rows_read = frame.attrs.get("rows_read", len(frame))
        locked.rows_skipped = frame.attrs.get("rows_skipped", 0)
        locked.records_stored = len(estimated)
        locked.requests = int(estimated["requests"].sum())
        locked.input_tokens = int(estimated["input_tokens"].sum())
        locked.cached_input_tokens = int(estimated["cached_input_tokens"].sum())
        locked.output_tokens = int(estimated["output_tokens"].sum())
        locked.energy_kwh = float(estimated["energy_kwh"].sum())
        locked.co2e_kg = float(estimated["co2e_location_kg"].sum())
        locked.factor_set = version
        locked.warnings = warnings[:50]
        locked.errors = []
        locked.save()


def _record_columns(organisation, run, version, estimated: pd.DataFrame, keys: list[str],
                    person_ids: np.ndarray, team_ids: np.ndarray, days: np.ndarray) -> dict[str, object]:
    """UsageRecord column (attname) -> a per-row array, or one value for every row."""
    columns: dict[str, object] = {
        "id": None, "organisation_id": organisation.pk, "run_id": run.pk, "factor_set_id": version.pk,
        "key_sha256": np.asarray(keys, dtype=object), "day": days,
        "person_ref": estimated["person"].to_numpy(), "team_ref": estimated["team"].to_numpy(),
        "person_id": person_ids, "team_id": team_ids,
        "self_hosted": estimated["self_hosted"].to_numpy(dtype=bool),
    }
    for name in ("source", "provider", "model", "usage_kind", "project", "api_key", "zone", "currency",
                 *AMOUNT_FIELDS, *RESULT_FIELDS, *TEXT_RESULT_FIELDS):
        columns[name] = estimated[name].to_numpy()
    return columns


def _upsert_records(fields: list, columns: dict[str, object], n: int) -> None:
    """Upsert the records on (organisation, key_sha256), UPSERT_BATCH at a time. Model instances are
    built per batch from plain column slices (positional, the cheap way into Model.__init__), so
    memory stays flat whatever the number of records."""
    update_fields = [f.name for f in fields if f.name not in ("id", "organisation", "key_sha256")]
    for start in range(0, n, UPSERT_BATCH):
        stop = min(start + UPSERT_BATCH, n)
        parts = [_plain_values(f, columns.get(f.attname), start, stop) for f in fields]
        UsageRecord.objects.bulk_create([UsageRecord(*row) for row in zip(*parts, strict=True)],
                                        update_conflicts=True, unique_fields=["organisation", "key_sha256"],
                                        update_fields=update_fields)


def _plain_values(field, values, start: int, stop: int) -> list:
    """Rows start..stop of one column as plain Python values (numpy scalars to Python, NaN to None)."""
    if not isinstance(values, np.ndarray):
        return [values] * (stop - start)
    part = values[start:stop]
    if part.dtype.kind == "f":
        out = part.astype(object)
        out[np.isnan(part)] = None
        return out.tolist()
    if part.dtype.kind in "iub":
        return part.tolist()
    if field.is_relation:  # person/team ids: int or None (pandas may hand NaN for "no match")
        return [None if v is None or v != v else int(v) for v in part]
    return [_plain(v) for v in part]


def _plain(value):
    """numpy scalars to Python ones for the database driver; NaN (unknown) to NULL."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and value != value else value


def _error_dict(exc) -> dict:
    row = getattr(exc, "row", None)
    return {"row": row, "column": getattr(exc, "column", None), "message": str(exc)}


def _fail(run: IngestionRun, errors: list[dict]) -> None:
    IngestionRun.objects.filter(pk=run.pk).exclude(status=RunStatus.SUCCEEDED).update(
        status=RunStatus.FAILED, errors=errors, finished_at=timezone.now())


def unmapped_identities(organisation) -> dict[str, list[str]]:
    """Identities seen in records that map to no person (users) or no team (team/project/key), per kind."""
    records = UsageRecord.objects.for_org(organisation)
    users = (records.filter(person__isnull=True).exclude(person_ref="")
             .values_list("person_ref", flat=True).distinct().order_by("person_ref"))
    no_team = records.filter(team__isnull=True)
    return {
        IdentityKind.PERSON: list(users),
        IdentityKind.TEAM: list(no_team.exclude(team_ref="").values_list("team_ref", flat=True)
                                .distinct().order_by("team_ref")),
        IdentityKind.PROJECT: list(no_team.exclude(project="").values_list("project", flat=True)
                                   .distinct().order_by("project")),
        IdentityKind.API_KEY: list(no_team.exclude(~Q(team_ref="")).exclude(api_key="")
                                   .values_list("api_key", flat=True).distinct().order_by("api_key")),
    }


def apply_mappings(organisation) -> int:
    """Re-attribute the organisation's stored records after a mapping edit; returns records changed."""
    open_records = UsageRecord.objects.for_org(organisation)
    for start, end in locked_ranges(organisation):  # signed-off periods keep their attribution
        open_records = open_records.exclude(day__range=(start, end))
    combos = pd.DataFrame(
        list(open_records
             .values_list("person_ref", "team_ref", "project", "api_key", "person_id", "team_id").distinct()),
        columns=["person", "team", "project", "api_key", "old_person_id", "old_team_id"],
    )
    if combos.empty:
        return 0
    person_ids, team_ids = _resolve_identities(organisation, combos)
    changed = 0
    with transaction.atomic():
        for row, person_id, team_id in zip(combos.itertuples(index=False), person_ids, team_ids, strict=True):
            old = (_nan_to_none(row.old_person_id), _nan_to_none(row.old_team_id))
            if old == (_nan_to_none(person_id), _nan_to_none(team_id)):
                continue
            changed += open_records.filter(
                person_ref=row.person, team_ref=row.team, project=row.project, api_key=row.api_key,
            ).update(person_id=person_id, team_id=team_id)
    return changed


def _nan_to_none(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return int(value)


def save_mapping(organisation, user, kind: str, value: str, person=None, team=None) -> int:
    """Create or change a mapping, re-attribute open records, log it; returns records changed."""
    mapping, _ = IdentityMapping.objects.update_or_create(
        organisation=organisation, kind=kind, value=value.strip(), defaults={"person": person, "team": team})
    changed = apply_mappings(organisation)
    audit.record(organisation, user, "mapping.save", f"{kind} '{mapping.value}' -> {person or team}", mapping,
                 records_changed=changed)
    return changed


def delete_mapping(organisation, user, mapping: IdentityMapping) -> int:
    summary = f"{mapping.kind} '{mapping.value}' mapping removed"
    mapping.delete()
    changed = apply_mappings(organisation)
    audit.record(organisation, user, "mapping.delete", summary, None, records_changed=changed)
    return changed
