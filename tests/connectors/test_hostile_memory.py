"""Hostile files read in bounded memory (issue 19): each is written to disk here, block by block, then parsed by its
source in a fresh Python process, which reports its peak RSS (VmHWM) before and after the parse. Every file must be
refused with its message, and the parse must add less than EXTRA_MIB to the process's peak.

Measured on 2026-12-03 (`pytest tests/connectors/test_hostile_memory.py -s` prints them), on a process of 112 MiB
after its imports: the 190 MiB quoted cell added 40 MiB (about 390 MiB before: the line was read whole to find
its row), the 190 MiB JSON string and OTel line 10 MiB each (the string took 400 s before, held whole), 10 million
one-byte rows after a header 13 MiB, the others under 7 MiB. Times are never asserted; a parse has TIMEOUT_S to
end, far above what any takes, so that a return to a quadratic reading fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
EXTRA_MIB = 128  # what a parse may add to the process's peak RSS
TIMEOUT_S = 120
MIB = 1 << 20
LINE_MIB = 190  # under MAX_UPLOAD_MB (200): a longer file is cut at the upload

CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from apps.connectors.sources import SourceError, iter_source_chunks

def peak_mib():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmHWM"))

key, path = sys.argv[2], sys.argv[3]
before = peak_mib()
try:
    with open(path, "rb") as fh:
        outcome = "read %d rows" % sum(len(chunk) for chunk in iter_source_chunks(key, fh, "hostile"))
except SourceError as exc:
    outcome = str(exc)[:300]
print(json.dumps({"before_mib": before, "after_mib": peak_mib(), "outcome": outcome}))
"""

GENERIC_HEADER = b"date,provider,model,input_tokens,output_tokens,user\n"


def _blocks(out, byte: bytes, mib: int) -> None:
    block = byte * MIB
    for _ in range(mib):
        out.write(block)


def _wide(out) -> None:
    out.write(",".join(f"c{i}" for i in range(100_000)).encode() + b"\n" + b",".join([b"1"] * 100_000) + b"\n")


def _one_line(out) -> None:
    _blocks(out, b"x", LINE_MIB)


def _quoted_cell(out) -> None:
    out.write(GENERIC_HEADER + b'2025-01-01,openai,gpt-4o,1,1,"')
    _blocks(out, b"x", LINE_MIB)
    out.write(b'"\n')


def _one_byte_rows(out) -> None:
    out.write(b"1\n" * 10_000_000)


def _header_then_one_byte_rows(out) -> None:
    out.write(GENERIC_HEADER + b"1\n" * 10_000_000)


