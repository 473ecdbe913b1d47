"""Parse speed and memory of the otel_genai source on a large OTLP JSON traces file, next to the bare JSON read.

Usage: python bench/otel_genai.py [N_SPANS] [--batch 512] [--chunk-rows N] [--users 500] [--modes lines,bare,parse]
[--keep]. Writes N spans (default 1,000,000) as the Collector's file exporter does: one ExportTraceServiceRequest a
line, `--batch` spans each (the batch processor's default size). Then, each in a fresh process, the `--modes`:
``lines`` and ``bare``, two bare reads (json.loads line by line, as the source reads the exporter's lines, and the
sources' incremental ijson reader, which the source falls back to for other layouts; every span visited, nothing
converted); ``parse``, the source's parse (iter_chunks, combined: the summed frame of the whole file in memory);
``ingest``, the whole ingestion as a worker runs it (store_upload with its SHA-256, create_run, execute_run: chunks
spilled, records written) against a fresh SQLite database in a temp DATA_DIR, migrated first and not timed
(bench/ingest.py's child). Prints spans/s, seconds, peak RSS (VmHWM) and the records; nothing is asserted. Not part
of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.ingest import INGEST_CHILD, PEAK_RSS, child  # noqa: E402  (after the path, as a script)

MODELS = [("openai", "gpt-4o-mini"), ("openai", "gpt-4o"), ("anthropic", "claude-3-5-haiku-20241022")]
DAY0 = 1767225600  # 2026-01-01T00:00:00Z


def _attr(key: str, value: str | int) -> dict:
    kind = "intValue" if isinstance(value, int) else "stringValue"
    return {"key": key, "value": {kind: str(value)}}


def generate(path: Path, n: int, batch: int, users: int = 500) -> None:
    """n spans over a year: chat spans of 3 models for `users` users of 8 services, a tenth HTTP spans."""
    rng = random.Random(18)
    with path.open("w", encoding="utf-8") as out:
        for first in range(0, n, batch):
            spans = []
            for i in range(first, min(first + batch, n)):
                start = (DAY0 + i * 31_536_000 // n) * 10**9
                if i % 10 == 0:
                    attrs = [_attr("http.request.method", "POST"), _attr("url.full", "https://api.openai.com/v1/x")]
                else:
                    provider, model = MODELS[i % len(MODELS)]
                    prompt = rng.randint(50, 4000)
                    attrs = [
                        _attr("gen_ai.operation.name", "chat"),
                        _attr("gen_ai.provider.name", provider),
                        _attr("gen_ai.request.model", model),
                        _attr("gen_ai.response.model", model),
                        _attr("gen_ai.usage.input_tokens", prompt),
                        _attr("gen_ai.usage.output_tokens", rng.randint(0, 800)),
                        _attr("gen_ai.usage.cache_read.input_tokens", prompt // 4),
                        _attr("user.id", f"user{i % users}@example.com"),
                    ]
                spans.append(
                    {
                        "traceId": f"{i:032x}",
                        "spanId": f"{i:016x}",
                        "name": "chat",
                        "kind": 3,
                        "startTimeUnixNano": str(start),
                        "endTimeUnixNano": str(start + 900_000_000),
                        "attributes": attrs,
                        "status": {},
                    }
                )
            service = {"attributes": [_attr("service.name", f"service-{first // batch % 8}")]}
            request = {
                "resourceSpans": [{"resource": service, "scopeSpans": [{"scope": {"name": "b"}, "spans": spans}]}]
            }
            out.write(json.dumps(request, separators=(",", ":")) + "\n")


CHILD = """
import sys, time
sys.path.insert(0, {root!r})
t = time.perf_counter()
if {mode!r} == "lines":
    import json
    rows = 0
    with open({path!r}, "rb") as f:
        for line in f:
            for rs in json.loads(line)["resourceSpans"]:
                for scope in rs["scopeSpans"]:
                    rows += len(scope["spans"])
elif {mode!r} == "bare":
    from apps.connectors.sources.json_reader import iter_json_values
    rows = 0
    with open({path!r}, "rb") as f:
        for _, request in iter_json_values(f, "bench.jsonl"):
            for rs in request["resourceSpans"]:
                for scope in rs["scopeSpans"]:
                    rows += len(scope["spans"])
else:
    from apps.connectors.sources import combine, otel_genai
    with open({path!r}, "rb") as f:
        frame = combine(otel_genai.iter_chunks(f, "bench.jsonl", chunk_rows={chunk}))
    rows = frame.attrs["rows_read"]
    print("records", len(frame), file=sys.stderr)
secs = time.perf_counter() - t
print(rows, secs, peak_rss_mib())
"""


def measure(mode: str, path: Path, chunk: int) -> tuple[int, float, float]:
    """(spans, seconds, peak RSS MiB) of one measurement in a fresh process."""
    code = PEAK_RSS + CHILD.format(root=str(ROOT), mode=mode, path=str(path), chunk=chunk)
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    if done.stderr.strip():
        print("  " + done.stderr.strip() + " (the summed usage frame the parse returns)")
    rows, secs, rss = done.stdout.split()
    return int(rows), float(secs), float(rss)


def measure_ingest(path: Path, tmp: Path) -> tuple[int, float, float]:
    """(spans, seconds, peak RSS MiB) of the whole ingestion in a fresh process, on a fresh SQLite database."""
    env = dict(
        os.environ,
        BENCH_ROOT=str(ROOT),
        BENCH_SOURCE="otel_genai",
        DATA_DIR=str(tmp / "data"),
        DJANGO_SETTINGS_MODULE="reporting.settings",
        MAX_UPLOAD_MB=str(int(path.stat().st_size / 2**20) + 100),  # far above the upload default
        DEBUG="0",  # as a worker runs: no query log
    )
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)
    out = child(INGEST_CHILD, path, env)
    if out["status"] != "succeeded":
        raise SystemExit(f"ingestion failed: {out['errors']}")
    print(
        f"  ingestion: {out['records']:,} usage records stored; upload (copy + SHA-256) {out['upload_seconds']:.1f} s, "
        f"run {out['run_seconds']:.1f} s; RSS before the run {out['rss_before_mib']:,.0f} MiB"
    )
    return out["rows"], out["seconds"], out["peak_rss_mib"]


def main() -> None:
    """Generate the file, run the measurements, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("spans", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=500, help="distinct user.id values (the records grow with them)")
    parser.add_argument("--modes", default="lines,bare,parse", help="any of lines,bare,parse,ingest (in that order)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (file and database)")
    args = parser.parse_args()
    wanted = args.modes.split(",")
    tmp = tempfile.mkdtemp(prefix="bench-otel-")
    try:
        path = Path(tmp) / "traces.jsonl"
        t = time.perf_counter()
        generate(path, args.spans, args.batch, args.users)
        size = os.path.getsize(path) / 2**20
        print(f"generated {args.spans:,} spans ({size:,.0f} MiB) in {time.perf_counter() - t:.1f} s")
        modes = (
            ("lines", "json.loads per line (bare read)"),
            ("bare", "ijson reader (bare read)"),
            ("parse", "otel_genai parse"),
            ("ingest", "otel_genai ingestion (SQLite)"),
        )
        for mode, label in modes:
            if mode not in wanted:
                continue
            if mode == "ingest":
                rows, secs, rss = measure_ingest(path, Path(tmp))
            else:
                rows, secs, rss = measure(mode, path, args.chunk_rows)
            print(f"{label:32s} {rows:>10,} spans {secs:7.2f} s {rows / secs:>10,.0f} spans/s  peak RSS {rss:,.0f} MiB")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
