"""Ingestion: store an uploaded file once, parse it with its source's parser, compute its footprint and
store usage records, all or nothing.

The work of a run is split in two phases. Parsing reads the file chunk by chunk, records progress as it
goes (committed at once, so pages can show it) and spills each chunk's sums to the attempt's own spill
files, split into buckets by natural key: memory follows the chunk size, not the number of distinct keys.
Writing sums one bucket at a time (every key of the bucket is then complete, so its footprint is the one
of the whole file), stores its records, and marks the run succeeded, all in one transaction: a worker
killed at any point leaves either nothing or everything, and a retried task starts the run again from the
file (the spill files of earlier attempts are removed). Records are upserted on their natural key, so
loading overlapping data replaces rows instead of adding them twice.
"""

import contextlib
import hashlib
import io
import logging
import os
import queue
import shutil
import tempfile
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts import audit
from apps.accounts.models import Person, Team
from apps.footprint import usage_frame
from apps.footprint.calculator import estimate
from apps.footprint.locks import PeriodLocked, assert_days_open, locked_ranges
from apps.footprint.models import UsageRecord
from apps.footprint.services import current_factor_set_version, load_factor_set

from .models import IdentityKind, IdentityMapping, IngestionRun, RunPhase, RunStatus, SourceFile
from .sources import SOURCES, SourceError, iter_source_chunks
from .sources.frames import GROUP_COLUMNS, aggregate

log = logging.getLogger(__name__)

COPY_BLOCK_BYTES = 1 << 20
UPSERT_BATCH = 5000
SQLITE_WRITE_CACHE_KIB = 64 * 1024
WRITE_LOCK_NAMESPACE = 4_140_001  # pg_advisory_xact_lock's first key: ingestion writes
SPILL_BUCKET_BYTES = 32 << 20  # file bytes per spill bucket: a bucket's keys are summed and written at once
AMOUNT_FIELDS = (
    "requests",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "active_user_days",
    "measured_energy_kwh",
    "cost",
)
RESULT_FIELDS = (
    "energy_kwh",
    "energy_kwh_low",
    "energy_kwh_high",
    "co2e_location_kg",
    "co2e_location_kg_low",
    "co2e_location_kg_high",
    "co2e_market_kg",
    "co2e_market_kg_low",
    "co2e_market_kg_high",
    "co2e_embodied_kg",
    "grid_gco2e_per_kwh",
)
TEXT_RESULT_FIELDS = ("grid_zone", "scope", "data_quality", "method_version", "warning")
# Arrow quotes every text value and leaves nulls bare: PostgreSQL's CSV reads "" as '' and nothing as NULL.
_COPY_CSV = pacsv.WriteOptions(include_header=False, quoting_style="needed")


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
    return SourceFile.objects.create(
        organisation=organisation,
        sha256=sha,
        filename=filename,
        size_bytes=size,
        stored_path=str(target.relative_to(root)),
        uploaded_by=user,
    )


def create_run(organisation, source_key: str, source_file: SourceFile, user=None) -> IngestionRun:
    """A queued run of this file through this source. A file this organisation already loaded with
    the same source gives a run that is finished at once, stores nothing and points to the earlier one."""
    if source_key not in SOURCES:
        raise IngestionRefused(f"Unknown source '{source_key}'. Known sources: {', '.join(sorted(SOURCES))}.")
    earlier = (
        IngestionRun.objects.for_org(organisation)
        .filter(source_file=source_file, source_key=source_key, status=RunStatus.SUCCEEDED, duplicate_of__isnull=True)
        .first()
    )
    run = IngestionRun(
        organisation=organisation,
        source_key=source_key,
        source_file=source_file,
        uploaded_by=user,
        bytes_total=source_file.size_bytes,
    )
    if earlier:
        now = timezone.now()
        run.status, run.duplicate_of = RunStatus.SUCCEEDED, earlier
        run.bytes_done, run.started_at, run.finished_at = source_file.size_bytes, now, now
        run.warnings = [f"{source_file.filename} was already loaded by run {earlier.pk}; nothing new was stored."]
    run.save()
    audit.record(
        organisation,
        user,
        "upload",
        f"{source_file.filename} ({source_key}), SHA-256 {source_file.sha256[:12]}",
        run,
        sha256=source_file.sha256,
        duplicate_of=run.duplicate_of_id,
    )
    return run


