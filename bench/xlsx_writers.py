"""XLSX writers side by side: xlsxwriter (constant_memory) against openpyxl (write_only), next to a bare CSV write.

Usage: python bench/xlsx_writers.py [rows] [name ...] (default 200,000 rows, every writer; names pick writers
by a word of their label, e.g. `ledger`; the CSV floor always runs). Keep it at or under 200k on a shared machine.

Each writer runs in its own child process, so each peak RSS (VmHWM) is its own. Every child writes the same
synthetic usage records (the records export's 42 columns: text, integers, floats, booleans), generated in chunks
of 50,000 rows from a fixed seed, so the input never sits whole in memory. The floor is the same rows written
with csv.writer; "ledger" is the export's own records writer (apps.disclosures.exports.tables.write_xlsx:
SpreadsheetML rows built a column at a time with Arrow, spliced into a workbook openpyxl writes). Prints rows/s,
seconds and peak MiB for each. xlsxwriter is a bench-only dependency (requirements-bench.txt). Not part of the
test run.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHUNK_ROWS = 50_000
TEXT = ["source", "provider", "model", "usage_kind", "person_ref", "team", "project", "api_key", "zone", "currency"]
TEXT += ["grid_zone", "scope", "data_quality", "method_version", "factor_set_sha256", "source_sha256", "day"]
INTS = ["id", "requests", "input_tokens", "cached_input_tokens", "output_tokens", "active_user_days", "run_id"]
FLOATS = ["measured_energy_kwh", "cost", "energy_kwh", "energy_kwh_low", "energy_kwh_high", "co2e_location_kg"]
FLOATS += ["co2e_location_kg_low", "co2e_location_kg_high", "co2e_market_kg", "co2e_market_kg_low"]
FLOATS += ["co2e_market_kg_high", "co2e_embodied_kg", "instrument_covered_kwh", "fossil_kwh", "nuclear_kwh"]
FLOATS += ["renewable_kwh", "grid_gco2e_per_kwh"]
BOOLS = ["self_hosted"]


def record_chunks(rows: int, chunk_rows: int = CHUNK_ROWS):
    """Synthetic records frames of `chunk_rows` rows (fixed seed), `rows` in all: the shape of a records export."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(14)
    models = np.array(["gpt-4o", "claude-sonnet-4", "gemini-2.5-flash", "mistral-large", "llama-3.1-70b"])
    people = np.array([f"person{i:05d}@example.com" for i in range(5000)])
    start = 0
    while start < rows:
        n = min(chunk_rows, rows - start)
        frame = pd.DataFrame({"id": np.arange(start + 1, start + n + 1)})
        for name in TEXT:
            frame[name] = rng.choice(models if name == "model" else people[:50], n)
        frame["person_ref"] = rng.choice(people, n)
        frame["day"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
        frame["day"] = frame["day"].dt.strftime("%Y-%m-%d")
        for name in INTS[1:]:
            frame[name] = rng.integers(0, 100_000, n)
        for name in FLOATS:
            frame[name] = rng.random(n) * 10
        frame["self_hosted"] = rng.random(n) < 0.1
        yield frame
        start += n


def plain_rows(frame):
    """Python values a column at a time (the renderer does the same), rows as tuples."""
    return zip(*(frame[c].tolist() for c in frame.columns), strict=True)


def write_csv(rows: int, path: str) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        header = False
        for chunk in record_chunks(rows):
            if not header:
                writer.writerow(chunk.columns)
                header = True
            writer.writerows(plain_rows(chunk))


def write_openpyxl(rows: int, path: str) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Records")
    header = False
    for chunk in record_chunks(rows):
        if not header:
            sheet.append(list(chunk.columns))
            header = True
        for row in plain_rows(chunk):
            sheet.append(row)
    workbook.save(path)


def write_xlsxwriter(rows: int, path: str) -> None:
    import xlsxwriter

    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(path, options)
    sheet = workbook.add_worksheet("Records")
    index = 0
    for chunk in record_chunks(rows):
        if index == 0:
            sheet.write_row(0, 0, list(chunk.columns))
            index = 1
        for row in plain_rows(chunk):
            sheet.write_row(index, 0, row)
            index += 1
    workbook.close()


SNAPSHOT = {"generated_at": "2026-01-01T00:00:00+00:00", "datapoints": [], "runs": [], "factor_sets": []}


def write_ledger(rows: int, path: str) -> None:
    """The export's own XLSX writer: rows built a column at a time with Arrow, spliced into openpyxl's workbook."""
    from apps.disclosures.exports.tables import write_xlsx

    with open(path, "wb") as fh:
        write_xlsx(SNAPSHOT, record_chunks(rows), fh)


def write_ledger_csv(rows: int, path: str) -> None:
    """The records CSV export (apps.disclosures.exports.tables.write_records_csv)."""
    from apps.disclosures.exports.tables import write_records_csv

    with open(path, "wb") as fh:
        write_records_csv(record_chunks(rows), fh)


def write_ledger_evidence(rows: int, path: str) -> None:
    """The evidence pack (apps.disclosures.exports.evidence.write_evidence_pack), with no factor tables."""
    from apps.disclosures.exports.evidence import write_evidence_pack

    with open(path, "wb") as fh:
        write_evidence_pack(SNAPSHOT, "0" * 64, record_chunks(rows), {}, fh)


def generate_only(rows: int, path: str) -> None:
    """The synthetic chunks alone: what every line also pays before writing."""
    for _chunk in record_chunks(rows):
        pass
    Path(path).write_bytes(b"")


WRITERS = {
    "csv (floor)": write_csv,
    "generating the rows only": generate_only,
    "openpyxl write_only": write_openpyxl,
    "xlsxwriter constant_memory": write_xlsxwriter,
    "ledger XLSX (Arrow + openpyxl)": write_ledger,
    "ledger records CSV": write_ledger_csv,
    "ledger evidence pack": write_ledger_evidence,
}

CHILD = """
import sys, time, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reporting.settings")
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
from xlsx_writers import WRITERS
name, rows, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
started = time.perf_counter()
WRITERS[name](rows, path)
seconds = time.perf_counter() - started
with open("/proc/self/status") as fh:
    peak = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024
print(seconds, peak, os.path.getsize(path))
"""


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    picked = [w.lower() for w in sys.argv[2:]]
    print(f"{rows:,} synthetic records, 42 columns, chunks of {CHUNK_ROWS:,}")
    with tempfile.TemporaryDirectory(prefix="bench-xlsx-") as tmp:
        floor = None
        for name in WRITERS:
            if picked and name != "csv (floor)" and not any(w in name.lower() for w in picked):
                continue
            suffix = "csv" if "csv" in name.lower() else "zip" if "evidence" in name else "xlsx"
            path = str(Path(tmp) / f"out.{suffix}")
            code = CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"))
            out = subprocess.run([sys.executable, "-c", code, name, str(rows), path], capture_output=True, text=True)
            if out.returncode:
                missing = "ModuleNotFoundError" in out.stderr
                why = "not installed (pip install -r requirements-bench.txt)" if missing else out.stderr
                print(f"{name}: {why}")
                continue
            seconds, peak, size = (float(v) for v in out.stdout.split())
            floor = floor or seconds  # the first line, the bare CSV write
            print(
                f"{name:31} {rows / seconds:>9,.0f} rows/s  {seconds:6.1f} s  ({seconds / floor:4.1f}x the CSV floor)"
                f"  peak {peak:6.0f} MiB  file {size / 2**20:6.1f} MiB"
            )


if __name__ == "__main__":
    main()
