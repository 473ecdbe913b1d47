"""Amazon Bedrock model-invocation logs, read from the CloudWatch Logs log group Bedrock writes them to.

Follows AWS's pages "Monitor model invocation using CloudWatch Logs and Amazon S3"
(docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html: one JSON record per call, the
message of one log event) and the CloudWatch Logs API reference for ``FilterLogEvents``
(docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html): a POST to
``https://logs.<region>.amazonaws.com/`` in the JSON 1.1 protocol (``X-Amz-Target:
Logs_20140328.FilterLogEvents``), ``logGroupName``, ``startTime`` and ``endTime`` in epoch milliseconds (both
inclusive), ``limit`` up to 10,000 events, and ``nextToken`` pagination: a page may be partly full or empty while a
``nextToken`` says there is more. Requests are SigV4-signed by botocore with the credential's access key id,
secret access key and (temporary credentials) session token; botocore's own retries are off so the bounded retries
and messages are the same as the other pull clients'. The role needs ``logs:FilterLogEvents`` on the log group.

The records of the period go into one ``aws_bedrock_invocations`` document, one JSON line each, in the order
CloudWatch returned them. Two things are left out on purpose: events whose message is not an invocation record
(``schemaType`` ``ModelInvocationLog``), and the request and response bodies of each record (``input.*Body*``,
``output.*Body*``: the prompts and answers, when text delivery is on), which the ledger never reads and must not
copy into its file store. Everything else of the record is kept as Bedrock wrote it.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError
from botocore.session import Session

from apps.core.messages import Message

from . import _http
from ._http import BACKOFF_SECONDS, MAX_ATTEMPTS, TIMEOUT, USER_AGENT, Access, Document, PullError, dump
from ._report import period_name

log = logging.getLogger(__name__)

LABEL = "AWS"
# Formatted with the credential's region; a base URL (a VPC endpoint, the test server) replaces it.
DEFAULT_BASE_URL = "https://logs.{region}.amazonaws.com"
SOURCE_KEY = "aws_bedrock_invocations"
SCHEMA_TYPE = "ModelInvocationLog"
PAGE_LIMIT = 10_000  # the API's largest page
# A day of a busy account is many 1 MB pages, and empty pages may come between them; this stops a token loop.
MAX_PAGES = 20_000
RETRY_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "ServiceUnavailableException"}
)
REFUSED_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "IncompleteSignature",
        "InvalidClientTokenId",
        "ExpiredTokenException",
        "MissingAuthenticationToken",
    }
)
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def pack_secret(access_key_id: str, secret_access_key: str, session_token: str = "") -> str:
    """The three AWS keys as the one secret a credential stores encrypted."""
    return json.dumps(
        {"access_key_id": access_key_id, "secret_access_key": secret_access_key, "session_token": session_token}
    )


def unpack_secret(secret: str) -> tuple[str, str, str]:
    """(access key id, secret access key, session token) back from :func:`pack_secret`; PullError otherwise."""
    try:
        keys = json.loads(secret)
        found = (keys["access_key_id"], keys["secret_access_key"], keys.get("session_token") or "")
    except (ValueError, TypeError, KeyError):
        raise PullError(
            Message("AWS: the stored credential is not an access key id and secret; enter it again")
        ) from None
    if not all(isinstance(k, str) for k in found) or not found[0] or not found[1]:
        raise PullError(Message("AWS: the stored credential lacks the access key id or the secret; enter it again"))
    return found


def fetch(access: Access, start_day: date, end_day: date) -> list[Document]:
    """The invocation records of the UTC days start_day..end_day (inclusive) as one aws_bedrock_invocations
    document; no document when the log group has none in the period."""
    region, group = access.aws_region.strip(), access.log_group.strip()
    if not REGION.match(region):
        raise PullError(
            Message("AWS: the credential's region {region} is not a region name such as eu-west-1", region=repr(region))
        )
    if not group:
        raise PullError(Message("AWS: the credential names no CloudWatch Logs log group"))
    client = _client(access, region)
    params: dict[str, Any] = {
        "logGroupName": group,
        "startTime": _millis(start_day),
        "endTime": _millis(end_day + timedelta(days=1)) - 1,  # inclusive: the last millisecond of end_day
        "limit": PAGE_LIMIT,
    }
    lines: list[bytes] = []
    left_out = 0
    seen: set[str] = set()
    pages = 0
    while pages < MAX_PAGES:
        pages += 1
        page = _call(client, access, group, region, params)
        events = page.get("events")
        if not isinstance(events, list):
            raise PullError(Message("AWS answered FilterLogEvents with an unexpected shape (no 'events' list)"))
        for event in events:
            record = _record(event)
            if record is None:
                left_out += 1
                continue
            lines.append(dump(record) + b"\n")
        token = page.get("nextToken")
        if not token:
            break
        if token in seen:
            raise PullError(Message("AWS: the nextToken of log group {group} repeats; the pages loop", group=group))
        seen.add(token)
        params["nextToken"] = token
    else:  # the loop ran out of pages without reaching the last
        raise PullError(
            Message("AWS: more than {pages} pages of log group {group}; pull fewer days", pages=MAX_PAGES, group=group)
        )
    log.info(
        "AWS %s: %d invocation record(s) in %d page(s), %d other event(s) left out", group, len(lines), pages, left_out
    )
    if not lines:
        return []
    stem = f"aws-bedrock-invocations_{region}_{_UNSAFE.sub('-', group).strip('-')}"
    return [Document(SOURCE_KEY, period_name(stem, start_day, end_day, ".jsonl"), b"".join(lines))]


def _millis(day: date) -> int:
    return int(datetime.combine(day, time.min, tzinfo=UTC).timestamp() * 1000)


def _record(event: Any) -> dict | None:
    """The invocation record an event carries, bodies removed; None for an event that is not one."""
    message = event.get("message") if isinstance(event, dict) else None
    if not isinstance(message, str):
        return None
    try:
        record = json.loads(message)
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("schemaType") != SCHEMA_TYPE:
        return None
    for part in ("input", "output"):
        if isinstance(record.get(part), dict):
            record[part] = {k: v for k, v in record[part].items() if "Body" not in k}
    return record


_SESSION_LOCK = threading.Lock()


@functools.cache
def _session() -> Session:
    """One botocore session for every pull (it caches the service model, ~0.3 s to load), blind to the machine's
    AWS profile, config and credential files and AWS_* variables."""
    isolated = {name: (None, None, default, conv) for name, (_, _, default, conv) in Session.SESSION_VARIABLES.items()}
    isolated["config_file"] = (None, None, os.devnull, None)
    isolated["credentials_file"] = (None, None, os.devnull, None)
    return Session(session_vars=isolated)


def _client(access: Access, region: str):
    """A CloudWatch Logs client that reads nothing from the machine's AWS configuration or environment: the
    credential alone says which keys, region and endpoint are used."""
    key_id, secret, token = unpack_secret(access.secret)
    config = Config(
        connect_timeout=TIMEOUT[0],
        read_timeout=TIMEOUT[1],
        retries={"total_max_attempts": 1, "mode": "standard"},  # retried below, bounded and logged
        user_agent_extra=USER_AGENT,
        ignore_configured_endpoint_urls=True,
    )
    try:
        with _SESSION_LOCK:  # a botocore session is not thread-safe; the clients it makes are
            return _session().create_client(
                "logs",
                region_name=region,
                endpoint_url=access.base_url or None,
                aws_access_key_id=key_id,
                aws_secret_access_key=secret,
                aws_session_token=token or None,
                config=config,
            )
    except (BotoCoreError, ValueError) as exc:
        raise PullError(
            Message("AWS: the client could not be set up ({error}); check the region and URL", error=type(exc).__name__)
        ) from None


def _call(client, access: Access, group: str, region: str, params: dict[str, Any]) -> dict:
    """One FilterLogEvents page, retrying throttling, 5xx and network errors a bounded number of times."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return client.filter_log_events(**params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = str(error.get("Code", "")), _scrub(str(error.get("Message", "")), access)
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code not in RETRY_CODES and not (isinstance(status, int) and status >= 500):
                raise _refusal(code, message, status, group, region) from None
            why = f"{code or 'HTTP'} {status}"
            if attempt == MAX_ATTEMPTS:
                raise PullError(
                    Message(
                        "AWS still answered {why} for log group {group} after {attempts} attempts; try again later",
                        why=why,
                        group=group,
                        attempts=attempt,
                    ),
                    status,
                ) from None
        except (ConnectionError, HTTPClientError) as exc:
            why = type(exc).__name__
            if attempt == MAX_ATTEMPTS:
                raise PullError(
                    Message(
                        "could not reach AWS CloudWatch Logs after {attempts} attempts ({why})",
                        attempts=attempt,
                        why=why,
                    )
                ) from None
        except BotoCoreError as exc:
            raise PullError(Message("AWS: the request could not be made ({error})", error=type(exc).__name__)) from None
        wait = BACKOFF_SECONDS * 2 ** (attempt - 1)
        log.warning("AWS: %s, attempt %d of %d; waiting %.1f s", why, attempt, MAX_ATTEMPTS, wait)
        _http._sleep(wait)  # looked up at call time, so tests record waits instead of sleeping
    raise AssertionError("unreachable")  # the loop returns or raises


