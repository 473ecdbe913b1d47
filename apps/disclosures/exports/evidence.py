"""The evidence pack: one zip from which an auditor can recompute every disclosed figure without the app.

Contents (in this order, every entry stamped with snapshot["generated_at"], so the zip is reproducible):
  README.md          what each file is, each datapoint's formula over records.csv, how to check the hashes
  SHA256SUMS         SHA-256 of every other file in the pack (`sha256sum -c SHA256SUMS`)
  snapshot.json      the snapshot in canonical JSON; its SHA-256 is the snapshot hash printed on the PDF cover
  datapoints.csv     the disclosed datapoints (as the CSV export)
  records.csv        the usage records behind the figures (floats exact, as they read back)
  factors/<t>.csv    each factor table used
  method.json        every method constant with its source (with the factor set: `factor_set` given)
  resolution/<t>.csv what each record's names resolved to: model -> repository entry -> parameters, zone -> grid
                     zone -> grid factors, seat tools, spend factors, currencies, instruments (idem)
  recompute.py       standard library only: re-derives every figure from the pack, OK or the difference per figure
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from apps.footprint.factor_set import FactorSet

from ..e1 import canonical_json
from . import upstream_table
from ._common import format_number, period_label, zip_date_time, zip_entry_info
from .evidence_method import KeyCollector, method_document, resolution_tables
from .evidence_sources import SOURCES_TABLE, SourceEntry, file_sha256, sources_frame
from .records_stream import iter_chunks
from .tables import render_csv, render_frame_csv, write_records_csv

EXTRA_FILES = {
    SOURCES_TABLE: "the runs' source files: SHA-256, size, whether the pack carries it (sources/) or where members "
    "of the organisation download it",
    "method.json": "every method constant with its source, the factor tables' provenance, the rules applied",
    "recompute.py": "re-derives every figure from the pack (Python standard library only)",
    "recompute_parts.py": "the ranged sums and Scope 3 category 3, which recompute.py loads from beside it",
    upstream_table.CSV_NAME: upstream_table.CSV_DESCRIPTION,
}
RECOMPUTE_SCRIPT = Path(__file__).with_name("recompute.py")
RECOMPUTE_PARTS = Path(__file__).with_name("recompute_parts.py")

S2 = 'scope == "scope2"'
S3 = 'scope == "scope3_cat1"'
# Each datapoint's formula over records.csv columns and snapshot.json "inputs" (kg -> t and kWh -> MWh: / 1000).
FORMULAS = {
    "E1-5_01": f"sum(energy_kwh where {S2}) / 1000",
    "E1-5_02": f"sum(fossil_kwh where {S2}) / 1000",
    "E1-5_03": f"sum(nuclear_kwh where {S2}) / 1000",
    "E1-5_04": "100 * E1-5_03 / E1-5_01",
    "E1-5_05": f"sum(renewable_kwh where {S2}) / 1000 (renewable only where contractual instruments cover the "
    "electricity: instrument_covered_kwh of renewable instruments)",
    "E1-5_07": "E1-5_05 (renewable energy of own operations is purchased electricity backed by instruments)",
    "E1-5_09": "100 * E1-5_05 / E1-5_01",
    "E1-5_15": "100 * E1-5_02 / E1-5_01",
    "E1-6_09": f"sum(co2e_location_kg where {S2}) / 1000",
    "E1-6_10": f"sum(co2e_market_kg where {S2}) / 1000 (after contractual instruments)",
    "E1-6_11": f"sum(co2e_location_kg where {S3}) / 1000 + E1-6_11/cat3",
    "E1-6_11/cat1": f"sum(co2e_location_kg where {S3}) / 1000 (category 1 member of the Scope 3 category axis)",
    "E1-6_11/cloud": f"sum(co2e_location_kg where {S3}) / 1000 (all purchased AI services are cloud computing and "
    "data centre services: the AR 51 member)",
    "E1-6_11/cat3": f"sum over snapshot.upstream_electricity.rows of upstream_kg / 1000; per grid_zone and year, "
    f"upstream_kg = sum(energy_kwh where {S2}) x upstream_gco2e_per_kwh / 1000, upstream_gco2e_per_kwh = "
    "max(0, upstream_life_cycle_gco2e_per_kwh - upstream_generation_gco2e_per_kwh) of resolution/grid.csv (0 "
    "where empty: upstream inside Scope 2); low/high from energy_kwh_low/high (Scope 3 category 3, untagged)",
    "E1-6_12": "E1-6_09 + E1-6_11",
    "E1-6_13": "E1-6_10 + E1-6_11",
    "E1-6_25": f"100 * sum(co2e_location_kg where {S3} and data_quality in (measured, measured_it)) / "
    "(1000 x E1-6_11)  (primary data = energy measured on the hardware that served the records; token and seat "
    "activity with modelled energy, spend, and category 3's database factors are secondary)",
    "E1-6_30": "E1-6_12 / inputs.net_revenue_eur",
    "E1-6_31": "E1-6_13 / inputs.net_revenue_eur",
    "E1-6_34": "inputs.net_revenue_eur",
    "E1-8_04": "inputs.internal_carbon_price_eur_per_t",
    "E3-4_AI_water": "sum(water_l) / 1000 (water_l = energy_kwh x (data-centre WUE / PUE + the zone mix's L/kWh))",
    "E5-4_AI_adpe": "sum(adpe_kgsbeq) (energy_kwh x the zone mix's kgSbeq/kWh + embodied share of the hardware)",
    "E5-4_AI_pe": "sum(pe_mj) / 1000 (energy_kwh x the zone mix's MJ/kWh + embodied share of the hardware)",
    "E1-8_07": "100 when E1-6_10 > 0 (all of the AI Scope 2 is covered when a price is set)",
    "E1-8_08": "100 when E1-6_11 > 0 (all of the AI Scope 3 is covered when a price is set)",
    # VSME B3 variant: the same sums, under the VSME datapoint names.
    "B3_energy_total_MWh": "E1-5_01",
    "B3_scope2_location_tCO2e": "E1-6_09",
    "B3_scope2_market_tCO2e": "E1-6_10",
    "B3_scope3_tCO2e": "E1-6_11",
    "B3_intensity": "B3_scope2_location_tCO2e / inputs.net_revenue_eur (Scope 1 + 2 per turnover; AI Scope 1 is nil)",
}
RANGE_NOTE = (
    "low / high: per record, deviation below = value - *_low and above = *_high - value (energy_kwh_low, "
    "co2e_location_kg_low, co2e_market_kg_low, ...); the deviations are summed per group (usage_kind "
    "tokens: usage_kind|provider|model; data_quality spend_based: one group; any other usage_kind: one group "
    "each) and the groups combined in quadrature: low = sum(value) - sqrt(sum over groups of their summed "
    "deviation below, squared), high likewise above. Totals (E1-6_12, E1-6_13) group the Scope 2 and Scope 3 "
    "records together; Scope 3 category 3 (E1-6_11/cat3) adds to E1-6_11, E1-6_12 and E1-6_13 as one more group "
    "in quadrature; intensities divide them by net revenue; B3_intensity divides those of B3_scope2_location_tCO2e."
)


def _readme(snapshot: dict, snapshot_sha256: str, hashes: dict[str, str], factor_names: list[str]) -> bytes:
    org = snapshot.get("organisation") or {}
    period = snapshot.get("period") or {}
    lines = [
        f"# Evidence pack \u2014 {org.get('name', '')}, AI footprint, {period_label(snapshot)}",
        "",
        f"Period status: {period.get('status')}, version {period.get('version')}. "
        f"Generated at {snapshot.get('generated_at')} by AI Footprint Ledger (code {snapshot.get('code_version')}).",
        "",
        f"Snapshot SHA-256: `{snapshot_sha256}`",
        "",
        "## Files",
        "",
        "| file | what it is |",
        "| --- | --- |",
        "| snapshot.json | the frozen disclosure: datapoints, breakdowns, runs, factor sets, methodology, inputs |",
        "| datapoints.csv | the disclosed datapoints, unrounded |",
        "| records.csv | one row per usage record (day x source x provider x model x person/team x zone) |",
    ]
    lines += [f"| factors/{name}.csv | factor table `{name}` |" for name in factor_names]
    lines += [f"| {name} | {what} |" for name, what in EXTRA_FILES.items() if name in hashes]
    lines += [f"| {name} | what the records' names resolved to |" for name in hashes if name.startswith("resolution/")]
    lines += [
        f"| {name} | a source file as uploaded (not neutralised: read it as text, not in a spreadsheet) |"
        for name in hashes
        if name.startswith("sources/") and name != SOURCES_TABLE
    ]
    lines += [
        "| SHA256SUMS | SHA-256 of every file above |",
        "",
        "Spreadsheet safety: in the CSV files, a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage "
        "return carries a leading apostrophe, so no spreadsheet runs it as a formula. Numbers are written in full "
        "precision (they read back as the exact same floating-point values). The files under sources/ ending in "
        "`.original` are the uploads byte for byte, NOT neutralised (their SHA-256 is the evidence): read as text.",
        "",
        "## How to recompute every figure",
        "",
        "`python3 -I recompute.py` in the unpacked pack (or `python3 recompute.py pack.zip`): standard library "
        "only. It prints every figure with OK or the difference and exits with status 1 on any difference.",
        "",
        "## How to check the hashes",
        "",
        "1. `sha256sum -c SHA256SUMS` checks that no file of the pack was changed.",
        "2. `sha256sum snapshot.json` must print the snapshot SHA-256 above, which is also on the PDF cover. "
        'snapshot.json is canonical JSON in UTF-8: `json.dumps(snapshot, sort_keys=True, separators=(",", ":"), '
        "ensure_ascii=False)`.",
        "3. Each ingestion run in snapshot.json (`runs`) gives the SHA-256 of the source file it read; "
        "records.csv carries it per record (`source_sha256`, with `run_id`). Hash the original files to compare.",
        "4. `factor_set_sha256` in records.csv names the factor set of each record; snapshot.json `factor_sets` "
        "lists each with its tables' source, vintage and licence.",
        "",
        "## How each figure is computed",
        "",
        "kWh and kg in records.csv become MWh and tCO2e by dividing by 1000. `where` filters records.csv rows; "
        "`inputs.*` are values entered for the period, in snapshot.json. " + RANGE_NOTE,
        "",
        "| datapoint | label | unit | value | formula |",
        "| --- | --- | --- | --- | --- |",
    ]
    for dp in snapshot.get("datapoints") or []:
        formula = FORMULAS.get(str(dp.get("figure") or dp.get("id")), "see the methodology in snapshot.json")
        label = str(dp.get("label") or "").replace("|", "/")
        lines.append(
            f"| {dp.get('id')} | {label} | {dp.get('unit')} | "
            f"{format_number(dp.get('value'), dp.get('unit') or '', decimals=6)} | {formula} |"
        )
    lines += [
        "",
        "Example with pandas:",
        "",
        "```python",
        "import pandas as pd",
        'r = pd.read_csv("records.csv")',
        's2, s3 = r[r.scope == "scope2"], r[r.scope == "scope3_cat1"]',
        "e1_6_12 = (s2.co2e_location_kg.sum() + s3.co2e_location_kg.sum()) / 1000  # total GHG, location-based",
        "```",
        "",
        "## SHA-256 of the files",
        "",
    ]
    lines += [f"- `{name}`: `{digest}`" for name, digest in hashes.items()]
    return ("\n".join(lines) + "\n").encode("utf-8")


class _Hashing:
    """A binary stream that hashes what goes through it (records.csv is hashed as it is written)."""

    def __init__(self, fh):
        self.fh, self.sha256, self.size = fh, hashlib.sha256(), 0

    def write(self, data) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.fh.write(data)


def write_evidence_pack(
    snapshot: dict,
    snapshot_sha256: str,
    records: pd.DataFrame | Iterable[pd.DataFrame],
    factor_tables: dict[str, pd.DataFrame],
    out: BinaryIO,
    factor_set: FactorSet | None = None,
    sources: list[SourceEntry] | None = None,
) -> None:
    """Write the evidence-pack zip for a snapshot, its records and the factor tables it used to a seekable stream.

    The records (a frame or an iterable of frames, consumed lazily) are written to records.csv through a spooled
    temporary file, hashed on the way, then copied into the zip: memory follows one chunk, not the year.
    Reproducible: same inputs, same bytes (fixed entry order, timestamps from generated_at, fixed permissions).
    With `factor_set` (the snapshot's), the pack also holds method.json and resolution/, from which recompute.py
    re-derives each record's figures from its activity data. With `sources`, sources/ holds the original files
    (those the caller gives a path for) and SOURCES.csv lists them all with their SHA-256 and download link.
    """
    date_time = zip_date_time(snapshot)
    keys = KeyCollector()
    with tempfile.SpooledTemporaryFile(max_size=32 * 2**20) as spool:
        hashing = _Hashing(spool)
        write_records_csv(keys.wrap(iter_chunks(records)) if factor_set is not None else records, hashing, exact=True)
        files: dict[str, bytes] = {
            "snapshot.json": canonical_json(snapshot).encode("utf-8"),
            "datapoints.csv": render_csv(snapshot, exact=True),
        }
        # table names become file names: keep them to one path segment
        factors = sorted(((str(k).replace("/", "_").replace("\\", "_"), v) for k, v in factor_tables.items()))
        for name, frame in factors:
            files[f"factors/{name}.csv"] = render_frame_csv(frame)
        if factor_set is not None:
            resolution = resolution_tables(factor_set, snapshot, keys)
            method = method_document(factor_set, snapshot, resolution)
            files["method.json"] = (json.dumps(method, indent=1, allow_nan=False) + "\n").encode()
            for name, frame in resolution.items():
                files[f"resolution/{name}.csv"] = render_frame_csv(frame)
        files[upstream_table.CSV_NAME] = upstream_table.render_upstream_csv(snapshot)
        files["recompute.py"] = RECOMPUTE_SCRIPT.read_bytes()
        files["recompute_parts.py"] = RECOMPUTE_PARTS.read_bytes()
        carried = [e for e in sources or [] if e.path]
        if sources is not None:
            files[SOURCES_TABLE] = render_frame_csv(sources_frame(sources))
        hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
        hashes = {**dict(list(hashes.items())[:2]), "records.csv": hashing.sha256.hexdigest(), **hashes}
        hashes.update((e.pack_name, file_sha256(e.path)) for e in carried)  # the bytes on disk, as they are now
        sums = "".join(f"{digest}  {name}\n" for name, digest in hashes.items()).encode("ascii")
        readme = _readme(snapshot, snapshot_sha256, hashes, [name for name, _frame in factors])
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            entries = [("README.md", readme), ("SHA256SUMS", sums), *list(files.items())[:2]]
            for name, data in entries:
                archive.writestr(zip_entry_info(name, date_time), data, compresslevel=6)
            spool.seek(0)
            info = zip_entry_info("records.csv", date_time, level=1)  # deflated 3x faster than at 6, ~1.3x larger
            with archive.open(info, "w", force_zip64=hashing.size > 1_900_000_000) as entry:
                shutil.copyfileobj(spool, entry, 2**20)
            for name, data in list(files.items())[2:]:
                archive.writestr(zip_entry_info(name, date_time), data, compresslevel=6)
            for entry in carried:  # streamed: a source file may be tens of MB
                with (
                    open(entry.path, "rb") as fh,
                    archive.open(
                        zip_entry_info(entry.pack_name, date_time), "w", force_zip64=entry.size_bytes > 1_900_000_000
                    ) as out_fh,
                ):
                    shutil.copyfileobj(fh, out_fh, 2**20)


def render_evidence_pack(
    snapshot: dict,
    snapshot_sha256: str,
    records: pd.DataFrame | Iterable[pd.DataFrame],
    factor_tables: dict[str, pd.DataFrame],
    factor_set: FactorSet | None = None,
    sources: list[SourceEntry] | None = None,
) -> bytes:
    """The evidence-pack zip as bytes (write_evidence_pack into memory)."""
    buffer = io.BytesIO()
    write_evidence_pack(snapshot, snapshot_sha256, records, factor_tables, buffer, factor_set, sources)
    return buffer.getvalue()
