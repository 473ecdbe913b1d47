"""A fake CloudWatch Logs API on 127.0.0.1 for the Bedrock pull tests: ``FilterLogEvents`` in the JSON 1.1
protocol, paged with ``nextToken``, that checks every request's SigV4 signature the way AWS does (recomputed here
with the standard library from the secret it knows) and answers as AWS does when it fails. No test reaches AWS.

Follows the CloudWatch Logs API reference for FilterLogEvents
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html) and AWS's
"Create a signed AWS API request" (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)
for the canonical request, string to sign and signing key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler

from .local_http import serving

ACCESS_KEY_ID = "AKIAFAKEFAKEFAKE7890"
SECRET_ACCESS_KEY = "fake/Secret+Access/Key0000000000000WXYZ"
SESSION_KEY_ID = "ASIAFAKEFAKETEMP1234"
SESSION_SECRET = "temp/Secret+Access/Key111111111111111ABCD"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEFakeSessionToken//////////wEaCWV1LXdlc3QtMSJ" * 4
REGION = "eu-west-1"
LOG_GROUP = "/aws/bedrock/modelinvocations"
TARGET = "Logs_20140328.FilterLogEvents"
AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[A-Z0-9]+)/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)"
    r"/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})$"
)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")."""
    return _hmac(_hmac(_hmac(_hmac(f"AWS4{secret}".encode(), day), region), service), "aws4_request")


def canonical_request(
    method: str, path: str, query: str, headers: dict[str, str], signed: list[str], body: bytes
) -> str:
    """The canonical request of SigV4: method, URI, query, the signed headers (lower-case, trimmed), their names,
    the payload's SHA-256."""
    lines = "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in signed)
    return "\n".join([method, path, query, lines, ";".join(signed), hashlib.sha256(body).hexdigest()])