def _refusal(code: str, message: str, status: int | None, group: str, region: str) -> PullError:
    # AWS's own code and message, shown as AWS wrote them: a value, not text of ours to translate.
    detail = f" ({code}: {message[:200]})" if message else f" ({code})"
    if code in REFUSED_CODES:
        text = Message(
            "credential refused by AWS (HTTP {status}): check the access key id, secret and session token{detail}",
            status=status,
            detail=detail,
        )
    elif code == "AccessDeniedException":
        text = Message(
            "AWS refused FilterLogEvents on log group {group}: the credential lacks logs:FilterLogEvents{detail}",
            group=group,
            detail=detail,
        )
    elif code == "ResourceNotFoundException":
        text = Message(
            "AWS has no log group {group} in {region}: check the log group Bedrock logs to{detail}",
            group=group,
            region=region,
            detail=detail,
        )
    else:
        text = Message(
            "AWS answered HTTP {status} for log group {group}{detail}", status=status, group=group, detail=detail
        )
    return PullError(text, status)


def _scrub(message: str, access: Access) -> str:
    """AWS's message with any of the credential's keys blanked, should it be echoed."""
    try:
        keys = unpack_secret(access.secret)[1:]
    except PullError:
        return message
    for key in keys:
        if key:
            message = message.replace(key, "***")
    return message
