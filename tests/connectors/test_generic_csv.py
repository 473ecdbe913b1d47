"""Our generic template: exact columns, strict numbers, unknown columns refused."""

import pytest

from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "generic_csv"
FIXTURE = "usage.csv"


def test_totals_match_hand_sums():
    frame = parse_bytes(KEY, fixture_bytes(KEY, FIXTURE), FIXTURE)
    t = totals(frame)
    assert t["requests"] == 10 + 5 + 100
    assert t["input_tokens"] == 12000 + 6000 + 50000
    assert t["cached_input_tokens"] == 0 + 500
    assert t["output_tokens"] == 3000 + 1500 + 20000
    assert t["cost"] == pytest.approx(0.05 + 0.025)
    assert len(frame) == 2  # the two mistral rows share a key and are summed


def test_semicolon_separated_file():
    text = fixture_bytes(KEY, FIXTURE).decode().replace(",", ";")
    assert totals(parse_bytes(KEY, text.encode())) == totals(parse_bytes(KEY, fixture_bytes(KEY, FIXTURE)))


def _with(old: str, new: str) -> bytes:
    return fixture_bytes(KEY, FIXTURE).decode().replace(old, new, 1).encode()


def test_non_numeric_tokens():
    err = refused(KEY, _with(",6000,1500,", ",abc,1500,"), "usage.csv")
    assert str(err) == "usage.csv, row 3, column 'input_tokens': expected a whole number >= 0, got 'abc'"


def test_negative_tokens():
    err = refused(KEY, _with(",20000,", ",-20000,"), "usage.csv")
    assert str(err) == "usage.csv, row 4, column 'output_tokens': expected a whole number >= 0, got '-20000'"


def test_decimal_comma_gets_a_hint():
    err = refused(KEY, _with(",0.05,EUR", ',"0,05",EUR'), "usage.csv")
    assert "column 'cost'" in str(err) and "decimal separator" in str(err)


def test_unparseable_date():
    err = refused(KEY, _with("2025-04-02", "02/04/2025"), "usage.csv")
    assert str(err) == "usage.csv, row 4, column 'date': expected a date like 2025-01-31, got '02/04/2025'"


def test_renamed_and_unknown_columns():
    err = refused(KEY, _with("output_tokens", "ouput_tokens"), "usage.csv")
    assert "missing expected column(s) 'output_tokens'" in str(err)
    assert "found column(s) it does not use 'ouput_tokens'" in str(err)
    assert "row 1" in str(err)


def test_cost_without_currency():
    err = refused(KEY, _with("0.025,EUR", "0.025,"), "usage.csv")
    assert "row 3, column 'currency'" in str(err)
