"""The CSV writers' numbers (apps.disclosures.exports.precision): rounded to six significant digits or to a unit's
decimals for people, exact for the evidence pack, positional in both, a decimal point on every float. Expected
texts written out by hand."""

import io

import numpy as np
import pandas as pd

from apps.disclosures.exports import precision
from apps.disclosures.exports.tables import render_records_csv


def test_six_significant_digits_positional_at_every_magnitude():
    values = [3.5910260930000004, 0.000123456789, 2.5e-9, -2.5e-9, 123456789.4, 100.0, 0.0, -0.0, 999999.7, 1e-30]
    assert precision.rounded_texts(values).to_pylist() == [
        "3.59103",
        "0.000123457",
        "0.0000000025",
        "-0.0000000025",
        "123456789.0",  # the whole part is never cut
        "100.0",
        "0.0",
        "0.0",
        "1000000.0",
        "0.0",  # below 1e-20
    ]
    assert precision.rounded_texts([3.14159, 12.0, -0.004], decimals=2).to_pylist() == ["3.14", "12.0", "0.0"]
    assert precision.rounded_texts([float("nan"), float("inf")]).to_pylist() == [None, None]


def test_exact_texts_read_back_identical_without_an_exponent():
    values = [3.5910260930000004, 1e-7, 1e20, 340.0, -2.5e-9, 1.2345678901234567e16]
    assert precision.exact_texts(values).to_pylist() == [
        "3.5910260930000004",
        "0.0000001",
        "100000000000000000000.0",
        "340.0",
        "-0.0000000025",
        "12345678901234568.0",
    ]
    rng = np.random.default_rng(20)
    many = rng.lognormal(-8, 6, 5000) * rng.choice([-1, 1], 5000)
    texts = precision.exact_texts(many).to_pylist()
    assert [float(t) for t in texts] == many.tolist() and not any("e" in t for t in texts)


def test_the_records_csv_rounds_floats_and_keeps_integers_and_money_as_they_are():
    from decimal import Decimal

    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "requests": [3, 4],
            "cost": [Decimal("0.001234567"), Decimal("12.50")],
            "energy_kwh": [3.5910260930000004, 0.000000123456789],
            "adpe_kgsbeq": [2.332e-08, 0.0],
        }
    )
    lines = render_records_csv(frame).decode().splitlines()
    assert lines == [
        "id,requests,cost,energy_kwh,adpe_kgsbeq",
        "1,3,0.001234567,3.59103,0.00000002332",
        "2,4,12.50,0.000000123457,0.0",
    ]
    exact = pd.read_csv(io.BytesIO(render_records_csv(frame, exact=True)))
    assert exact["energy_kwh"].tolist() == [3.5910260930000004, 0.000000123456789]


def test_xlsx_float_cells_keep_every_digit_with_a_positional_number_format():
    import openpyxl

    from apps.disclosures.exports.tables import FLOAT_FORMAT, render_xlsx

    from .sample_snapshot import sample

    snapshot, records = sample()
    records = records.copy()
    records.loc[records.index[0], "energy_kwh"] = 3.5910260930000004
    records.loc[records.index[1], "energy_kwh"] = 2.332e-08
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot, records)))
    sheet = workbook["Records"]
    column = [c.value for c in sheet[1]].index("energy_kwh") + 1
    first, second = sheet.cell(2, column), sheet.cell(3, column)
    assert first.value == 3.5910260930000004 and second.value == 2.332e-08  # unrounded
    assert first.number_format == second.number_format == FLOAT_FORMAT == "0.0##############"
    assert sheet.cell(2, [c.value for c in sheet[1]].index("requests") + 1).number_format == "General"  # counts
    datapoints = workbook["Datapoints"]
    value = next(row[4] for row in datapoints.iter_rows(min_row=2) if isinstance(row[4].value, float))
    assert value.number_format == FLOAT_FORMAT
