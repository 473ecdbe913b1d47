"""Amazon Bedrock model-invocation logs (source ``aws_bedrock_invocations``).

Follows AWS's page "Monitor model invocation using CloudWatch Logs and Amazon S3"
(https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html): one JSON record per call
with schemaType, timestamp, accountId, identity.arn, region, requestId, operation, modelId,
input.inputTokenCount (and cacheRead/cacheWriteInputTokenCount), output.outputTokenCount, errorCode on failure.
"""

from __future__ import annotations

import json

import pytest

from apps.connectors.sources.aws_bedrock_invocations import model_and_provider
from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "aws_bedrock_invocations"


def records() -> list[dict]:
    return [json.loads(line) for line in fixture_bytes(KEY, "invocations.jsonl").splitlines()]


def test_fixture_totals_zones_and_the_failed_call_skipped():
    frame = parse_bytes(KEY, fixture_bytes(KEY, "invocations.jsonl"))
    got = totals(frame)
    # By hand from the five records: the throttled one (errorCode) is left out; the cache write is input.
    assert got["requests"] == 4
    assert got["input_tokens"] == 35 + (1200 + 300) + 510 + 64
    assert got["cached_input_tokens"] == 800
    assert got["output_tokens"] == 446 + 250 + 90 + 128
    assert frame.attrs["skipped"] == {"failed_request": 1} and frame.attrs["rows_read"] == 5
    by_model = frame.set_index("model")
    # A cross-region profile ran in us-west-2: its inferenceRegion is the zone, not the calling region.
    assert by_model.loc["claude-sonnet-4-20250514", "zone"] == "aws:us-west-2"
    assert by_model.loc["claude-3-haiku-20240307", "zone"] == "aws:us-east-1"
    assert by_model.loc["mistral-large-2402", "provider"] == "mistral"
    assert by_model.loc["nova-lite", "person"] == "arn:aws:iam::111122223333:user/dana"
    # 00:10 at +01:00 on 3 March is 23:10 UTC on 2 March.
    assert str(by_model.loc["nova-lite", "day"].date()) == "2026-03-02"
    assert set(frame["project"]) == {"111122223333"}


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("anthropic.claude-3-haiku-20240307-v1:0", ("claude-3-haiku-20240307", "anthropic")),
        ("eu.anthropic.claude-3-7-sonnet-20250219-v1:0", ("claude-3-7-sonnet-20250219", "anthropic")),
        ("global.anthropic.claude-sonnet-4-5-20250929-v1:0", ("claude-sonnet-4-5-20250929", "anthropic")),
        ("meta.llama3-70b-instruct-v1:0", ("llama3-70b-instruct", "meta")),
        ("arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abc123xyz", ("abc123xyz", "aws_bedrock")),
    ],
)
def test_model_ids_profiles_and_arns(model_id, expected):
    assert model_and_provider(model_id) == expected


def test_a_cloudwatch_export_and_a_json_list_read_the_same():
    lines = records()
    events = {"events": [{"timestamp": 0, "message": json.dumps(r)} for r in lines]}
    as_events = totals(parse_bytes(KEY, json.dumps(events).encode()))
    as_list = totals(parse_bytes(KEY, b"\xef\xbb\xbf" + json.dumps(lines).encode()))
    assert as_events == as_list == totals(parse_bytes(KEY, fixture_bytes(KEY, "invocations.jsonl")))


def test_a_missing_token_count_is_refused_naming_the_record_and_key():
    lines = records()
    del lines[2]["output"]["outputTokenCount"]
    error = refused(KEY, "".join(json.dumps(r) + "\n" for r in lines).encode(), "bedrock.jsonl")
    assert (error.row, error.column) == ("[2].output", "outputTokenCount")
    assert "bedrock.jsonl" in str(error) and "missing" in error.message


def test_another_vendors_file_is_refused_with_a_hint():
    error = refused(KEY, fixture_bytes("anthropic_usage", "usage_report_messages.json"), "report.json")
    assert "anthropic_usage" in error.message
