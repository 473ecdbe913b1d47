"""The shortcuts that make big LiteLLM logs parse fast give what the plain ways give."""

import csv
import io
import json
import random

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from apps.connectors.sources import litellm_spend_logs
from apps.connectors.sources.bounds import MAX_AMOUNT
from apps.connectors.sources.errors import SourceError, describe_value
from apps.core.distinct import per_distinct
from tests.connectors.helpers import fixture_bytes

PIECES = [
    '"user_api_key_alias',
    '"user_api_key_user_id',
    '"cached_tokens',
    '"',
    '"',
    ":",
    " ",
    "\t",
    "\n",
    "x",
    "null",
    "0",
    "12",
    "{",
    "}",
    ",",
    "é",
    "_extra",
    '"user_api_key_alias"',
    ': "',
    '": "v"',
    '": 5',
]


@pytest.mark.parametrize("name", sorted(litellm_spend_logs._META))
def test_first_match_finds_what_extract_regex_finds(name):
    marker, rest = litellm_spend_logs._META[name]
    rng = random.Random(name)
    for _ in range(300):
        rows = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14))) for _ in range(rng.randint(0, 20))]
        if rows and rng.random() < 0.3:
            rows[rng.randrange(len(rows))] = None
        cut = rng.randint(0, len(rows))
        text = pa.chunked_array([pa.array(rows[:cut], pa.string()), pa.array(rows[cut:], pa.string())])
        expected = pc.struct_field(pc.extract_regex(text, marker + rest), [0])
        assert litellm_spend_logs.first_match(text, marker, rest).to_pylist() == expected.to_pylist(), rows


def test_per_distinct_is_per_record():
    models = pa.chunked_array([["gpt-4o", "azure/gpt-4o", "x"], ["azure/gpt-4o", "gpt-4o", ""]])
    providers = pa.chunked_array([["openai", "azure"], ["azure", "azure", "openai", ""]])
    got = per_distinct(litellm_spend_logs._model_names, models, providers).to_pylist()
    assert got == litellm_spend_logs._model_names(models.to_pylist(), providers.to_pylist())
    assert got == ["gpt-4o", "gpt-4o", "x", "gpt-4o", "gpt-4o", ""]
    flags = pa.chunked_array([[" True", "no", "YES"], ["1", "false"]])
    assert per_distinct(litellm_spend_logs._is_true, flags).to_pylist() == [False, False, True, True, False]
    assert per_distinct(litellm_spend_logs._is_true, pa.chunked_array([], pa.string())).to_pylist() == []


def test_bad_value_after_cache_hits_names_its_own_row():
    lines = fixture_bytes("litellm_spend_logs", "spend_logs.csv").decode().splitlines(keepends=True)
    body = "".join(lines[1:]).replace(",False,", ",True,")  # every fixture row a cache hit but the copy below
    bad = "".join(lines[1:]).replace(",0.0105,2300,2000,300,", ",0.0105,2300,2000,3x0,")
    data = (lines[0] + body + bad).encode()
    chunks = litellm_spend_logs.iter_chunks(io.BytesIO(data), "logs.csv", chunk_rows=100)
    with pytest.raises(Exception) as info:
        list(chunks)
    assert str(info.value) == "logs.csv, row 10, column 'completion_tokens': expected a whole number >= 0, got '3x0'"


# --- metadata's cached_tokens: read by regex from the metadata text, checked as the other amounts are --------

LOG_COLUMNS = [
    "request_id",
    "call_type",
    "spend",
    "prompt_tokens",
    "completion_tokens",
    "startTime",
    "model",
    "model_group",
    "custom_llm_provider",
    "user",
    "metadata",
    "cache_hit",
]


def _metadata(cached: str | None) -> str:
    """LiteLLM's metadata text, with `cached` (digits as written) as prompt_tokens_details.cached_tokens."""
    usage = "" if cached is None else f', "usage_object": {{"prompt_tokens_details": {{"cached_tokens": {cached}}}}}'
    return '{"user_api_key_alias": "svc"' + usage + "}"


