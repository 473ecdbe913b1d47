"""Shared helpers of the bad-input corpus (issue 8): the case type, the fixtures and the mutations of them.

The cases themselves are in the corpus_*.py modules by source family and are put together, in order, into
`CASES` by corpus.py, which re-exports everything here (the tests use `corpus.set_cell`, `corpus.FIXTURE`, ...).
"""

from __future__ import annotations

import codecs
import csv
import functools
import gzip
import io
import json
import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# Which fixture each source's mutations start from (m365 and LiteLLM have a CSV and a JSON one).
FIXTURE = {
    "openai_usage": "openai_usage/completions_and_embeddings_pages.json",
    "anthropic_usage": "anthropic_usage/usage_report_messages.json",
    "azure_openai_cost": "azure_openai_cost/cost_details_ea.csv",
    "gcp_billing_export": "gcp_billing_export/billing_export.csv",
    "github_copilot_seats": "github_copilot_seats/seats_page.json",
    "github_copilot_metrics": "github_copilot_metrics/metrics.json",
    "github_copilot_usage_reports": "github_copilot_usage_reports/users_1_day.ndjson",
    "m365_copilot_usage": "m365_copilot_usage/copilot_usage_user_detail.csv",
    "chatgpt_enterprise_analytics": "chatgpt_enterprise_analytics/user_engagement_weekly.csv",
    "litellm_spend_logs": "litellm_spend_logs/spend_logs.csv",
    "codecarbon_emissions": "codecarbon_emissions/emissions.csv",
    "generic_csv": "generic_csv/usage.csv",
    "openai_costs": "openai_costs/costs_pages.json",
    "anthropic_cost_report": "anthropic_cost_report/cost_report.json",
}
M365_JSON = "m365_copilot_usage/copilot_usage_user_detail.json"
M365_V2 = "m365_copilot_usage/copilot_usage_user_detail_v2.csv"
FOCUS = "azure_openai_cost/focus_export.csv"  # Azure's FOCUS export, read by the same source
LITELLM_JSON = "litellm_spend_logs/spend_logs.json"
EXPANDED_BYTES = 2 << 30  # what each archive below expands to: 2 GiB


@dataclass(frozen=True)
class BadInput:
    """One malformed upload and what its refusal must say."""

    source: str  # the source chosen on the upload form
    name: str  # short case name; the test id is "<source>-<name>"
    build: Callable[[], bytes] = field(repr=False)
    expect: tuple[str, ...]  # substrings of the error message (besides the file name)
    row: int | str | None = None  # CSV row (header = 1) or JSON path of the error; None: the file as a whole
    column: str | None = None  # the column or key named by the error; None: no single column
    extension: str = "csv"
    at_upload: bool = False  # refused by store_upload before any run exists (empty, too large)
    max_upload_mb: int | None = None  # MAX_UPLOAD_MB to set for the case
    archive: bool = False  # compressed: must be refused without being decompressed

    @property
    def id(self) -> str:
        return f"{self.source}-{self.name}"

    @property
    def filename(self) -> str:
        """A file name unique to the case, so a message naming it cannot come from another case."""
        return f"{self.id}.{self.extension}"


# ------------------------------------------------------------------------------------------------ fixtures


def fixture(path: str) -> bytes:
    """The bytes of tests/fixtures/<path>."""
    return (FIXTURES / path).read_bytes()


def source_fixture(source: str) -> bytes:
    return fixture(FIXTURE[source])


# --------------------------------------------------------------------------------------------- CSV mutations


def csv_table(data: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a UTF-8 CSV (a BOM is dropped)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def csv_bytes(header: list[str], rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def set_cell(source: str, row: int, column: str, value: str) -> bytes:
    """The source's CSV fixture with one cell changed; `row` counts as a spreadsheet does (header = 1)."""
    header, rows = csv_table(source_fixture(source))
    rows[row - 2][header.index(column)] = value
    return csv_bytes(header, rows)


def rename_column(source: str, old: str, new: str) -> bytes:
    header, rows = csv_table(source_fixture(source))
    header[header.index(old)] = new
    return csv_bytes(header, rows)


def drop_column(source: str, column: str) -> bytes:
    header, rows = csv_table(source_fixture(source))
    i = header.index(column)
    return csv_bytes(header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows])


def keep_rows(source: str, *wanted: int) -> bytes:
    """Only the given data rows (spreadsheet numbering), in that order: duplicates allowed."""
    header, rows = csv_table(source_fixture(source))
    return csv_bytes(header, [rows[r - 2] for r in wanted])


def with_delimiter(source: str, delimiter: str, decimal_comma: tuple[str, ...] = ()) -> bytes:
    """The fixture written with another delimiter; `decimal_comma` columns get a comma as decimal separator, as
    a French or German spreadsheet writes them."""
    header, rows = csv_table(source_fixture(source))
    for name in decimal_comma:
        i = header.index(name)
        for r in rows:
            r[i] = r[i].replace(".", ",")
    return csv_bytes(header, rows, delimiter=delimiter)


def header_only(source: str) -> bytes:
    return source_fixture(source).split(b"\n", 1)[0] + b"\n"


def cut_inside_row(source: str, row: int) -> bytes:
    """The file cut halfway through data row `row` (a download that stopped)."""
    data = source_fixture(source)
    header, rows = csv_table(data)
    before = csv_bytes(header, rows[: row - 2])
    line = csv_bytes(header, [rows[row - 2]]).split(b"\n", 1)[1]
    return before + line[: len(line) // 2]


# -------------------------------------------------------------------------------------------- JSON mutations


def json_edit(path: str, edit: Callable[[Any], Any]) -> bytes:
    """A JSON fixture, changed in place by `edit` (what `edit` returns is ignored)."""
    doc = json.loads(fixture(path))
    edit(doc)
    return json.dumps(doc, indent=1).encode("utf-8")


def json_remade(path: str, make: Callable[[Any], Any]) -> bytes:
    """A new JSON document made by `make` from a fixture's (e.g. a page repeated)."""
    return json.dumps(make(json.loads(fixture(path))), indent=1).encode("utf-8")


def ndjson_edit(path: str, edit: Callable[[list], Any]) -> bytes:
    """An NDJSON fixture (one JSON object a line) as a list, changed in place by `edit`, written back as lines."""
    records = [json.loads(line) for line in fixture(path).decode("utf-8").splitlines() if line.strip()]
    edit(records)
    return "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")


def v2_csv_edit(edit: Callable[[list[str], list[list[str]]], Any]) -> bytes:
    """The Microsoft 365 Copilot v2 CSV fixture, its header and rows changed in place by `edit`."""
    header, rows = csv_table(fixture(M365_V2))
    edit(header, rows)
    return csv_bytes(header, rows)


def truncated(path: str, fraction: float = 0.6) -> bytes:
    data = fixture(path)
    return data[: int(len(data) * fraction)]


# ------------------------------------------------------------------------------------------------ encodings


def utf16_without_bom(data: bytes) -> bytes:
    """UTF-16 (little-endian) with no byte-order mark: two bytes a character, half of them NUL."""
    return data.decode("utf-8-sig").encode("utf-16-le")


def utf8_bom(data: bytes) -> bytes:
    return codecs.BOM_UTF8 + data.removeprefix(codecs.BOM_UTF8)


def utf16_with_bom(data: bytes) -> bytes:
    return codecs.BOM_UTF16_LE + data.decode("utf-8-sig").encode("utf-16-le")


def latin1_cell(source: str, row: int, column: str, value: str) -> bytes:
    """A CSV fixture saved as Latin-1 with an accented value in one cell: bytes that are not UTF-8."""
    return set_cell(source, row, column, value).decode("utf-8").encode("latin-1")


def garbage(size: int = 4096, seed: int = 8) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(size))