def _nested(out) -> None:
    out.write(b'[{"request_id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]")


def _json_string(out) -> None:
    out.write(b'[{"request_id": "r1", "messages": "')
    _blocks(out, b"m", LINE_MIB)
    out.write(b'"}]')


def _otel_line(out) -> None:
    out.write(b'{"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "')
    _blocks(out, b"s", LINE_MIB)
    out.write(b'"}}]}}]}\n')


CASES: list[tuple[str, str, Callable, str]] = [
    ("100000-columns", "generic_csv", _wide, "missing expected column(s) 'date'"),
    ("190-mib-line", "generic_csv", _one_line, "missing expected column(s) 'date'"),
    ("190-mib-quoted-cell", "generic_csv", _quoted_cell, "row 2: not valid CSV: a line longer than 16,777,216 bytes"),
    ("10m-one-byte-rows", "generic_csv", _one_byte_rows, "missing expected column(s) 'date'"),
    ("header-then-10m-one-byte-rows", "generic_csv", _header_then_one_byte_rows, "row 2"),
    ("100000-levels", "litellm_spend_logs", _nested, "nested more than 64 levels deep"),
    ("190-mib-json-string", "litellm_spend_logs", _json_string, "is longer than 4,194,304 bytes"),
    ("190-mib-otel-line", "otel_genai", _otel_line, "is longer than 4,194,304 bytes"),
]


@pytest.mark.parametrize(("source", "write", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_hostile_file_is_refused_in_bounded_memory(tmp_path, source, write, expected):
    path = tmp_path / "hostile"
    with path.open("wb") as out:
        write(out)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), source, str(path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(path.stat().st_size, report)
    assert report["outcome"].startswith("hostile") and expected in report["outcome"], report["outcome"]
    assert report["after_mib"] - report["before_mib"] < EXTRA_MIB, report


# A 1 GiB file that exists nowhere (no 1 GiB written to this disk): a seekable stream of its bytes, as an upload on
# disk is, that counts how far the parser read. Each must be refused having read at most READ_BOUND_MIB of it.
GIB = 1 << 30
# Measured 2026-12-03: 0.06 MiB (a header line), 16-70 MiB (a quoted cell: Arrow's CSV reader reads blocks ahead on
# its own threads while the line is scanned, so how far it got depends on the machine's load), 5 MiB (JSON, OTel).
READ_BOUND_MIB = 128
VIRTUAL_CHILD = """
import io, json, sys
sys.path.insert(0, sys.argv[1])
from apps.connectors.sources import SourceError, iter_source_chunks

class Virtual(io.RawIOBase):
    def __init__(self, size, head, fill):
        self.size, self.head, self.fill, self.pos, self.furthest = size, head, fill, 0, 0
    def readable(self): return True
    def seekable(self): return True
    def tell(self): return self.pos
    def seek(self, pos, whence=0):
        self.pos = {0: pos, 1: self.pos + pos, 2: self.size + pos}[whence]
        return self.pos
    def readinto(self, b):
        n = max(min(len(b), self.size - self.pos), 0)
        data = self.head[self.pos:self.pos + n]
        b[:n] = data + self.fill * (n - len(data))
        self.pos += n
        self.furthest = max(self.furthest, self.pos)
        return n

def peak_mib():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmHWM"))

key, head, size = sys.argv[2], bytes.fromhex(sys.argv[3]), int(sys.argv[4])
raw = Virtual(size, head, b"x")
before = peak_mib()
try:
    outcome = "read %d rows" % sum(len(c) for c in iter_source_chunks(key, io.BufferedReader(raw), "hostile"))
except SourceError as exc:
    outcome = str(exc)[:300]
print(json.dumps({"before_mib": before, "after_mib": peak_mib(), "outcome": outcome, "read": raw.furthest}))
"""
GIB_CASES = [
    ("1-gib-line", "generic_csv", b"", "missing expected column(s) 'date'"),
    ("1-gib-quoted-cell", "generic_csv", GENERIC_HEADER + b'2025-01-01,openai,gpt-4o,1,1,"', "a line longer than"),
    ("1-gib-json-string", "litellm_spend_logs", b'[{"request_id": "r1", "messages": "', "is longer than 4,194,304"),
    (
        "1-gib-otel-line",
        "otel_genai",
        b'{"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "',
        "is longer than 4,194,304",
    ),
]


@pytest.mark.parametrize(("source", "head", "expected"), [c[1:] for c in GIB_CASES], ids=[c[0] for c in GIB_CASES])
def test_a_one_gib_single_line_is_refused_from_its_first_bytes(source, head, expected):
    """Beyond MAX_UPLOAD_MB an upload is cut while it arrives; a file already on disk (a command's, a pull's) is
    refused by its parser after its first megabytes, not read to its end."""
    done = subprocess.run(
        [sys.executable, "-c", VIRTUAL_CHILD, str(ROOT), source, head.hex(), str(GIB)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(report)
    assert report["outcome"].startswith("hostile") and expected in report["outcome"], report["outcome"]
    assert report["read"] <= READ_BOUND_MIB * MIB, f"read {report['read'] / MIB:.1f} MiB of 1,024"
    assert report["after_mib"] - report["before_mib"] < EXTRA_MIB, report