def _claim(run_id: int) -> IngestionRun | None:
    """Mark the run as running (again, after a killed worker); None when it is already finished."""
    with transaction.atomic():
        run = IngestionRun.objects.select_for_update().get(pk=run_id)
        if run.is_finished:
            return None
        run.status, run.started_at, run.attempts = RunStatus.RUNNING, timezone.now(), run.attempts + 1
        run.phase, run.bytes_done, run.rows_read = RunPhase.READING, 0, 0
        run.save(update_fields=["status", "phase", "started_at", "attempts", "bytes_done", "rows_read"])
    # What an earlier (killed) attempt spilled is dropped: this attempt sums the whole file again. An earlier
    # attempt still alive can no longer write (_store checks the attempt under the run's lock) nor fail the run.
    for leftover in _spill_root().glob(f"run{run.pk}-attempt*"):
        if leftover.name != _spill_dir(run).name:
            shutil.rmtree(leftover, ignore_errors=True)
    return run


def _spill_root() -> Path:
    return Path(settings.MEDIA_ROOT).parent / "ingest-spill"


def _spill_dir(run: IngestionRun) -> Path:
    return _spill_root() / f"run{run.pk}-attempt{run.attempts}"


def execute_run(run_id: int) -> IngestionRun:
    """Do the run's work (the body of the Celery task and of `manage.py ingest`). Safe to call again."""
    run = _claim(run_id)
    if run is None:
        return IngestionRun.objects.get(pk=run_id)
    path = Path(settings.MEDIA_ROOT) / run.source_file.stored_path
    try:
        _store(run, _parse(run, path))
    except (SourceError, usage_frame.UsageFrameError) as exc:
        _fail(run, [_error_dict(exc, run.source_file.filename)])
    except (IngestionRefused, PeriodLocked) as exc:
        _fail(
            run,
            [
                {
                    "row": None,
                    "column": None,
                    "message": f"{run.source_file.filename}: {exc}" if isinstance(exc, PeriodLocked) else str(exc),
                }
            ],
        )
    except Exception:
        log.exception("ingestion run %s failed", run.pk)
        _fail(
            run,
            [
                {
                    "row": None,
                    "column": None,
                    "message": f"{run.source_file.filename}: internal error while loading; nothing was stored.",
                }
            ],
        )
    finally:
        shutil.rmtree(_spill_dir(run), ignore_errors=True)
    run.refresh_from_db()
    return run


