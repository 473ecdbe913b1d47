"""The Bedrock invocation-logs pull client against a fake CloudWatch Logs API on 127.0.0.1 (no network).

Follows https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html (JSON 1.1,
X-Amz-Target Logs_20140328.FilterLogEvents, startTime/endTime in epoch ms, nextToken pages that may be empty) and
https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html (one record per call). The fake
server recomputes each SigV4 signature; its verifier is first checked against AWS's documented example.
"""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest

from apps.connectors.pull import Access, PullError, _http, fetch
from apps.connectors.pull.aws_bedrock_logs import pack_secret, unpack_secret
from apps.connectors.sources import get_source
from tests.connectors.helpers import totals

from .pull_fake_aws import (
    ACCESS_KEY_ID,
    LOG_GROUP,
    REGION,
    SECRET_ACCESS_KEY,
    SESSION_KEY_ID,
    SESSION_SECRET,
    SESSION_TOKEN,
    FakeLogsServer,
    canonical_request,
    sample_events,
    signature,
    signing_key,
)

D1, D3 = date(2026, 3, 1), date(2026, 3, 3)


@pytest.fixture(autouse=True)
def waits(monkeypatch):
    recorded: list[float] = []
    monkeypatch.setattr(_http, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def logs():
    with FakeLogsServer() as fake:
        fake.events = sample_events()
        yield fake


def access(logs, key_id=ACCESS_KEY_ID, secret=SECRET_ACCESS_KEY, token="", group=LOG_GROUP) -> Access:
    return Access(pack_secret(key_id, secret, token), base_url=logs.base_url, aws_region=REGION, log_group=group)


def test_the_signature_check_of_the_fake_server_follows_aws_documented_example():
    # AWS's worked example (IAM ListUsers, 20150830T123600Z, us-east-1, secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY)
    # in "Create a signed AWS API request" / the Signature Version 4 examples: the hashed canonical request, the
    # signing key and the signature it gives.
    headers = {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        "host": "iam.amazonaws.com",
        "x-amz-date": "20150830T123600Z",
    }
    canonical = canonical_request(
        "GET", "/", "Action=ListUsers&Version=2010-05-08", headers, ["content-type", "host", "x-amz-date"], b""
    )
    assert hashlib.sha256(canonical.encode()).hexdigest() == (
        "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
    )
    secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    assert signing_key(secret, "20150830", "us-east-1", "iam").hex() == (
        "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
    )
    assert signature(secret, "20150830T123600Z", "20150830/us-east-1/iam/aws4_request", canonical) == (
        "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
    )


def test_pages_are_followed_signed_requests_and_the_document_parses_to_hand_totals(logs):
    [document] = fetch("aws_bedrock", access(logs), D1, D3)
    assert document.source_key == "aws_bedrock_invocations"
    assert (
        document.filename
        == "aws-bedrock-invocations_eu-west-1_aws-bedrock-modelinvocations_2026-03-01_2026-03-03.jsonl"
    )
    # 6 events in the period (5 records, 1 other), two a page, and an empty page with a token after the first.
    bodies = [s.body for s in logs.seen]
    assert [b.get("nextToken") for b in bodies] == [None, "tok-2-1", "tok-2-2", "tok-4-3"]
    # The period: 1 March 00:00 UTC to the last millisecond of 3 March, by hand.
    assert {(b["logGroupName"], b["startTime"], b["endTime"], b["limit"]) for b in bodies} == {
        (LOG_GROUP, 1772323200000, 1772582399999, 10000)
    }
    for seen in logs.seen:
        assert seen.headers["x-amz-target"] == "Logs_20140328.FilterLogEvents"
        assert seen.authorization is not None, seen.headers.get("authorization")
        assert seen.authorization["key"] == ACCESS_KEY_ID and seen.authorization["region"] == REGION
        assert seen.authorization["service"] == "logs" and seen.authorization["date"] == seen.headers["x-amz-date"][:8]
        assert {"host", "x-amz-date", "x-amz-target"} <= set(seen.authorization["signed"].split(";"))
        assert "x-amz-security-token" not in seen.headers
    lines = document.content.splitlines()
    assert len(lines) == 5  # the permission-check event is not a record
    assert b"private" not in document.content and b"BodyJson" not in document.content
    frame = get_source("aws_bedrock_invocations").parse(io.BytesIO(document.content), document.filename)
    got = totals(frame)
    # By hand: r5 failed (skipped); cache writes are input: 100 + (1200 + 300) + 510 + 64.
    assert got["requests"] == 4 and got["input_tokens"] == 2174 and got["cached_input_tokens"] == 800
    assert got["output_tokens"] == 40 + 250 + 90 + 128
    assert frame.attrs["skipped"] == {"failed_request": 1}
    assert set(frame["zone"]) == {"aws:eu-west-1", "aws:eu-west-3"}


def test_temporary_keys_send_their_session_token_and_are_accepted(logs):
    [document] = fetch("aws_bedrock", access(logs, SESSION_KEY_ID, SESSION_SECRET, SESSION_TOKEN), D1, D3)
    assert len(document.content.splitlines()) == 5
    assert all(s.headers["x-amz-security-token"] == SESSION_TOKEN for s in logs.seen)
    assert all("x-amz-security-token" in s.authorization["signed"].split(";") for s in logs.seen)


def test_throttling_is_retried_with_a_bounded_backoff(logs, waits):
    throttled = {"__type": "ThrottlingException", "message": "Rate exceeded"}
    logs.forced = [(400, throttled), (400, throttled)]
    [document] = fetch("aws_bedrock", access(logs), D1, D3)
    assert len(document.content.splitlines()) == 5
    assert waits == [2.0, 4.0] and len(logs.seen) == 4 + 2


def test_throttling_that_does_not_stop_is_reported(logs, waits):
    logs.forced = [(400, {"__type": "ThrottlingException", "message": "Rate exceeded"})] * 4
    with pytest.raises(PullError, match=r"still answered ThrottlingException 400 .* after 4 attempts"):
        fetch("aws_bedrock", access(logs), D1, D3)
    assert len(waits) == 3


def test_access_denied_is_refused_clearly_and_not_retried(logs, waits):
    denied = (
        "User: arn:aws:iam::111122223333:user/ledger is not authorized to perform: logs:FilterLogEvents on "
        "resource: arn:aws:logs:eu-west-1:111122223333:log-group:/aws/bedrock/modelinvocations:log-stream:"
    )
    logs.forced = [(400, {"__type": "AccessDeniedException", "message": denied})]
    with pytest.raises(PullError) as caught:
        fetch("aws_bedrock", access(logs), D1, D3)
    message = str(caught.value)
    assert message.startswith(
        "AWS refused FilterLogEvents on log group /aws/bedrock/modelinvocations: the credential lacks "
        "logs:FilterLogEvents (AccessDeniedException: User: arn:aws:iam::111122223333:user/ledger is not authorized"
    )
    assert waits == [] and len(logs.seen) == 1


def test_a_wrong_secret_fails_the_signature_and_is_called_a_refused_credential(logs):
    with pytest.raises(PullError, match=r"credential refused by AWS \(HTTP 400\).*InvalidSignatureException"):
        fetch("aws_bedrock", access(logs, secret="wrong/Secret+Access/Key0000000000000000"), D1, D3)
    with pytest.raises(PullError, match=r"credential refused by AWS.*UnrecognizedClientException"):
        fetch("aws_bedrock", access(logs, key_id="AKIAUNKNOWNKEY000000"), D1, D3)


def test_a_missing_log_group_names_it(logs):
    with pytest.raises(PullError, match="AWS has no log group /aws/bedrock/other in eu-west-1"):
        fetch("aws_bedrock", access(logs, group="/aws/bedrock/other"), D1, D3)


def test_a_quiet_period_gives_no_document(logs):
    assert fetch("aws_bedrock", access(logs), date(2026, 2, 1), date(2026, 2, 3)) == []


def test_bad_settings_are_refused_before_any_request(logs):
    with pytest.raises(PullError, match="not a region name"):
        fetch(
            "aws_bedrock",
            Access(pack_secret(ACCESS_KEY_ID, SECRET_ACCESS_KEY), logs.base_url, aws_region="Paris"),
            D1,
            D1,
        )
    with pytest.raises(PullError, match="names no CloudWatch Logs log group"):
        fetch(
            "aws_bedrock",
            Access(pack_secret(ACCESS_KEY_ID, SECRET_ACCESS_KEY), logs.base_url, aws_region=REGION),
            D1,
            D1,
        )
    with pytest.raises(PullError, match="not an access key id and secret"):
        fetch("aws_bedrock", Access("sk-not-aws", logs.base_url, aws_region=REGION, log_group=LOG_GROUP), D1, D1)
    assert logs.seen == []


def test_the_packed_secret_round_trips_and_keeps_out_of_repr():
    packed = pack_secret(SESSION_KEY_ID, SESSION_SECRET, SESSION_TOKEN)
    assert unpack_secret(packed) == (SESSION_KEY_ID, SESSION_SECRET, SESSION_TOKEN)
    assert SESSION_SECRET not in repr(Access(packed, aws_region=REGION, log_group=LOG_GROUP))


def test_an_endpoint_that_does_not_answer_is_retried_then_reported(waits):
    import socket

    with socket.socket() as probe:  # a free port on 127.0.0.1 that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = Access(
        pack_secret(ACCESS_KEY_ID, SECRET_ACCESS_KEY),
        f"http://127.0.0.1:{port}",
        aws_region=REGION,
        log_group=LOG_GROUP,
    )
    with pytest.raises(
        PullError, match=r"could not reach AWS CloudWatch Logs after 4 attempts \(EndpointConnectionError\)"
    ):
        fetch("aws_bedrock", closed, D1, D3)
    assert waits == [2.0, 4.0, 8.0]


def test_the_machine_s_aws_profile_and_endpoint_settings_are_not_used(logs, monkeypatch):
    # The credential alone decides: a server's own AWS_* settings must neither break nor redirect the pull.
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAMACHINEKEY000000")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "9")
    [document] = fetch("aws_bedrock", access(logs), D1, D3)
    assert len(document.content.splitlines()) == 5
    assert {s.authorization["key"] for s in logs.seen} == {ACCESS_KEY_ID}
