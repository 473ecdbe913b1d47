"""Bedrock model-invocation logs: several hundred records as S3 delivers them, totals == ingest --json.

Follows AWS's page https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html (JSON
lines, one ModelInvocationLog record per call; failed calls carry errorCode; cross-region inference profiles
add inferenceRegion). The records are generated here; the expected totals are summed from the generator's numbers.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from tests.connectors.doc_totals import ZERO, amounts, as_text, ingest_json

KEY = "aws_bedrock_invocations"
START = datetime(2026, 2, 1, tzinfo=UTC)
MODELS = [
    "anthropic.claude-3-5-haiku-20241022-v1:0",
    "us.anthropic.claude-sonnet-4-20250514-v1:0",
    "meta.llama3-1-70b-instruct-v1:0",
    "amazon.nova-pro-v1:0",
]
CALLERS = ["arn:aws:iam::111122223333:user/ana", "arn:aws:sts::111122223333:assumed-role/Batch/job-7"]
REGIONS = ["us-east-1", "eu-central-1"]


def record(rng: random.Random, n: int) -> dict:
    """One record in the documented shape, extra keys included; now and then a count written as a string."""
    moment = START + timedelta(minutes=17 * n)
    rec = {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "accountId": "111122223333",
        "identity": {"arn": rng.choice(CALLERS)},
        "region": rng.choice(REGIONS),
        "requestId": f"req-{n:06d}",
        "operation": rng.choice(["Converse", "InvokeModel", "ConverseStream"]),
        "modelId": rng.choice(MODELS),
        "input": {"inputContentType": "application/json", "inputTokenCount": as_text(rng, rng.randint(1, 9000))},
        "output": {"outputContentType": "application/json", "outputTokenCount": as_text(rng, rng.randint(0, 2000))},
        "requestMetadata": {"team": "support"},
    }
    if rng.random() < 0.3:
        rec["input"]["cacheReadInputTokenCount"] = rng.randint(0, 5000)
        rec["input"]["cacheWriteInputTokenCount"] = rng.randint(0, 1000)
    if rec["modelId"].startswith("us."):
        rec["inferenceRegion"] = rng.choice(["us-east-2", "us-west-2"])
    if rng.random() < 0.05:
        rec["errorCode"] = "ThrottlingException"
        rec["output"] = {}
    return rec


def generate(seed: int = 18, n: int = 600):
    rng = random.Random(seed)
    recs = [record(rng, i) for i in range(n)]
    expected, failed, keys = dict(ZERO), 0, set()
    for r in recs:
        if "errorCode" in r:
            failed += 1
            continue
        expected["requests"] += 1
        expected["input_tokens"] += int(r["input"]["inputTokenCount"]) + r["input"].get("cacheWriteInputTokenCount", 0)
        expected["cached_input_tokens"] += r["input"].get("cacheReadInputTokenCount", 0)
        expected["output_tokens"] += int(r["output"]["outputTokenCount"])
        region = r.get("inferenceRegion", r["region"])
        keys.add((r["timestamp"][:10], r["modelId"], r["identity"]["arn"], region))
    return recs, expected, failed, keys


def test_s3_json_lines_totals_exactly_in_ingest_json_and_again_stores_nothing(org_a, tmp_path, capsys):
    recs, expected, failed, keys = generate()
    data = "".join(json.dumps(r) + "\n" for r in recs).encode()
    out = ingest_json(tmp_path, capsys, KEY, "bedrock-invocations.jsonl", data)
    assert amounts(out) == expected
    assert (out["rows"], out["rows_skipped"], out["skipped"]) == (len(recs), failed, {"failed_request": failed})
    assert out["records"] == len(keys) and out["cost_by_currency"] == {}
    again = ingest_json(tmp_path, capsys, KEY, "bedrock-invocations.jsonl", data)
    assert again["records"] == 0 and again["duplicate_of"] == out["run"]


def test_a_json_array_with_a_bom_gives_the_same_totals(org_a, tmp_path, capsys):
    recs, expected, _, keys = generate(seed=19, n=400)
    data = b"\xef\xbb\xbf" + json.dumps(recs, indent=1).encode()
    out = ingest_json(tmp_path, capsys, KEY, "bedrock-invocations.json", data)
    assert amounts(out) == expected and out["records"] == len(keys)
