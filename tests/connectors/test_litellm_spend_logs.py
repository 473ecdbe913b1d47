"""LiteLLM spend logs: per-request rows summed to the frame grain; chunked == one-shot."""

import io
import json

import pytest

from apps.connectors.sources import combine, litellm_spend_logs
from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "litellm_spend_logs"
CSV = "spend_logs.csv"


def test_csv_totals_match_hand_sums():
    frame = parse_bytes(KEY, fixture_bytes(KEY, CSV), CSV)
    t = totals(frame)
    # 6 log rows, one a LiteLLM cache hit (no model call) -> 5 requests
    assert t["requests"] == 5
    assert frame.attrs["rows_skipped"] == 1 and frame.attrs["rows_read"] == 6
    # prompt tokens 1000 + 500 + 2000 + 300 + 800 = 4600, of which cached 400 + 1500 = 1900
    assert t["cached_input_tokens"] == 1900
    assert t["input_tokens"] == 4600 - 1900
    # completion 200 + 100 + 300 + 30 + 0 = 630
    assert t["output_tokens"] == 630
    # spend 0.0012 + 0.0006 + 0.0105 + 0.002 + 0.000016 = 0.014316 USD
    assert t["cost"] == pytest.approx(0.014316)
    assert set(frame["currency"]) == {"USD"}
    # r1 and r2 share day x provider x model x person x team x key -> one row with 2 requests
    mini = frame[frame["model"] == "gpt-4o-mini"].iloc[0]
    assert (mini["requests"], mini["team"], mini["api_key"]) == (2, "search", "search-svc")
    azure = frame[frame["provider"] == "azure_openai"].iloc[0]
    assert (azure["model"], azure["person"]) == ("gpt-4o", "carol@contoso.com")  # 'azure/' prefix dropped
    # 23:30+00:00 on 02-01 stays on 02-01
    assert frame[frame["provider"] == "anthropic"]["day"].dt.strftime("%Y-%m-%d").tolist() == ["2025-02-01"]


def test_json_export():
    frame = parse_bytes(KEY, fixture_bytes(KEY, "spend_logs.json"), "logs.json")
    # prompt 2000 + 800 = 2800, cached 1024 -> input 1776; output 500 + 100 = 600; spend 0.004
    assert totals(frame) | {"cost": round(totals(frame)["cost"], 6)} == {
        "requests": 2,
        "input_tokens": 1776,
        "cached_input_tokens": 1024,
        "output_tokens": 600,
        "active_user_days": 0,
        "measured_energy_kwh": 0.0,
        "cost": 0.004,
    }


def _many_rows(n: int) -> bytes:
    lines = fixture_bytes(KEY, CSV).decode().split("\n", 1)
    body = lines[1].rstrip("\n") + "\n"
    return (lines[0] + "\n" + body * n).encode()


def test_chunked_reading_gives_the_same_totals_as_one_shot():
    data = _many_rows(40)  # 240 log rows
    one_shot = parse_bytes(KEY, data)
    chunks = list(litellm_spend_logs.iter_chunks(io.BytesIO(data), "big.csv", chunk_rows=7))
    assert len(chunks) > 10
    assert sum(c.attrs["rows_read"] for c in chunks) == 240
    assert totals(combine(chunks)) == totals(one_shot)
    assert totals(one_shot)["requests"] == 5 * 40
    assert len(combine(chunks)) == len(one_shot) == 4


def test_bad_tokens_in_a_later_chunk_name_the_csv_row():
    data = _many_rows(5).decode().split("\n")
    # a multi-line value in each copy makes line numbers differ from row numbers: count records
    header, rest = data[0], "\n".join(data[1:])
    records = rest.split("\nchatcmpl-9f1c2a7e-0b1d-4c7a-9e55-1a2b3c4d5e05,")
    records[3] = records[3].replace(",0.0105,2300,2000,300,", ",0.0105,2300,2000,3x0,")
    text = header + "\n" + "\nchatcmpl-9f1c2a7e-0b1d-4c7a-9e55-1a2b3c4d5e05,".join(records)
    with pytest.raises(Exception) as info:
        list(litellm_spend_logs.iter_chunks(io.BytesIO(text.encode()), "logs.csv", chunk_rows=4))
    # copy 4 of the 6 records starts at record 3*6 + 1 = 19 -> the anthropic row is its 3rd: record 21,
    # CSV row 22 (header is row 1)
    assert str(info.value) == "logs.csv, row 22, column 'completion_tokens': expected a whole number >= 0, got '3x0'"


def test_unparseable_start_time():
    text = fixture_bytes(KEY, CSV).decode().replace("2025-02-02T08:00:00Z,", "02.02.2025 08:00,", 1)
    err = refused(KEY, text.encode(), "logs.csv")
    assert str(err).startswith("logs.csv, row 6, column 'startTime': expected a date like")


def test_generic_csv_given_to_litellm_is_named():
    err = refused(KEY, fixture_bytes("generic_csv", "usage.csv"), "usage.csv")
    assert "missing expected column(s) 'startTime', 'prompt_tokens', 'completion_tokens'" in str(err)
    assert "generic usage CSV template" in str(err)


def test_json_metadata_object_and_truncation():
    logs = json.loads(fixture_bytes(KEY, "spend_logs.json"))
    text = json.dumps(logs)
    err = refused(KEY, text[: len(text) // 2].encode(), "logs.json")
    assert "looks truncated" in str(err) and "character" in str(err)