def _spend_log(fmt: str, rows: list[tuple[int, str | None, bool]]) -> bytes:
    """A tiny LiteLLM log: one request per (prompt_tokens, cached_tokens, cache_hit), each its own model, as CSV
    (a table export: metadata is JSON text) or JSON (a list of log objects: metadata is an object)."""
    records = [
        {
            "request_id": f"r{i}",
            "call_type": "acompletion",
            "spend": 0.001,
            "prompt_tokens": prompt,
            "completion_tokens": 10,
            "startTime": "2025-02-01T09:00:00Z",
            "model": f"m{i}",
            "model_group": f"m{i}",
            "custom_llm_provider": "openai",
            "user": "alice",
            "metadata": _metadata(cached),
            "cache_hit": hit,
        }
        for i, (prompt, cached, hit) in enumerate(rows)
    ]
    if fmt == "json":
        return json.dumps([r | {"metadata": json.loads(r["metadata"])} for r in records]).encode()
    out = io.StringIO()
    writer = csv.DictWriter(out, LOG_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode()


def _refusal(fmt: str, rows: list[tuple[int, str | None, bool]], chunk_rows: int) -> SourceError:
    data = _spend_log(fmt, rows)
    with pytest.raises(SourceError) as info:
        list(litellm_spend_logs.iter_chunks(io.BytesIO(data), f"logs.{fmt}", chunk_rows=chunk_rows))
    return info.value


TOO_BIG = "expected a whole number >= 0 of at most 1,000,000,000,000 for metadata's cached_tokens, got "


@pytest.mark.parametrize("chunk_rows", [2, 100])
@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize(
    "cached",
    ["99999999999999999999999", "9223372036854775808", "1000000000001", "1" + "0" * 4000],
    ids=["beyond-int64", "int64-max-plus-one", "above-max-amount", "4000-digits"],
)
def test_cached_tokens_too_big_names_the_row_and_the_metadata_column(fmt, cached, chunk_rows):
    # Row 2 is a cache hit (skipped before the check), row 3 fine; rows 4 and 5 too big: the first one is named.
    rows = [(100, cached, True), (100, "40", False), (100, cached, False), (100, "7" + cached, False)]
    err = _refusal(fmt, rows, chunk_rows)
    where = 4 if fmt == "csv" else "[2]"
    assert (err.filename, err.row, err.column) == (f"logs.{fmt}", where, "metadata")
    assert err.message == TOO_BIG + describe_value(cached)
    location = "row 4, column 'metadata'" if fmt == "csv" else "at [2].metadata"
    assert str(err) == f"logs.{fmt}, {location}: {TOO_BIG}'{cached if len(cached) < 60 else cached[:56] + '...'}'"


def test_cached_tokens_over_int64_message_in_full():
    err = _refusal("csv", [(100, "99999999999999999999999", False)], 100)
    assert str(err) == (
        "logs.csv, row 2, column 'metadata': expected a whole number >= 0 of at most "
        "1,000,000,000,000 for metadata's cached_tokens, got '99999999999999999999999'"
    )
    err = _refusal("json", [(100, "5", False), (100, "1000000000001", False)], 100)
    assert str(err) == (
        "logs.json, at [1].metadata: expected a whole number >= 0 of at most "
        "1,000,000,000,000 for metadata's cached_tokens, got '1000000000001'"
    )


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_cached_tokens_in_range_parse_as_before(fmt):
    rows = [
        (1000, "400", False),  # m0: 400 of the 1000 prompt tokens cached
        (300, "5000", False),  # m1: more cached than prompt tokens: clipped to the prompt tokens
        (MAX_AMOUNT, str(MAX_AMOUNT), False),  # m2: MAX_AMOUNT itself is accepted, as for prompt_tokens
        (50, None, False),  # m3: no cached_tokens in the metadata
        (70, "1", True),  # m4: a cache hit, skipped
    ]
    if fmt == "csv":
        rows.append((900, "0" * 30 + "400", False))  # m5: long only by its leading zeros (not valid JSON)
    frame = litellm_spend_logs.parse(io.BytesIO(_spend_log(fmt, rows)), f"logs.{fmt}")
    got = {
        m: (r.input_tokens, r.cached_input_tokens, r.output_tokens, r.requests)
        for m, r in frame.set_index("model").iterrows()
    }
    expected = {"m0": (600, 400, 10, 1), "m1": (0, 300, 10, 1), "m2": (0, MAX_AMOUNT, 10, 1), "m3": (50, 0, 10, 1)}
    if fmt == "csv":
        expected["m5"] = (500, 400, 10, 1)
    assert got == expected
    assert (frame.attrs["rows_read"], frame.attrs["rows_skipped"]) == (len(rows), 1)
