"""Scope 3 category 3 per grid zone and year of use (datapoint E1-6_11/cat3) as a table of the exports.

One row per `snapshot["upstream_electricity"]["rows"]` entry (apps.footprint.upstream): the zone, the year of
use, the Scope 2 kWh, the life-cycle and generation factors the upstream is the difference of, and the category 3
kg with its range. The rows' kg sum, / 1000, to the datapoint's tCO2e: the table is the datapoint's breakdown,
read from the snapshot, not recomputed. The XLSX takes it as a sheet, the evidence pack as a CSV file.
"""

from __future__ import annotations

import csv
import io

from apps.footprint.upstream import FLAG_NATIONAL

from . import precision
from ._common import safe_cell

SHEET_TITLE = "Scope 3 category 3"
CSV_NAME = "upstream_electricity.csv"
CSV_DESCRIPTION = (
    "Scope 3 category 3 (E1-6_11/cat3) per grid zone and year of use: Scope 2 kWh, life-cycle and generation "
    "factors, kgCO2e with its range; the kg sum, / 1000, to the datapoint"
)
COLUMNS = [
    "grid_zone",
    "year_of_use",
    "scope2_kwh",
    "life_cycle_gco2e_per_kwh",
    "life_cycle_year",
    "generation_gco2e_per_kwh",
    "generation_year",
    "upstream_gco2e_per_kwh",
    "cat3_kg",
    "cat3_kg_low",
    "cat3_kg_high",
    "flag",
]
WIDTHS = {"grid_zone": 12, "flag": 60}


def upstream_rows(snapshot: dict) -> list[list]:
    """The snapshot's category 3 rows in COLUMNS order. The generation factor is the one subtracted (the
    zone's, or the USA's for a US state); empty, as the life-cycle one may be, where the flag says none is."""
    rows = []
    for r in (snapshot.get("upstream_electricity") or {}).get("rows") or []:
        basis = r.get("basis_generation_gco2e_per_kwh")
        rows.append(
            [
                r.get("grid_zone"),
                r.get("year"),
                r.get("energy_kwh"),
                r.get("life_cycle_gco2e_per_kwh"),
                r.get("life_cycle_year"),
                basis,
                # a state's own eGRID year is not the USA factor's, which the row does not carry
                r.get("generation_year") if basis is not None and r.get("flag") != FLAG_NATIONAL else None,
                r.get("upstream_gco2e_per_kwh"),
                r.get("upstream_kg"),
                r.get("upstream_kg_low"),
                r.get("upstream_kg_high"),
                r.get("flag") or None,
            ]
        )
    return rows


def _text(value) -> str:
    value = safe_cell(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return precision.exact(value)  # as the pack's other CSV files: reads back the same float
    return str(value)


def render_upstream_csv(snapshot: dict) -> bytes:
    """The category 3 table as CSV (UTF-8, RFC 4180 line ends), numbers unrounded."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([_text(v) for v in row] for row in upstream_rows(snapshot))
    return buffer.getvalue().encode("utf-8")
