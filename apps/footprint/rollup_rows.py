"""Rollup rows summed in Python (rollup_sums) written to their table with plain SQL: one COPY on PostgreSQL,
one executemany on SQLite. Only apps.footprint.rollups calls it, in the transaction that wrote the records."""

import io

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection

from .rollup_sums import COST_SCALE

# Arrow quotes every text value and leaves nulls bare: PostgreSQL's CSV reads "" as '' and nothing as NULL.
_COPY_CSV = pacsv.WriteOptions(include_header=False, quoting_style="needed")


def units_as_decimal(units: pa.ChunkedArray | pa.Array, scale: int = 10) -> pa.Array:
    """Whole 1e-`scale` units (int64) as an Arrow decimal128 of that scale, built from the integers' own bits
    (no rounding on the way): its text is the exact amount."""
    values = np.asarray(units.to_numpy(zero_copy_only=False) if hasattr(units, "to_numpy") else units, np.int64)
    words = np.empty((len(values), 2), dtype=np.int64)  # little-endian 128-bit two's complement
    words[:, 0], words[:, 1] = values, values >> 63
    return pa.Array.from_buffers(pa.decimal128(38, scale), len(values), [None, pa.py_buffer(words.tobytes())])


def insert(cursor, model, table: pa.Table, constants: dict) -> None:
    """Insert `table`'s rows into `model`'s table, with `constants` (column -> one value) on every row. Column
    names are the model's attnames; `cost`, when present, is in rollup_sums units."""
    if not table.num_rows:
        return
    attnames = {f.attname for f in model._meta.concrete_fields}
    names = [name for name in table.column_names if name not in constants]
    unknown = set(names) - attnames
    if unknown:
        raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
    qn = connection.ops.quote_name
    columns = ", ".join(qn(name) for name in [*names, *constants])
    target = qn(model._meta.db_table)
    table = pa.table(
        [column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column for column in table.columns],
        names=table.column_names,
    )
    if connection.vendor == "postgresql":
        arrays = [units_as_decimal(table["cost"]) if name == "cost" else table[name] for name in names]
        arrays += [pa.array([value] * table.num_rows) for value in constants.values()]
        data = io.BytesIO()
        pacsv.write_csv(pa.table(arrays, names=[*names, *constants]), data, _COPY_CSV)
        with cursor.cursor.copy(f"COPY {target} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(data.getvalue())
        return
    values = []
    for name in names:
        column = table[name]
        if name == "cost":
            values.append((column.to_numpy(zero_copy_only=False) / COST_SCALE).tolist())
        elif pa.types.is_date32(column.type):
            values.append(column.cast(pa.string()).to_pylist())  # ISO text, as SQLite stores a date
        else:
            values.append(column.to_pylist())
    values += [[value] * table.num_rows for value in constants.values()]
    placeholders = ", ".join(["%s"] * len(values))
    cursor.executemany(
        f"INSERT INTO {target} ({columns}) VALUES ({placeholders})",  # noqa: S608 (names from the model's meta)
        list(zip(*values, strict=True)),
    )
