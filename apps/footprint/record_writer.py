"""The bulk writer of usage records: a run's estimated frames go to the UsageRecord table with plain SQL
through the DB-API cursor (statements on SQLite, one COPY on PostgreSQL), in batches of UPSERT_BATCH, each
record keyed by the SHA-256 of its natural key so a later file with the same key replaces the row.

It owns every statement that writes records and the natural-key hashing. The identities are resolved by a
function the caller passes (the mapping tables belong to the connectors app, above this one)."""

import contextlib
import hashlib
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection

from apps.core.prefetch import prefetched

from . import usage_frame
from .calculator import estimate
from .models import UsageRecord
from .rollup_rows import units_as_decimal
from .rollup_sums import COST_SCALE, FrameSums, cost_units

UPSERT_BATCH = 5000
SQLITE_WRITE_CACHE_KIB = 64 * 1024
WRITE_LOCK_NAMESPACE = 4_140_001  # pg_advisory_xact_lock's first key: ingestion writes
# Arrow quotes every text value and leaves nulls bare: PostgreSQL's CSV reads "" as '' and nothing as NULL.
_COPY_CSV = pacsv.WriteOptions(include_header=False, quoting_style="needed")


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


def serialise_writes(organisation, version) -> None:
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


def overlaps_stored(stored_days, days) -> bool:
    """Whether any of `stored_days` (days with stored records, rollups.stored_days) lies from the first to the
    last of `days`. Keys include the day: with none, no key can collide, and a plain insert skips the conflict
    check (on SQLite an upsert also journals every statement)."""
    first, last = min(days), max(days)
    return any(first <= day <= last for day in stored_days)


def write_records(frames, *, replaces: bool, factor_set, resolve, constants: dict) -> "RecordTotals":
    """Estimate each summed frame with `factor_set`, resolve its identities with `resolve` (frame -> person
    ids, team ids) and write its records, upserted when `replaces` (see overlaps_stored), else inserted;
    `constants` are the columns every record has the same value in (organisation, run, factor set). Call it
    inside the run's transaction, after serialise_writes(). Returns what the run reports of its records."""
    table = _RecordTable(replaces)
    totals = RecordTotals()
    prepared = _record_batches(frames, factor_set, resolve, constants, table, totals)
    # On PostgreSQL the next batch is prepared in a thread while the server stores this one. SQLite works in
    # this process and binds every value holding the GIL: a preparing thread there only made it slower.
    if connection.vendor == "postgresql":
        prepared = prefetched(prepared)
    with contextlib.closing(prepared) as batches:
        table.write(batches)
    return totals


class RecordTotals:
    """What a run reports of the records it stored, summed bucket by bucket; and in `rollup_sums` the rollup
    rows of those records (rollups.refresh_run writes them)."""

    def __init__(self):
        self.records, self.energy_kwh, self.co2e_kg, self.warnings = 0, 0.0, 0.0, set()
        self.sums = dict.fromkeys(("requests", "input_tokens", "cached_input_tokens", "output_tokens"), 0)
        self.rollup_sums = FrameSums()

    def add(self, estimated: pd.DataFrame) -> None:
        self.records += len(estimated)
        for name in self.sums:
            self.sums[name] += int(estimated[name].sum())
        self.energy_kwh += float(estimated["energy_kwh"].sum())
        self.co2e_kg += float(estimated["co2e_location_kg"].sum())
        # The Messages the calculator wrote them from, so the run can show them in the reader's language.
        messages = estimated.attrs.get("warning_messages", {})
        self.warnings.update(messages.get(w, w) for w in estimated["warning"].unique() if w)


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
        if name == "cost":  # whole units: SQLite stores the amount as a double
            return (column / COST_SCALE).tolist()
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
            if name == "cost":  # whole units: the exact decimal text
                arrays.append(units_as_decimal(column))
            elif isinstance(column, tuple):
                codes, uniques = column
                arrays.append(pa.array(uniques, pa.string()).take(pa.array(codes)))
            elif isinstance(column, np.ndarray) and column.dtype.kind != "O":
                arrays.append(pa.array(column, from_pandas=True))
            else:
                arrays.append(pa.array(self.values(name)))
        return pa.table(arrays, names=names)


def _record_batches(frames, factor_set, resolve, constant: dict, table: _RecordTable, totals: RecordTotals):
    """_RecordBatch after _RecordBatch, UPSERT_BATCH records each, bucket after bucket: each bucket's keys are
    complete, so estimating a bucket gives what estimating the whole file gives. Touches no database (it runs
    in a thread beside the writes); Python values are made one batch at a time, so the objects alive at once
    stay bounded whatever the number of records."""
    for frame in frames:
        estimated = estimate(frame, factor_set)
        del frame
        person_ids, team_ids = resolve(estimated)
        totals.add(estimated)
        units = cost_units(estimated["cost"])  # what the record stores, and its rollups sum: the same units
        totals.rollup_sums.add(estimated, person_ids, team_ids, units)
        per_row = {
            "cost": units,
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
            single = _single_value(values) if name != "cost" else _VARIES  # units: converted per database
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
