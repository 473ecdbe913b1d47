"""Scope 3 category 3 per grid zone in the XLSX (a sheet) and the evidence pack (a CSV): its rows sum to the
snapshot's E1-6_11/cat3, worked by hand.

The seeded organisation of test_e1_figures: 1,000 kWh of IT energy in France and 500 kWh in Germany in 2025,
times the assumed PUE 1.56 (Uptime Institute Global Data Center Survey 2024) = 1,560 and 780 kWh of Scope 2.
Generation factors: EEA GHG emission intensity of electricity generation, 2024 (the latest year), France 36 and
Germany 291 g/kWh; life-cycle factors: Ember/OWID 2023 via codecarbon 3.3.2, France 56.039 and Germany 380.95.
Category 3 = kWh x (life cycle - generation) / 1000 kg: 1,560 x 20.039 / 1000 = 31.26084 kg and
780 x 89.95 / 1000 = 70.161 kg, 101.42184 kg in all = 0.10142184 t.
"""

import csv
import io
import zipfile

import openpyxl
import pytest

from apps.disclosures import services
from apps.disclosures.exports.upstream_table import COLUMNS, CSV_NAME, SHEET_TITLE, render_upstream_csv

from .test_e1_figures import seeded  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

BY_HAND = {
    "FRA": (1560.0, 56.039, 36.0, 1560 * (56.039 - 36) / 1000),
    "DEU": (780.0, 380.95, 291.0, 780 * (380.95 - 291) / 1000),
}


def _cat3_t(snapshot: dict) -> float:
    return next(dp["value"] for dp in snapshot["datapoints"] if dp["id"] == "E1-6_11/cat3")


def test_xlsx_sheet_rows_sum_to_the_cat3_datapoint(seeded):  # noqa: F811
    _, period = seeded
    snapshot, _, _ = services.build_snapshot(period)
    workbook = openpyxl.load_workbook(io.BytesIO(services.render(period, "xlsx")))
    assert workbook.sheetnames == ["About", "Datapoints", "Records", SHEET_TITLE, "Runs", "Factor sets"]
    rows = list(workbook[SHEET_TITLE].iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    got = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]}
    assert set(got) == set(BY_HAND)
    for zone, (kwh, life_cycle, generation, kg) in BY_HAND.items():
        row = got[zone]
        assert row["year_of_use"] == 2025 and row["scope2_kwh"] == pytest.approx(kwh)
        assert row["life_cycle_gco2e_per_kwh"] == pytest.approx(life_cycle)
        assert row["generation_gco2e_per_kwh"] == pytest.approx(generation)
        assert row["cat3_kg"] == pytest.approx(kg) and row["flag"] is None
    total_kg = sum(r["cat3_kg"] for r in got.values())
    assert total_kg == pytest.approx(101.42184)
    assert total_kg / 1000 == pytest.approx(_cat3_t(snapshot))


def test_evidence_pack_carries_the_table_as_csv(seeded):  # noqa: F811
    _, period = seeded
    snapshot, _, _ = services.build_snapshot(period)
    archive = zipfile.ZipFile(io.BytesIO(services.render(period, "evidence")))
    assert CSV_NAME in archive.read("SHA256SUMS").decode() and CSV_NAME in archive.read("README.md").decode()
    rows = list(csv.DictReader(io.StringIO(archive.read(CSV_NAME).decode("utf-8"))))
    assert {r["grid_zone"] for r in rows} == set(BY_HAND)
    assert sum(float(r["cat3_kg"]) for r in rows) / 1000 == pytest.approx(_cat3_t(snapshot))
    assert float(next(r for r in rows if r["grid_zone"] == "FRA")["cat3_kg"]) == pytest.approx(31.26084)


def test_a_snapshot_without_category_3_gives_the_header_only():
    assert render_upstream_csv({}).decode().splitlines() == [",".join(COLUMNS)]