def signature(secret: str, amz_date: str, scope: str, canonical: str) -> str:
    """The hex signature of a canonical request for `scope` (date/region/service/aws4_request)."""
    day, region, service, _ = scope.split("/")
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    return hmac.new(signing_key(secret, day, region, service), to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class Seen:
    """One request as the server received it."""

    headers: dict[str, str]
    body: dict
    authorization: re.Match | None


@dataclass
class FakeLogs:
    """The log group's events, the page size, forced answers served first, and what was asked."""

    events: list[dict] = field(default_factory=list)
    events_per_page: int = 2
    empty_page_after: int | None = 1  # an empty page with a nextToken after this page, as the API may send
    forced: list[tuple[int, dict]] = field(default_factory=list)  # (status, JSON body)
    seen: list[Seen] = field(default_factory=list)
    keys: dict[str, tuple[str, str]] = field(
        default_factory=lambda: {
            ACCESS_KEY_ID: (SECRET_ACCESS_KEY, ""),
            SESSION_KEY_ID: (SESSION_SECRET, SESSION_TOKEN),
        }
    )
    base_url: str = ""


def _error(kind: str, message: str) -> dict:
    return {"__type": kind, "message": message}


def _handler(logs: FakeLogs):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            match = AUTHORIZATION.match(headers.get("authorization", ""))
            logs.seen.append(Seen(headers, json.loads(body or b"{}"), match))
            refused = self._refused(match, headers, body)
            if refused:
                return self._send(400, refused)
            if logs.forced:
                return self._send(*logs.forced.pop(0))
            if headers.get("x-amz-target") != TARGET or headers.get("content-type") != "application/x-amz-json-1.1":
                return self._send(400, _error("UnknownOperationException", "unknown operation"))
            return self._send(200, self._page(json.loads(body)))

        def _refused(self, match, headers, body) -> dict | None:
            """AWS's answer to a request whose signature does not hold, None when it does."""
            if match is None:
                return _error("IncompleteSignature", "Authorization header requires a well-formed SigV4 value")
            key = logs.keys.get(match["key"])
            if key is None:
                return _error("UnrecognizedClientException", "The security token included in the request is invalid.")
            secret, token = key
            if token and headers.get("x-amz-security-token") != token:
                return _error("UnrecognizedClientException", "The security token included in the request is invalid.")
            signed = match["signed"].split(";")
            if "host" not in signed or "x-amz-date" not in signed or any(name not in headers for name in signed):
                return _error("IncompleteSignature", "host and x-amz-date must be signed")
            scope = f"{match['date']}/{match['region']}/{match['service']}/aws4_request"
            canonical = canonical_request("POST", "/", "", headers, signed, body)
            if not hmac.compare_digest(signature(secret, headers["x-amz-date"], scope, canonical), match["signature"]):
                return _error("InvalidSignatureException", "The request signature we calculated does not match.")
            return None

        def _page(self, query: dict) -> dict:
            if query["logGroupName"] != LOG_GROUP:
                return _error("ResourceNotFoundException", "The specified log group does not exist.")
            events = [e for e in logs.events if query["startTime"] <= e["timestamp"] <= query["endTime"]]
            token = query.get("nextToken", "tok-0-0")
            _, start, page = token.split("-")
            start, page = int(start), int(page)
            if logs.empty_page_after is not None and page == logs.empty_page_after:
                chunk, end = [], start  # partly full pages are not the end: the token says there is more
            else:
                size = min(query.get("limit", 10000), logs.events_per_page)
                chunk, end = events[start : start + size], start + size
            answer: dict = {"events": chunk, "searchedLogStreams": []}
            if end < len(events):
                answer["nextToken"] = f"tok-{end}-{page + 1}"
            return answer

        def _send(self, status: int, body: dict) -> None:
            if status == 200 and "__type" in body:
                status = 400
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("x-amzn-RequestId", "00000000-fake-request")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


class FakeLogsServer:
    """Context manager: serve a FakeLogs on 127.0.0.1, on a free port, in a thread."""

    def __init__(self, logs: FakeLogs | None = None):
        self.logs = logs or FakeLogs()

    def __enter__(self) -> FakeLogs:
        self._serving = serving(_handler(self.logs))
        self.logs.base_url = self._serving.__enter__()
        return self.logs

    def __exit__(self, *exc):
        return self._serving.__exit__(*exc)


def invocation(request_id: str, timestamp: str, model_id: str, input_tokens: int, output_tokens: int, **extra) -> dict:
    """One model-invocation log record as Bedrock writes it (model-invocation-logging.html), with bodies."""
    record = {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": timestamp,
        "accountId": "111122223333",
        "identity": {"arn": extra.pop("arn", "arn:aws:sts::111122223333:assumed-role/AppRole/support-bot")},
        "region": REGION,
        "requestId": request_id,
        "operation": "Converse",
        "modelId": model_id,
        "input": {
            "inputContentType": "application/json",
            "inputBodyJson": {"messages": [{"role": "user", "content": [{"text": "a customer's private question"}]}]},
            "inputTokenCount": input_tokens,
            **extra.pop("input", {}),
        },
        "output": {
            "outputContentType": "application/json",
            "outputBodyJson": {"output": {"message": {"content": [{"text": "the model's private answer"}]}}},
            "outputTokenCount": output_tokens,
        },
        **extra,
    }
    return record


def event(n: int, timestamp_ms: int, message: str) -> dict:
    """One FilteredLogEvent as FilterLogEvents returns it."""
    return {
        "logStreamName": "aws/bedrock/modelinvocations",
        "timestamp": timestamp_ms,
        "message": message,
        "ingestionTime": timestamp_ms + 1500,
        "eventId": f"3765{n:052d}",
    }


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def sample_events() -> list[dict]:
    """Five invocations over the three days, one failed call, one event that is not a record, one outside."""
    records = [
        ("r1", "2026-03-01T08:00:00", "anthropic.claude-3-haiku-20240307-v1:0", 100, 40, {}),
        (
            "r2",
            "2026-03-01T09:30:00",
            "eu.anthropic.claude-sonnet-4-20250514-v1:0",
            1200,
            250,
            {
                "input": {"cacheReadInputTokenCount": 800, "cacheWriteInputTokenCount": 300},
                "inferenceRegion": "eu-west-3",
            },
        ),
        (
            "r3",
            "2026-03-02T12:00:00",
            "mistral.mistral-large-2402-v1:0",
            510,
            90,
            {"arn": "arn:aws:iam::111122223333:user/dana"},
        ),
        ("r4", "2026-03-03T23:59:59", "anthropic.claude-3-haiku-20240307-v1:0", 64, 128, {}),
        (
            "r5",
            "2026-03-03T10:00:00",
            "anthropic.claude-3-haiku-20240307-v1:0",
            10,
            0,
            {"errorCode": "ThrottlingException"},
        ),
    ]
    events = [
        event(n, ms(ts), json.dumps(invocation(rid, ts + "Z", model, i, o, **extra)))
        for n, (rid, ts, model, i, o, extra) in enumerate(records)
    ]
    events.insert(2, event(90, ms("2026-03-01T10:00:00"), "permission check for the Bedrock logging role"))
    # 4 March is after the period asked: the server's time filter leaves it out.
    events.append(
        event(91, ms("2026-03-04T00:00:00"), json.dumps(invocation("r6", "2026-03-04T00:00:00Z", "x.y-v1:0", 1, 1)))
    )
    return events