# ------------------------------------------------------------------------------------------------- archives


@functools.cache
def gzip_bomb() -> bytes:
    """A valid gzip file of ~2 MB that expands to 2 GiB of zeros: gzip members one after another (gunzip reads
    them all), each 1 MiB of zeros compressed to ~1 KB."""
    member = gzip.compress(bytes(1 << 20), compresslevel=9, mtime=0)
    return member * (EXPANDED_BYTES >> 20)


@functools.cache
def zip_bomb() -> bytes:
    """A valid zip of ~2 MB holding one 2 GiB entry (usage.csv, all zeros). The deflate stream repeats one block
    made after a full flush, which decodes the same wherever it sits, so nothing of 2 GiB is ever built here."""
    mib = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH) == block  # history was reset
    stream = block * (EXPANDED_BYTES >> 20) + compressor.flush()
    crc = 0
    for _ in range(EXPANDED_BYTES >> 20):
        crc = zlib.crc32(mib, crc)
    name = b"usage.csv"
    local = (
        struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(stream), EXPANDED_BYTES, len(name), 0)
        + name
    )
    central = (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(stream),
            EXPANDED_BYTES,
            len(name),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        + name
    )
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(stream), 0)
    return local + stream + central + end


def oversized(source: str, megabytes: int) -> bytes:
    """Valid rows of the fixture repeated until the file is just over `megabytes` MB."""
    data = source_fixture(source)
    head, body = data.split(b"\n", 1)
    limit = megabytes * 1024 * 1024
    return head + b"\n" + body * (limit // len(body) + 1)


# ------------------------------------------------------------------------------ shared by the cases

OPENAI = FIXTURE["openai_usage"]
ANTHROPIC = FIXTURE["anthropic_usage"]
SEATS = FIXTURE["github_copilot_seats"]
METRICS = FIXTURE["github_copilot_metrics"]
REPORTS = FIXTURE["github_copilot_usage_reports"]
R0 = "[0].data[0].results[0]"  # the first OpenAI result (the fixture is a list of pages)
A0 = "data[0].results[0]"  # the first Anthropic result (the fixture is one page)
NOT_UTF8 = "not valid UTF-8"
FUTURE = "in the future"
TOO_BIG = "at most 1,000,000,000,000"


def cell_build(source: str, row: int, column: str, value: str) -> Callable[[], bytes]:
    """Builds the fixture of `source` with one cell changed (see set_cell)."""
    return lambda: set_cell(source, row, column, value)


def m365_json_build(edit) -> Callable[[], bytes]:
    """Builds the m365 JSON fixture changed by `edit`."""
    return lambda: json_edit(M365_JSON, edit)


def litellm_json_build(edit) -> Callable[[], bytes]:
    """Builds the LiteLLM JSON fixture changed by `edit`."""
    return lambda: json_edit(LITELLM_JSON, edit)


def jsonl_edit(path: str, edit: Callable[[list], Any]) -> bytes:
    """A fixture of JSON values one per line, changed in place by `edit` (given the list of values)."""
    values = [json.loads(line) for line in fixture(path).decode("utf-8").splitlines() if line.strip()]
    edit(values)
    return "".join(json.dumps(v) + "\n" for v in values).encode("utf-8")


def deeply_nested(path: str, levels: int = 100_000) -> bytes:
    """The fixture's first value with `levels` arrays nested into a new key (issue 19): refused as it is read, by
    the depth of its brackets (tests/connectors/test_json_depth.py), never built, parsed or validated."""
    text = fixture(path).decode("utf-8-sig").lstrip()
    key = "" if text[0] == "[" else '"nested": '  # an array's first item, or an object's first key
    return (text[0] + key + "[" * levels + "]" * levels + ", " + text[1:]).encode("utf-8")
