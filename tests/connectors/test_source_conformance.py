"""Every registered source keeps the contract of the package (apps/connectors/sources/base.py): it satisfies the
Source protocol, parses each of its fixtures in tests/fixtures/<key>/ to the usage frame and is detected from
them, and refuses an empty file with a message naming the file. A new source is checked here by registering it."""

import codecs
import io

import pytest

from apps.connectors.sources import SOURCES, ChunkedSource, SeatSource, Source, combine, detect
from apps.connectors.sources.skips import SkipReason
from apps.footprint import usage_frame
from tests.connectors.helpers import FIXTURES, fixture_bytes, parse_bytes, refused

ALL_FIXTURES = sorted((p.parent.name, p.name) for p in FIXTURES.glob("*/*") if p.parent.name in SOURCES)
CHUNKED = {
    "litellm_spend_logs",
    "generic_csv",
    "azure_openai_cost",
    "gcp_billing_export",
    "codecarbon_emissions",
    "aws_bedrock_invocations",
    "otel_genai",
    "aws_cur_bedrock",
}
SEATS = {"github_copilot_seats", "m365_copilot_usage", "chatgpt_enterprise_analytics"}


def test_every_source_is_registered_with_the_interface():
    assert set(SOURCES) == {
        "openai_usage",
        "anthropic_usage",
        "azure_openai_cost",
        "gcp_billing_export",
        "github_copilot_seats",
        "github_copilot_metrics",
        "github_copilot_usage_reports",
        "m365_copilot_usage",
        "litellm_spend_logs",
        "codecarbon_emissions",
        "generic_csv",
        "openai_costs",
        "anthropic_cost_report",
        "aws_bedrock_invocations",
        "anthropic_claude_code",
        "otel_genai",
        "aws_cur_bedrock",
        "cursor_admin",
        "cursor_daily_usage",
        "chatgpt_enterprise_analytics",
    }
    for key, module in SOURCES.items():
        assert key == module.KEY and module.LABEL and callable(module.parse)
    for key in (
        "litellm_spend_logs",
        "generic_csv",
        "azure_openai_cost",
        "gcp_billing_export",
        "codecarbon_emissions",
    ):
        assert callable(SOURCES[key].iter_chunks)


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_source_satisfies_the_protocol(key):
    module = SOURCES[key]
    assert isinstance(module, Source)
    assert key == module.KEY and module.LABEL
    assert module.SIGNATURE and all(isinstance(name, str) and name for name in module.SIGNATURE)
    assert isinstance(module, ChunkedSource) == (key in CHUNKED)
    assert isinstance(module, SeatSource) == (key in SEATS)


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_source_has_a_fixture(key):
    assert any(k == key for k, _ in ALL_FIXTURES), f"tests/fixtures/{key}/ holds no file"


@pytest.mark.parametrize(("key", "name"), ALL_FIXTURES)
def test_every_fixture_parses_to_a_valid_frame_and_is_detected(key, name):
    frame = parse_bytes(key, fixture_bytes(key, name), name)
    usage_frame.validate(frame)
    assert list(frame.columns) == list(usage_frame.COLUMN_NAMES)
    assert set(frame["source"]) == {key}
    assert detect(io.BytesIO(fixture_bytes(key, name)))[0][0] == key


# CodeCarbon keeps one row per run over the whole file, so its chunks may hold rows its parse drops.
@pytest.mark.parametrize(
    ("key", "name"), [(k, n) for k, n in ALL_FIXTURES if k in CHUNKED and k != "codecarbon_emissions"]
)
def test_chunks_sum_to_the_whole_file(key, name):
    whole = parse_bytes(key, fixture_bytes(key, name), name)
    chunks = list(SOURCES[key].iter_chunks(io.BytesIO(fixture_bytes(key, name)), name, chunk_rows=2))
    assert all(list(chunk.columns) == list(usage_frame.COLUMN_NAMES) for chunk in chunks)
    amounts = list(usage_frame.NUMERIC_COLUMNS)
    assert combine(chunks)[amounts].sum().round(9).equals(whole[amounts].sum().round(9))


@pytest.mark.parametrize("key", sorted(SOURCES))
@pytest.mark.parametrize("data", [b"", b"  \n\r\n", codecs.BOM_UTF8])
def test_empty_file(key, data):
    err = refused(key, data, "empty.csv")
    assert str(err) == "empty.csv: the file is empty"


@pytest.mark.parametrize(("key", "name"), ALL_FIXTURES)
def test_every_row_left_out_is_counted_under_a_reason(key, name):
    """Nothing is left out without a reason (apps/connectors/sources/skips.py): the skipped-by-reason counts are
    known codes and sum to rows_skipped, chunk by chunk as for the whole file."""
    frame = parse_bytes(key, fixture_bytes(key, name), name)
    chunks = [frame]
    if key in CHUNKED:
        chunks += list(SOURCES[key].iter_chunks(io.BytesIO(fixture_bytes(key, name)), name, chunk_rows=2))
    for part in chunks:
        skipped = part.attrs["skipped"]
        assert set(skipped) <= {reason.value for reason in SkipReason} - {SkipReason.UNSPECIFIED.value}
        assert all(n > 0 for n in skipped.values())
        assert sum(skipped.values()) == part.attrs["rows_skipped"] <= part.attrs["rows_read"]
