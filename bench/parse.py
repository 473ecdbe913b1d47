"""Parse speed and memory of the LiteLLM spend-log parser versus pyarrow's bare CSV read.

Usage: python bench/parse.py [N_ROWS] [--chunk-rows N]. Generates N rows (default 1,000,000) of a
realistic spend log in a temp file, then runs each measurement in a fresh process and prints rows/s,
seconds and peak RSS. Prints figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "request_id,call_type,api_key,spend,total_tokens,prompt_tokens,completion_tokens,startTime,endTime,"
    "model,model_group,custom_llm_provider,api_base,user,metadata,cache_hit,request_tags,team_id,end_user"
)
MODELS = [
    ("gpt-4o-mini", "openai"),
    ("gpt-4o", "azure"),
    ("claude-3-5-sonnet-20241022", "anthropic"),
    ("gemini-2.0-flash", "vertex_ai"),
    ("text-embedding-3-small", "openai"),
]


def generate(path: Path, n: int) -> None:
    """Write n spend-log rows: 200 users, 12 teams, 40 keys, a year of timestamps."""
    rng = random.Random(42)
    users = [f"user{i}@contoso.com" for i in range(200)]
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for i in range(n):
            model, provider = MODELS[i % len(MODELS)]
            prompt, completion = rng.randint(50, 4000), rng.randint(0, 800)
            day = 1 + (i * 365 // n)
            stamp = f"2025-{1 + (day - 1) // 31 % 12:02d}-{1 + (day - 1) % 28:02d}T{i % 24:02d}:00:00.000Z"
            meta = json.dumps(
                {
                    "user_api_key_alias": f"key-{i % 40}",
                    "user_api_key_team_alias": f"team-{i % 12}",
                    "usage_object": {"prompt_tokens_details": {"cached_tokens": prompt // 4}},
                }
            )
            meta = '"' + meta.replace('"', '""') + '"'
            out.write(
                f"req-{i},acompletion,hash{i % 40:060d},{prompt * 1.5e-7:.8f},{prompt + completion},{prompt},"
                f"{completion},{stamp},{stamp},{model},{model},{provider},https://api.example.com,"
                f"{users[i % 200]},{meta},{'True' if i % 50 == 0 else 'False'},[],team-uuid-{i % 12},\n"
            )


CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
t = time.perf_counter()
if {mode!r} == "arrow":
    import pyarrow.csv as c
    rows = c.read_csv({path!r}).num_rows
else:
    from apps.connectors.sources import litellm_spend_logs, combine
    with open({path!r}, "rb") as f:
        frame = combine(litellm_spend_logs.iter_chunks(f, "bench.csv", chunk_rows={chunk}))
    rows = frame.attrs["rows_read"]
secs = time.perf_counter() - t
print(rows, secs, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def measure(mode: str, path: Path, chunk: int) -> tuple[int, float, float]:
    code = CHILD.format(root=str(ROOT), mode=mode, path=str(path), chunk=chunk)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    rows, secs, rss = out.split()
    return int(rows), float(secs), float(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spend_logs.csv"
        t = time.perf_counter()
        generate(path, args.rows)
        size = os.path.getsize(path) / 2**20
        print(f"generated {args.rows:,} rows ({size:,.0f} MiB) in {time.perf_counter() - t:.1f} s")
        for mode, label in (("arrow", "pyarrow read_csv (bare read)"), ("parse", "litellm_spend_logs parse")):
            rows, secs, rss = measure(mode, path, args.chunk_rows)
            print(f"{label:32s} {rows:>10,} rows {secs:7.2f} s {rows / secs:>12,.0f} rows/s  peak RSS {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
