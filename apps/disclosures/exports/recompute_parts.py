"""Parts of recompute.py, shipped beside it (standard library only): the ranged sums, and Scope 3 category 3
(upstream of purchased electricity) of an evidence pack.

Category 3, per grid zone and year of use: records.csv's Scope 2 kWh summed, against
snapshot.json's upstream_electricity rows; each row's upstream gCO2e/kWh against resolution/grid.csv
(max(0, life-cycle - generation of its basis), 0 where the pack leaves either empty: the zone has its upstream
inside Scope 2, or no life-cycle factor); upstream kg = kWh x gCO2e/kWh / 1000, low and high from the kWh range.
"""

import math
from collections import defaultdict


class Ranged:
    """A figure's central sum and, per range group, its summed deviations below and above (NaN counts 0)."""

    def __init__(self):
        self.central, self.below, self.above = 0.0, defaultdict(float), defaultdict(float)

    def add(self, group, central, low, high):
        central, low, high = (0.0 if math.isnan(x) else x for x in (central, low, high))
        self.central += central
        self.below[group] += central - low
        self.above[group] += high - central

    def tonnes(self, scale=1000):  # (central, low, high) / scale, the groups in quadrature
        below = math.sqrt(sum(x * x for x in self.below.values()))
        above = math.sqrt(sum(x * x for x in self.above.values()))
        return tuple(x / scale for x in (self.central, self.central - below, self.central + above))


def plus(part, other):
    """Two ranged figures added as independent groups: centrals summed, deviations in quadrature."""
    central = part[0] + other[0]
    below = math.hypot(part[0] - part[1], other[0] - other[1])
    above = math.hypot(part[2] - part[0], other[2] - other[0])
    return central, central - below, central + above


def per_kwh(grid_row, num):
    """Upstream gCO2e/kWh of a resolution/grid.csv row: max(0, life cycle - generation basis), 0 when empty."""
    life_cycle = num(grid_row.get("upstream_life_cycle_gco2e_per_kwh", ""))
    generation = num(grid_row.get("upstream_generation_gco2e_per_kwh", ""))
    if math.isnan(life_cycle) or math.isnan(generation):
        return 0.0
    return max(0.0, life_cycle - generation)


def check(pack, snapshot, report, num, nz):
    """The snapshot's upstream rows against the pack; returns category 3 as (central, low, high) tCO2e."""
    kwh = defaultdict(lambda: [0.0, 0.0, 0.0])
    for r in pack.rows("records.csv"):
        if r["scope"] == "scope2":
            row = kwh[(r["grid_zone"], int(r["day"][:4]))]
            for j, column in enumerate(("energy_kwh", "energy_kwh_low", "energy_kwh_high")):
                row[j] += nz(num(r.get(column, "")))
    stated = (snapshot.get("upstream_electricity") or {}).get("rows") or []
    name = "resolution/grid.csv"
    rows = pack.rows(name) if name in pack.names else []
    grid = {(r["grid_zone"], int(r["year"])): r for r in rows if r["scope2_boundary"] == "1"}
    keys = {(r["grid_zone"], int(r["year"])) for r in stated}
    if stated and keys != set(kwh):  # a snapshot older than the line states none: nothing to compare
        report.fail("upstream_electricity", f"zones {sorted(keys)}, Scope 2 records: {sorted(kwh)}")
    total = [0.0, 0.0, 0.0]
    for r in stated:
        key = (r["grid_zone"], int(r["year"]))
        what = f"upstream_electricity {key[0]} {key[1]}"
        factor = float(r["upstream_gco2e_per_kwh"])
        if key in grid:
            report.check(f"{what} upstream_gco2e_per_kwh", factor, per_kwh(grid[key], num))
        energy = kwh.get(key, [0.0, 0.0, 0.0])
        report.check(f"{what} energy_kwh", r["energy_kwh"], energy[0])
        for j, column in enumerate(("upstream_kg", "upstream_kg_low", "upstream_kg_high")):
            report.check(f"{what} {column}", r[column], energy[j] * factor / 1000)
            total[j] += energy[j] * factor / 1000
    return tuple(x / 1000 for x in total)
