"""The rollup rows of a run's records, summed from the estimated frames the record writer already holds
(DataFrame in, Arrow tables out; no Django). apps.footprint.rollups writes them for the days and months no
stored record shares with the run, where the run's records are then all the records there are: summing them
here spares a second pass over the stored records in the database (a third of a large ingestion).

Costs are summed as whole units of 1e-10 (the records' ten decimal places, `cost_units`): the record writer
stores the same units, so a cost summed here is the database's own sum exactly; counts are exact too, the
floats equal up to the order they are added in (as the database's own sums do between two queries)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# What a rollup row is grouped by: every record field a page filters or breaks figures down by, but the person.
DIMENSIONS = (
    "source",
    "provider",
    "model",
    "usage_kind",
    "self_hosted",
    "team_id",
    "zone",
    "grid_zone",
    "scope",
    "data_quality",
    "currency",
    "factor_set_id",
    "run_id",
    "cost_reported",
)
# The prefill energy and the multi-criteria impacts, each with its range (records' columns of the same names).
MULTI_CRITERIA = tuple(
    f"{name}{end}"
    for name in ("energy_prefill_kwh", "water_l", "adpe_kgsbeq", "pe_mj")
    for end in ("", "_low", "_high")
)
COUNTS = ("requests", "input_tokens", "cached_input_tokens", "output_tokens", "active_user_days")
FLOATS = (
    "measured_energy_kwh",
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
    *MULTI_CRITERIA,
)
# Energy stays NULL where no record of the group has one (spend-based rows), as on the records; so do the
# prefill energy and the multi-criteria impacts.
NULLABLE = {"energy_kwh", "energy_kwh_low", "energy_kwh_high", *MULTI_CRITERIA}
MEASURES = ("records", *COUNTS, "cost", *FLOATS)
# The person grain (PersonMonthRollup): what the per person cost figures group and sum.
PERSON_DIMENSIONS = ("person_id", "team_id", "source", "usage_kind", "provider", "model", "currency", "cost_reported")
PERSON_FLOATS = ("energy_kwh", "co2e_location_kg", "energy_prefill_kwh", "water_l", "adpe_kgsbeq", "pe_mj")
PERSON_MEASURE_NAMES = ("records", *COUNTS, "cost", *PERSON_FLOATS)

COST_SCALE = 10**10  # the records' cost has ten decimal places
# Summed units stay far inside int64 below this (beyond it the database sums instead: see FrameSums.usable).
_UNITS_LIMIT = 2**62
_MERGE_PARTS = 3
_CONSTANT_DIMENSIONS = ("factor_set_id", "run_id")  # the same on every record of a run: added when written
_DAY_KEYS = ["day", *(d for d in DIMENSIONS if d not in _CONSTANT_DIMENSIONS)]
_PERSON_KEYS = ["day", *PERSON_DIMENSIONS]


def cost_units(cost) -> np.ndarray:
    """Costs (floats, as a source reports them) as whole 1e-10 units, int64, rounded to the nearest: what the
    records store (exactly) and the rollups sum (exactly). usage_frame.validate bounds a record's cost, so a
    unit count always fits."""
    return np.rint(np.asarray(cost, dtype=np.float64) * COST_SCALE).astype(np.int64)


def _sum_aggregations(names) -> list[tuple[str, str]]:
    return [(name, "sum") for name in names]


class FrameSums:
    """Partial sums of the estimated frames of one run, added bucket by bucket (`add`), then combined: the
    daily rollup rows (`daily`), the person rollup rows (`people`) and the distinct days per person
    (`activity`). Holds one row per group of a bucket, never one per record."""

    def __init__(self):
        self._daily: list[pa.Table] = []
        self._people: list[pa.Table] = []
        self._abs_units = 0
        self._person_table: pa.Table | None = None  # the partials combined, once added
        self.usable = True  # false when the summed costs could pass int64: the database sums instead

    def add(self, estimated: pd.DataFrame, person_ids, team_ids, units: np.ndarray) -> None:
        """Sum one estimated frame (its records' resolved person and team ids, cost units) into the partials."""
        if not self.usable or not len(estimated):
            return
        self._abs_units += int(np.abs(units).sum(dtype=np.float64))
        if self._abs_units >= _UNITS_LIMIT:
            self.usable, self._daily, self._people = False, [], []
            return
        columns = {
            "day": pa.array(estimated["day"].to_numpy().astype("datetime64[D]"), pa.date32()),
            "person_id": pa.array(person_ids, pa.int64()),
            "team_id": pa.array(team_ids, pa.int64()),
            "self_hosted": pa.array(estimated["self_hosted"].to_numpy(dtype=bool)),
            "cost_reported": pa.array(units != 0),
            "cost": pa.array(units, pa.int64()),
            "records": pa.array(np.ones(len(estimated), dtype=np.int64)),
        }
        text = {d for d in (*DIMENSIONS, *PERSON_DIMENSIONS) if d not in columns and d not in _CONSTANT_DIMENSIONS}
        for name in text:
            columns[name] = _text(estimated[name])
        for name in (*COUNTS, *FLOATS):
            columns[name] = pa.array(estimated[name].to_numpy(), from_pandas=True)
        table = pa.table(columns)
        self._daily.append(_grouped(table, _DAY_KEYS, ["records", *COUNTS, "cost", *FLOATS]))
        people = table.filter(pc.is_valid(table["person_id"]))
        del table
        if people.num_rows:
            self._people.append(_grouped(people, _PERSON_KEYS, ["records", *COUNTS, "cost", *PERSON_FLOATS]))
        # A group recurs in every bucket (buckets split by the whole natural key): the parts are merged as they
        # come, so what is held follows the distinct groups, not the buckets times the groups.
        if len(self._people) >= _MERGE_PARTS:
            self._people = [_combined(self._people, _PERSON_KEYS, ["records", *COUNTS, "cost", *PERSON_FLOATS])]
        if len(self._daily) >= _MERGE_PARTS:
            self._daily = [_combined(self._daily, _DAY_KEYS, ["records", *COUNTS, "cost", *FLOATS])]

    def daily(self, days) -> pa.Table:
        """The daily rollup rows of `days` (dates): _DAY_KEYS and the measures, cost in units."""
        table = _combined(self._daily, _DAY_KEYS, ["records", *COUNTS, "cost", *FLOATS])
        return table.filter(pc.is_in(table["day"], pa.array(sorted(days), pa.date32())))

    def _person_days(self, months) -> pa.Table:
        if self._person_table is None:
            self._person_table = _combined(self._people, _PERSON_KEYS, ["records", *COUNTS, "cost", *PERSON_FLOATS])
            self._people = []
        table = self._person_table
        month = _month_starts(table["day"])
        keep = pc.is_in(month, pa.array(sorted(months), pa.date32()))
        return table.append_column("month", month).filter(keep)

    def people(self, months, cuts) -> pa.Table:
        """The person rollup rows of `months` (first days): month, segment (the month cut at `cuts`, the days
        a price starts), PERSON_DIMENSIONS and the person measures, cost in units."""
        table = self._person_days(months)
        table = table.append_column("segment", _segments(table["day"], table["month"], cuts))
        return _grouped(table, ["month", "segment", *PERSON_DIMENSIONS], ["records", *COUNTS, "cost", *PERSON_FLOATS])

    def activity(self, months) -> list[pa.Table]:
        """The distinct days per month, person and usage kind: under each team, then whatever the team (team
        null), as (table with month, person_id, usage_kind, team_id, days_active; per_team) pairs."""
        table = self._person_days(months)
        out = []
        for per_team in (True, False):
            keys = ["month", "person_id", "usage_kind", *(["team_id"] if per_team else [])]
            days = table.select([*keys, "day"]).group_by([*keys, "day"]).aggregate([]).group_by(keys)
            counted = days.aggregate([("day", "count")]).rename_columns([*keys, "days_active"])
            if not per_team:
                counted = counted.append_column("team_id", pa.nulls(counted.num_rows, pa.int64()))
            out.append((counted, per_team))
        return out


def _text(values: pd.Series) -> pa.Array:
    """A text column as Arrow dictionary-encoded strings (Arrow groups by their codes ~7x faster than by the
    strings), without a Python string per row where pandas holds Arrow or categories."""
    array = pa.array(values, from_pandas=True)
    if pa.types.is_dictionary(array.type):
        array = array.cast(pa.string())
    if array.type != pa.string():
        array = array.cast(pa.string())
    return pc.dictionary_encode(array)


def _grouped(table: pa.Table, keys: list[str], measures: list[str]) -> pa.Table:
    """`measures` summed per `keys` (a null key is a group of its own; a sum of nulls only is null, as SQL's)."""
    out = table.group_by(keys, use_threads=False).aggregate(_sum_aggregations(measures))
    return out.rename_columns([name.removesuffix("_sum") for name in out.column_names])


def _combined(parts: list[pa.Table], keys: list[str], measures: list[str]) -> pa.Table:
    if not parts:
        return pa.table(
            {name: pa.array([], pa.date32() if name == "day" else pa.string()) for name in keys}
            | {name: pa.array([], pa.int64()) for name in measures}
        ).select([*keys, *measures])
    # One dictionary per text column over every part, so the codes mean the same strings in all of them.
    table = pa.concat_tables(parts, promote_options="permissive").unify_dictionaries()
    return _grouped(table, keys, measures)


def _month_starts(days: pa.ChunkedArray) -> pa.Array:
    values = days.to_numpy().astype("datetime64[D]")
    return pa.array(values.astype("datetime64[M]").astype("datetime64[D]"), pa.date32())


def _segments(days: pa.ChunkedArray, months: pa.Array, cuts) -> pa.Array:
    """The first day of each row's part of its month: the latest of `cuts` after the month's first day and
    not after the row's day, else the month's first day (rollups._segment's rule, over arrays)."""
    day = days.to_numpy().astype("datetime64[D]")
    month = months.to_numpy(zero_copy_only=False).astype("datetime64[D]")
    cut = np.array(sorted(set(cuts)), dtype="datetime64[D]")
    if not len(cut):
        return pa.array(month, pa.date32())
    at = np.searchsorted(cut, day, side="right") - 1
    latest = cut[np.clip(at, 0, None)]
    return pa.array(np.where((at >= 0) & (latest > month), latest, month), pa.date32())