def _parse(run: IngestionRun, path: Path) -> dict:
    """Read the file chunk by chunk into the attempt's spill files; returns the counts and days for _store."""
    rows_read = rows_skipped = 0
    spill = _Spill(_spill_dir(run), max(1, -(-run.bytes_total // SPILL_BUCKET_BYTES)))
    days: set = set()
    try:
        # The next chunk is parsed in a thread while this one is spilled and its progress saved; closing()
        # stops that thread before the file closes, also on an error.
        with (
            path.open("rb") as fh,
            contextlib.closing(
                _prefetched(iter_source_chunks(run.source_key, fh, run.source_file.filename), depth=1)
            ) as chunks,
        ):
            for chunk in chunks:
                if not chunk.empty:
                    days.update(pd.DatetimeIndex(chunk["day"].unique()).date)
                    spill.add(chunk)
                rows_read += int(chunk.attrs.get("rows_read", len(chunk)))
                rows_skipped += int(chunk.attrs.get("rows_skipped", 0))
                position = fh.tell() if not fh.closed else run.bytes_total
                IngestionRun.objects.filter(pk=run.pk).update(
                    bytes_done=min(position, run.bytes_total), rows_read=rows_read, rows_skipped=rows_skipped
                )
    finally:
        spill.close()
    if not spill.rows:
        raise IngestionRefused(
            f"{run.source_file.filename}: no usage rows found for source '{run.source_key}'; nothing was stored."
        )
    return {"spill": spill, "days": days, "rows_read": rows_read, "rows_skipped": rows_skipped}


class _Spill:
    """Conformed chunks written to `buckets` Arrow IPC files, each row to the bucket of its natural key (a
    hash of the key's columns): all rows of one key land in one bucket, so a bucket summed alone gives that
    key's total for the whole file, and only one bucket is ever held in memory."""

    def __init__(self, directory: Path, buckets: int):
        self.directory, self.buckets, self.rows = directory, buckets, 0
        self.schema: pa.Schema | None = None
        self.writers: dict[int, pa.ipc.RecordBatchStreamWriter] = {}

    def path(self, bucket: int) -> Path:
        return self.directory / f"{bucket}.arrow"

    def add(self, chunk: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(chunk, schema=self.schema, preserve_index=False)
        if self.schema is None:
            self.schema = table.schema
            self.directory.mkdir(parents=True, exist_ok=True)
        self.rows += len(chunk)
        if self.buckets == 1:
            self._write(0, table)
            return
        bucket = (
            pd.util.hash_pandas_object(chunk[GROUP_COLUMNS], index=False).to_numpy() % np.uint64(self.buckets)
        ).astype(np.int64)
        order = np.argsort(bucket, kind="stable")
        bounds = np.searchsorted(bucket[order], np.arange(self.buckets + 1))
        for b in range(self.buckets):
            if bounds[b] < bounds[b + 1]:
                self._write(b, table.take(pa.array(order[bounds[b] : bounds[b + 1]])))

    def _write(self, bucket: int, table: pa.Table) -> None:
        if bucket not in self.writers:
            self.writers[bucket] = pa.ipc.new_stream(str(self.path(bucket)), self.schema)
        self.writers[bucket].write_table(table)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()

    def frames(self):
        """Each bucket's rows summed by natural key, one conformed frame at a time."""
        for bucket in sorted(self.writers):
            with pa.ipc.open_stream(str(self.path(bucket))) as reader:
                table = reader.read_all()
            frame = table.to_pandas()
            del table
            yield aggregate(usage_frame.conform(frame))


def natural_keys(frame: pd.DataFrame) -> list[str]:
    """SHA-256 of each row's natural key (usage_frame.KEY_COLUMNS and currency)."""
    parts = _key_parts(frame)
    return _hash_keys(parts, 0, len(frame))


def _key_parts(frame: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray]]:
    """The natural key's columns as arrays of strings, spelled as the stored hashes were made: ISO day,
    the text columns as they are, self_hosted as 'True'/'False'. Kept as (codes, distinct strings): no
    string object per row until a batch needs it."""
    parts = []
    for name in (*usage_frame.KEY_COLUMNS, "currency"):
        col = frame[name]
        codes, uniques = pd.factorize(col, use_na_sentinel=False)  # format each distinct value once
        spelled = pd.DatetimeIndex(uniques).strftime("%Y-%m-%d") if name == "day" else pd.Index(uniques).astype(str)
        parts.append((codes.astype(np.int32), np.asarray(spelled, dtype=object)))
    return parts


def _hash_keys(parts: list[tuple[np.ndarray, np.ndarray]], start: int, stop: int) -> list[str]:
    sha = hashlib.sha256
    return [
        sha("\x1f".join(values).encode("utf-8")).hexdigest()
        for values in zip(*(uniques[codes[start:stop]].tolist() for codes, uniques in parts), strict=True)
    ]


def _resolve_identities(organisation, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Person and team ids for each row through the mapping tables; unmatched identities stay None."""
    return _identity_resolver(organisation)(frame)


def _identity_resolver(organisation):
    """A function giving (person ids, team ids) for a frame's rows: the mapping tables are read here, once,
    so the function itself touches no database (it runs in the write phase's preparing thread)."""
    people = {
        email.lower(): (pk, team_id)
        for pk, email, team_id in Person.objects.for_org(organisation).values_list("pk", "email", "team_id")
    }
    teams = {name.lower(): pk for pk, name in Team.objects.for_org(organisation).values_list("pk", "name")}
    mappings = {
        (kind, value.lower()): (person_id, team_id)
        for kind, value, person_id, team_id in IdentityMapping.objects.for_org(organisation).values_list(
            "kind", "value", "person_id", "team_id"
        )
    }
    person_team = {pk: team_id for pk, team_id in people.values()}

    def person_of(ref: str):
        ref = ref.lower()
        if (IdentityKind.PERSON, ref) in mappings:
            return mappings[(IdentityKind.PERSON, ref)][0]
        return people.get(ref, (None, None))[0]

    def team_of(team_ref: str, project: str, api_key: str, person_id):
        for kind, value in (
            (IdentityKind.TEAM, team_ref),
            (IdentityKind.PROJECT, project),
            (IdentityKind.API_KEY, api_key),
        ):
            hit = mappings.get((kind, value.lower())) if value else None
            if hit and hit[1]:
                return hit[1]
        if team_ref and team_ref.lower() in teams:
            return teams[team_ref.lower()]
        return person_team.get(person_id)

    def resolve(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        # Looked up once per distinct identity and spread back by codes: a Python step per row cost more than
        # the lookups. Object arrays, not Series.map: a mix of ids and None would become floats with NaN.
        codes, refs = pd.factorize(frame["person"], use_na_sentinel=False)
        person_of_ref = np.array([person_of(ref) if ref else None for ref in refs.tolist()], dtype=object)
        person_ids = person_of_ref[codes]
        combo = codes.astype(np.int64)
        for name in ("team", "project", "api_key"):
            column_codes, distinct = pd.factorize(frame[name], use_na_sentinel=False)
            # Numbered again at each step, so the product stays below rows**2 and cannot overflow.
            combo = pd.factorize(combo * len(distinct) + column_codes)[0]
        _, first, combo_codes = np.unique(combo, return_index=True, return_inverse=True)
        firsts = [frame[name].to_numpy(dtype=object)[first].tolist() for name in ("team", "project", "api_key")]
        team_of_combo = np.array(
            [team_of(*combo) for combo in zip(*firsts, person_ids[first].tolist(), strict=True)], dtype=object
        )
        return person_ids, team_of_combo[combo_codes]

    return resolve


def _store(run: IngestionRun, parsed: dict) -> None:
    organisation = run.organisation
    version = current_factor_set_version(organisation)
    # Said (and committed) before the transaction: pages polling the run see it while the records are written.
    IngestionRun.objects.filter(pk=run.pk, attempts=run.attempts, status=RunStatus.RUNNING).update(
        phase=RunPhase.STORING, bytes_done=run.bytes_total
    )
    with transaction.atomic():
        locked = IngestionRun.objects.select_for_update().get(pk=run.pk)
        if locked.is_finished or locked.attempts != run.attempts:  # another delivery finished first, or took over
            return
        assert_days_open(organisation, parsed["days"])
        # Keys include the day: with no stored record in the file's date range, no key can collide, and a plain
        # insert skips the conflict check (on SQLite an upsert also journals every statement).
        days = parsed["days"]
        _serialise_writes(organisation, version)
        replaces = UsageRecord.objects.for_org(organisation).filter(day__range=(min(days), max(days))).exists()
        table = _RecordTable(replaces)
        totals = _RecordTotals()
        prepared = _record_batches(
            parsed["spill"],
            load_factor_set(version),
            _identity_resolver(organisation),
            {"organisation_id": organisation.pk, "run_id": run.pk, "factor_set_id": version.pk},
            table,
            totals,
        )
        # On PostgreSQL the next batch is prepared in a thread while the server stores this one. SQLite works in
        # this process and binds every value holding the GIL: a preparing thread there only made it slower.
        if connection.vendor == "postgresql":
            prepared = _prefetched(prepared)
        with contextlib.closing(prepared) as batches:
            table.write(batches)
        locked.status, locked.finished_at = RunStatus.SUCCEEDED, timezone.now()
        locked.bytes_done = locked.bytes_total
        locked.rows_read = parsed["rows_read"]
        locked.rows_skipped = parsed["rows_skipped"]
        locked.records_stored = totals.records
        locked.requests = totals.sums["requests"]
        locked.input_tokens = totals.sums["input_tokens"]
        locked.cached_input_tokens = totals.sums["cached_input_tokens"]
        locked.output_tokens = totals.sums["output_tokens"]
        locked.energy_kwh = totals.energy_kwh
        locked.co2e_kg = totals.co2e_kg
        locked.factor_set = version
        locked.warnings = sorted(totals.warnings)[:50]
        locked.errors = []
        locked.save()


def _serialise_writes(organisation, version) -> None:
    """One run of an organisation writes at a time (until its transaction ends), so the collision check
    before a plain insert stays true; and the organisation and factor set the records point to cannot be deleted
    before it ends (records have no foreign-key constraint on them; the run is locked FOR UPDATE already).
    SQLite already has one writer at a time (IMMEDIATE transactions)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [WRITE_LOCK_NAMESPACE, organisation.pk])
            for model, pk in ((organisation, organisation.pk), (version, version.pk)):
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE", [pk])  # noqa: S608


class _RecordTotals:
    """What a run reports of the records it stored, summed bucket by bucket."""

    def __init__(self):
        self.records, self.energy_kwh, self.co2e_kg, self.warnings = 0, 0.0, 0.0, set()
        self.sums = dict.fromkeys(("requests", "input_tokens", "cached_input_tokens", "output_tokens"), 0)

    def add(self, estimated: pd.DataFrame) -> None:
        self.records += len(estimated)
        for name in self.sums:
            self.sums[name] += int(estimated[name].sum())
        self.energy_kwh += float(estimated["energy_kwh"].sum())
        self.co2e_kg += float(estimated["co2e_location_kg"].sum())
        self.warnings.update(w for w in estimated["warning"].unique() if w)


class _RecordTable:
    """Writes UsageRecord rows with plain SQL through the DB-API cursor: building model instances and
    Django's per-value SQL compilation cost ~20x the database's own work. With `replaces`, rows are upserted
    on (organisation, day, key_sha256); without, inserted. Call write() inside the run's transaction; every batch
    goes through write_batch(), the one place a batch reaches the database."""

    def __init__(self, replaces: bool):
        # Identifiers only come from the model's meta, quoted; every value is a parameter, or a literal that SQLite
        # quoted itself (statement()).
        qn = connection.ops.quote_name
        self.names = ["key_sha256"] + [
            f.attname for f in UsageRecord._meta.concrete_fields if f.attname not in ("id", "key_sha256")
        ]
        self.column_list = ", ".join(qn(c) for c in self.names)
        self.table, self.staging = qn(UsageRecord._meta.db_table), qn("usage_upsert")
        updates = ", ".join(
            f"{qn(c)} = excluded.{qn(c)}" for c in self.names if c not in ("organisation_id", "day", "key_sha256")
        )
        key = ", ".join(qn(c) for c in ("organisation_id", "day", "key_sha256"))
        self.conflict = f"ON CONFLICT ({key}) DO UPDATE SET {updates}" if replaces else ""
        self.statements: dict[tuple, tuple[list[str], str]] = {}
        self.copy = None  # PostgreSQL: the COPY all batches are written to, while write() runs
        # PostgreSQL: COPY, into the table itself when nothing can collide, else into a staging table upserted
        # from in one statement.
        self.staged = connection.vendor == "postgresql" and replaces
        self.copy_target = self.staging if self.staged else self.table

    def statement(self, cursor, batch: "_RecordBatch") -> tuple[list[str], str]:
        """The insert (or upsert) of a batch's records, its constants written in: integers and NULL as they
        are, text quoted by SQLite's own quote(); floats (whose text would not round-trip exactly) and text
        with a NUL (which quote() cuts) are bound on every row instead."""
        constants = tuple(batch.constants.items())
        if constants not in self.statements:
            qn = connection.ops.quote_name
            literals = {}
            for name, value in constants:
                if value is None or type(value) in (int, bool):
                    literals[name] = "NULL" if value is None else str(int(value))
                elif isinstance(value, str) and "\x00" not in value:
                    cursor.execute("SELECT quote(%s)", [value])
                    literals[name] = cursor.fetchone()[0].replace("%", "%%")  # Django reads % as a placeholder
            bound = ["key_sha256", *batch.columns] + [name for name, _ in constants if name not in literals]
            columns = ", ".join(qn(c) for c in bound + list(literals))
            values = ", ".join(["%s"] * len(bound) + list(literals.values()))
            self.statements[constants] = (
                bound,
                f"INSERT INTO {self.table} ({columns}) VALUES ({values}) {self.conflict}",  # noqa: S608
            )
        return self.statements[constants]

    def write(self, batches) -> None:
        """Send every _RecordBatch to the database."""
        with connection.cursor() as cursor, _sqlite_write_pragmas(cursor):
            if self.staged:
                cursor.execute(
                    f"CREATE TEMP TABLE {self.staging} ON COMMIT DROP AS "  # noqa: S608
                    f"SELECT {self.column_list} FROM {self.table} WITH NO DATA"
                )
            with self._copy(cursor):
                for batch in batches:
                    write_batch(cursor, self, batch)
            if self.staged:
                cursor.execute(
                    f"INSERT INTO {self.table} ({self.column_list}) "  # noqa: S608
                    f"SELECT {self.column_list} FROM {self.staging} {self.conflict}"
                )
                cursor.execute(f"DROP TABLE {self.staging}")

    @contextlib.contextmanager
    def _copy(self, cursor):
        """On PostgreSQL, one COPY for all batches (in self.copy): the server stores what it has received while the
        next batches are prepared, where a COPY per batch waited for the server at the end of each."""
        if connection.vendor != "postgresql":
            yield
            return
        with cursor.cursor.copy(f"COPY {self.copy_target} ({self.column_list}) FROM STDIN (FORMAT csv)") as copy:
            self.copy = copy
            try:
                yield
            finally:
                self.copy = None


class _RecordBatch:
    """Up to UPSERT_BATCH records to write. `constants` holds the columns with one value on every record of
    the bucket (SQLite gets them written once in the statement rather than bound on every row: most of a
    batch's values are such, and binding them was a third of the write); `columns` the others, as numpy arrays
    or (codes, distinct values) pairs for text, so each database's writer makes only the values it sends."""

    def __init__(self, keys: list[str], columns: dict, constants: dict):
        self.keys, self.columns, self.constants = keys, columns, constants

    def __len__(self) -> int:
        return len(self.keys)

    def values(self, name: str) -> list:
        """One column's values as the driver takes them (numpy scalars as Python ones, NaN as None)."""
        if name == "key_sha256":
            return self.keys
        if name in self.constants:
            return [self.constants[name]] * len(self)
        column = self.columns[name]
        if isinstance(column, tuple):  # (codes, distinct values): text columns
            codes, uniques = column
            return uniques[codes].tolist()
        return _plain_values(column)

    def rows(self, names: list[str]) -> list[tuple]:
        """The values of `names` (columns or constants) as one tuple per record."""
        return list(zip(*(self.values(name) for name in names), strict=True))

    def arrow(self, names: list[str]) -> pa.Table:
        """The records as an Arrow table of `names`, NaN as null (for PostgreSQL's COPY from CSV)."""
        arrays = []
        for name in names:
            column = self.columns.get(name)
            if isinstance(column, tuple):
                codes, uniques = column
                arrays.append(pa.array(uniques, pa.string()).take(pa.array(codes)))
            elif isinstance(column, np.ndarray) and column.dtype.kind != "O":
                arrays.append(pa.array(column, from_pandas=True))
            else:
                arrays.append(pa.array(self.values(name)))
        return pa.table(arrays, names=names)


def _record_batches(spill: "_Spill", factor_set, resolve, constant: dict, table: _RecordTable, totals: _RecordTotals):
    """_RecordBatch after _RecordBatch, UPSERT_BATCH records each, bucket after bucket: each bucket's keys are
    complete, so estimating a bucket gives what estimating the whole file gives. Touches no database (it runs
    in a thread beside the writes); Python values are made one batch at a time, so the objects alive at once
    stay bounded whatever the number of records."""
    for frame in spill.frames():
        estimated = estimate(frame, factor_set)
        del frame
        person_ids, team_ids = resolve(estimated)
        totals.add(estimated)
        per_row = {
            "day": _iso_days(estimated["day"]),
            "person_ref": estimated["person"],
            "team_ref": estimated["team"],
            "person_id": person_ids,
            "team_id": team_ids,
            "self_hosted": estimated["self_hosted"].to_numpy(dtype=bool),
        }
        columns = {
            name: _as_array(per_row.get(name, estimated.get(name))) for name in table.names[1:] if name not in constant
        }
        key_parts, n = _key_parts(estimated), len(estimated)
        del estimated, person_ids, team_ids, per_row
        constants = dict(constant)
        for name, values in list(columns.items()):
            single = _single_value(values)
            if single is not _VARIES:
                constants[name] = single
                del columns[name]
        for start in range(0, n, UPSERT_BATCH):
            stop = min(start + UPSERT_BATCH, n)
            yield _RecordBatch(
                _hash_keys(key_parts, start, stop),
                {
                    name: (values[0][start:stop], values[1]) if isinstance(values, tuple) else values[start:stop]
                    for name, values in columns.items()
                },
                constants,
            )


_VARIES = object()


def _single_value(values) -> object:
    """The one value of a column (as the driver takes it) when every record of the bucket has it, else
    _VARIES."""
    if isinstance(values, tuple):
        uniques = values[1]
        return _plain_values(uniques)[0] if len(uniques) == 1 else _VARIES
    if len(values) == 0:
        return _VARIES
    plain = _plain_values(values[:1])[0]
    if values.dtype.kind == "f":
        same = np.isnan(values).all() if plain is None else (values == values[0]).all()
    else:
        same = (values == values[0]).all()
    return plain if same else _VARIES


def _prefetched(items, depth: int = 2):
    """Yield what the iterator `items` yields, computed ahead in a background thread (at most `depth` items
    waiting), so preparing the next batch overlaps the database's work on this one: sqlite3 and psycopg
    release the GIL while the database works. An exception in the thread is raised here; leaving early
    stops the thread."""
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in items:
                if not put(("item", item)):
                    return
            put(("done", None))
        except BaseException as exc:  # handed to the consuming thread, raised there
            put(("error", exc))

    thread = threading.Thread(target=produce, name="ingest-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = waiting.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join()


@contextlib.contextmanager
def _sqlite_write_pragmas(cursor):
    """A larger SQLite page cache while writing, restored afterwards: the unique key and person/day indexes
    take random inserts, and with the 2 MiB default each one rereads pages from the OS. (Statement journals
    are kept in memory by the connection's init_command in settings: an upsert into a table with deferred
    foreign keys journals every statement, and in a temporary file that was half the time of the write.)"""
    if connection.vendor != "sqlite":
        yield
        return
    cursor.execute("PRAGMA cache_size")
    previous = int(cursor.fetchone()[0])
    cursor.execute(f"PRAGMA cache_size = {-SQLITE_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {previous}")


def write_batch(cursor, writer: "_RecordTable", batch: _RecordBatch) -> None:
    """Send one batch of records: COPY on PostgreSQL, else executemany of the insert or upsert (SQLite runs it
    in C, row after row, with no SQL to parse again)."""
    if connection.vendor == "postgresql":
        # CSV written by Arrow in C: psycopg formatting row after row in Python was half of the write.
        data = io.BytesIO()
        pacsv.write_csv(batch.arrow(writer.names), data, _COPY_CSV)
        writer.copy.write(data.getvalue())
    else:
        bound, statement = writer.statement(cursor, batch)
        cursor.executemany(statement, batch.rows(bound))


def _iso_days(days: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Days as codes and their 'YYYY-MM-DD' text, as both databases take a date: a datetime.date per row
    would go through sqlite3's Python adapter, row after row."""
    codes, uniques = pd.factorize(days, use_na_sentinel=False)
    return codes.astype(np.int32), np.asarray(pd.DatetimeIndex(uniques).strftime("%Y-%m-%d"), dtype=object)


def _as_array(values) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """A number/date column as a numpy array; a text column (Arrow strings, categoricals) as codes and its
    distinct values, because a Python string per row and column would cost hundreds of MiB."""
    if isinstance(values, tuple):  # already (codes, distinct values)
        return values
    if isinstance(values, pd.Series) and values.dtype.kind not in "iufbM":
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        return codes.astype(np.int32), np.asarray(uniques, dtype=object)
    if isinstance(values, pd.Series):
        values = values.to_numpy()
    return np.asarray(values)


def _plain_values(part: np.ndarray) -> list:
    """A slice of a column as plain Python values for the driver (numpy scalars to Python, NaN to None)."""
    if part.dtype.kind == "f":
        nan = np.isnan(part)
        if nan.any():
            out = part.astype(object)
            out[nan] = None
            return out.tolist()
        return part.tolist()
    if part.dtype.kind in "iubM":
        return part.tolist()
    return [None if v is None or (isinstance(v, float) and v != v) else v for v in part.tolist()]


def _error_dict(exc, filename: str) -> dict:
    """An error of the run as {row, column, message}; the message always starts with the file's name (a
    source's errors do already, the normalised frame's checks do not know it)."""
    row = getattr(exc, "row", None)
    message = str(exc)
    if not message.startswith(filename):
        message = f"{filename}: {message}"
    return {"row": row, "column": getattr(exc, "column", None), "message": message}


def _fail(run: IngestionRun, errors: list[dict]) -> None:
    # An attempt another delivery took over leaves the run to it (its spill files may be gone).
    IngestionRun.objects.filter(pk=run.pk, attempts=run.attempts).exclude(status=RunStatus.SUCCEEDED).update(
        status=RunStatus.FAILED, errors=errors, finished_at=timezone.now()
    )


def unmapped_identities(organisation) -> dict[str, list[str]]:
    """Identities seen in records that map to no person (users) or no team (team/project/key), per kind."""
    records = UsageRecord.objects.for_org(organisation)
    users = (
        records.filter(person__isnull=True)
        .exclude(person_ref="")
        .values_list("person_ref", flat=True)
        .distinct()
        .order_by("person_ref")
    )
    no_team = records.filter(team__isnull=True)
    return {
        IdentityKind.PERSON: list(users),
        IdentityKind.TEAM: list(
            no_team.exclude(team_ref="").values_list("team_ref", flat=True).distinct().order_by("team_ref")
        ),
        IdentityKind.PROJECT: list(
            no_team.exclude(project="").values_list("project", flat=True).distinct().order_by("project")
        ),
        IdentityKind.API_KEY: list(
            no_team.exclude(~Q(team_ref=""))
            .exclude(api_key="")
            .values_list("api_key", flat=True)
            .distinct()
            .order_by("api_key")
        ),
    }


def apply_mappings(organisation) -> int:
    """Re-attribute the organisation's stored records after a mapping edit; returns records changed."""
    open_records = UsageRecord.objects.for_org(organisation)
    for start, end in locked_ranges(organisation):  # signed-off periods keep their attribution
        open_records = open_records.exclude(day__range=(start, end))
    combos = pd.DataFrame(
        list(
            open_records.values_list("person_ref", "team_ref", "project", "api_key", "person_id", "team_id").distinct()
        ),
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
                person_ref=row.person,
                team_ref=row.team,
                project=row.project,
                api_key=row.api_key,
            ).update(person_id=person_id, team_id=team_id)
    return changed


def _nan_to_none(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return int(value)


def save_mapping(organisation, user, kind: str, value: str, person=None, team=None) -> int:
    """Create or change a mapping, re-attribute open records, log it; returns records changed."""
    mapping, _ = IdentityMapping.objects.update_or_create(
        organisation=organisation, kind=kind, value=value.strip(), defaults={"person": person, "team": team}
    )
    changed = apply_mappings(organisation)
    audit.record(
        organisation,
        user,
        "mapping.save",
        f"{kind} '{mapping.value}' -> {person or team}",
        mapping,
        records_changed=changed,
    )
    return changed


def delete_mapping(organisation, user, mapping: IdentityMapping) -> int:
    summary = f"{mapping.kind} '{mapping.value}' mapping removed"
    mapping.delete()
    changed = apply_mappings(organisation)
    audit.record(organisation, user, "mapping.delete", summary, None, records_changed=changed)
    return changed
