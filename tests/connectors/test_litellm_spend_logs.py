"""LiteLLM spend logs: per-request rows summed to the frame grain; chunked == one-shot."""

import csv
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


# Follows LiteLLM's StandardLoggingPayload specification (https://docs.litellm.ai/docs/proxy/logging_spec): the payload
# is "logged for every successful and failed response" and its `status` (StandardLoggingPayloadStatus) is "success"
# or "failure"; the proxy stores it in LiteLLM_SpendLogs.status, and error logs are kept by default
# (https://docs.litellm.ai/docs/proxy/ui_logs). A failure (a 429 from the provider, 0 tokens) answered nothing.
SPEND_HEADER = [
    "request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens", "completion_tokens",
    "startTime", "endTime", "model", "model_group", "custom_llm_provider", "user", "metadata", "cache_hit",
    "team_id", "status",
]  # fmt: skip


def _spend_log(n_rows: int, with_status: bool = True) -> tuple[bytes, dict]:
    """A table export (BOM, quoted commas in metadata, blank optional fields) and its totals by hand."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SPEND_HEADER if with_status else SPEND_HEADER[:-1])
    want = {"requests": 0, "prompt": 0, "completion": 0, "spend_micro_usd": 0, "failed": 0}
    for n in range(n_rows):
        failed = n % 5 == 0  # rows 0, 5, 10, ...: a 429, no tokens, no spend
        odd_failure = n % 50 == 23  # a failure LiteLLM still logged tokens and spend for: not counted either
        prompt, completion, spend_micro = (0, 0, 0) if failed else (100 + n, 10 + n % 7, 150 + n)
        if odd_failure:
            prompt, completion, spend_micro = 40, 0, 20
        status = "failure" if failed or odd_failure else ("" if n % 9 == 0 else "success")  # blank: success
        if failed or odd_failure:
            want["failed"] += 1
        else:
            want["requests"] += 1
            want["prompt"] += prompt
            want["completion"] += completion
            want["spend_micro_usd"] += spend_micro
        metadata = json.dumps({"user_api_key_alias": "svc, main", "status": status, "error_information": None})
        row = [
            f"chatcmpl-{n}", "acompletion", "88dc28d0", f"{spend_micro / 1e6:.6f}", str(prompt + completion),
            str(prompt), str(completion), f"2025-03-{1 + n % 28:02d}T10:00:00Z", "", "gpt-4o-mini", "gpt-4o-mini",
            "openai", "", metadata, "False", "", status,
        ]  # fmt: skip
        writer.writerow(row if with_status else row[:-1])
    return ("\ufeff" + out.getvalue()).encode(), want


def test_failed_requests_are_not_counted():
    data, want = _spend_log(400)
    # 400 rows: 80 plain failures (n % 5 == 0) and 8 failures with tokens (n = 23, 73, ..., 373): 88 failed
    assert want["failed"] == 80 + 8 and want["requests"] == 400 - 88
    frame = parse_bytes(KEY, data, "spend.csv")
    t = totals(frame)
    assert t["requests"] == 312
    assert t["input_tokens"] + t["cached_input_tokens"] == want["prompt"]
    assert t["output_tokens"] == want["completion"]
    assert t["cost"] == pytest.approx(want["spend_micro_usd"] / 1e6)
    assert frame.attrs["rows_read"] == 400
    assert (frame.attrs["rows_skipped"], frame.attrs["rows_failed"]) == (88, 88)


def test_failed_requests_hand_sums_on_a_small_log():
    data, _ = _spend_log(11)
    # rows 0..10; failed: 0, 5, 10. Kept n = 1,2,3,4,6,7,8,9: prompt 100 + n -> 800 + 40 = 840;
    # completion 10 + n % 7 -> 80 + (1+2+3+4+6+0+1+2) = 99; spend (150 + n) micro-USD -> 1200 + 40 = 1240
    t = totals(parse_bytes(KEY, data, "spend.csv"))
    assert (t["requests"], t["input_tokens"], t["output_tokens"]) == (8, 840, 99)
    assert t["cost"] == pytest.approx(0.001240)


def test_a_log_without_status_keeps_every_row():
    data, _ = _spend_log(20, with_status=False)
    # older LiteLLM, no status column: all 20 rows are requests, failures' 0 tokens included
    t = totals(parse_bytes(KEY, data, "old.csv"))
    assert t["requests"] == 20
    # prompt: kept rows (n not in 0, 5, 10, 15) 100 + n -> 16 * 100 + (190 - 30) = 1760
    assert t["input_tokens"] == 1760


def test_failed_json_rows_are_not_counted():
    logs = json.loads(fixture_bytes(KEY, "spend_logs.json"))
    rows = logs["data"] if isinstance(logs, dict) else logs
    failure = dict(rows[0], request_id="r-429", status="failure", prompt_tokens=0, completion_tokens=0, spend=0.0)
    rows.append(failure)
    frame = parse_bytes(KEY, json.dumps(logs).encode(), "logs.json")
    assert totals(frame)["requests"] == 2  # as test_json_export: the failure adds none
    assert frame.attrs["rows_failed"] == 1


def test_an_unknown_status_is_refused_naming_the_row():
    data, _ = _spend_log(4)
    text = data.decode("utf-8").replace(",success\r\n", ",timeout\r\n", 1)
    err = refused(KEY, text.encode(), "spend.csv")
    # row 1 is the header; n = 1 (CSV row 3) is the first 'success'
    assert str(err) == "spend.csv, row 3, column 'status': expected 'success' or 'failure' (or blank), got 'timeout'"
