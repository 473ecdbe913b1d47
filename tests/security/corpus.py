"""The bad-input corpus (issue 8): malformed uploads made by code from the valid fixtures in tests/fixtures/.

Nothing large is committed: every input is built when its test asks for it, by mutating a fixture (a cell, a key,
the encoding, the delimiter, a cut) or from scratch (garbage bytes, archives that expand to gigabytes). Each entry
says what the refusal must say: the error's row (CSV row, header = 1) or JSON path, its column or key, and
substrings of the message. The message must also name the file, which every entry's `filename` makes unique.
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


# ------------------------------------------------------------------------------------------------- the cases

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


def _openai_result(**changes) -> Callable[[], bytes]:
    return lambda: json_edit(OPENAI, lambda d: d[0]["data"][0]["results"][0].update(changes))


def _anthropic_result(**changes) -> Callable[[], bytes]:
    return lambda: json_edit(ANTHROPIC, lambda d: d["data"][0]["results"][0].update(changes))


def _seat(**changes) -> Callable[[], bytes]:
    return lambda: json_edit(SEATS, lambda d: d["seats"][1].update(changes))


def _metrics_day(**changes) -> Callable[[], bytes]:
    return lambda: json_edit(METRICS, lambda d: d[0].update(changes))


def _completions_language(**changes) -> Callable[[], bytes]:
    def edit(d):
        d[0]["copilot_ide_code_completions"]["editors"][0]["models"][0]["languages"][1].update(changes)

    return lambda: json_edit(METRICS, edit)


def _report_user(index: int, **changes) -> Callable[[], bytes]:
    return lambda: ndjson_edit(REPORTS, lambda r: r[index].update(changes))


def _v2_cell(row: int, column: str, value: str) -> Callable[[], bytes]:
    def edit(header, rows):
        rows[row - 2][header.index(column)] = value

    return lambda: v2_csv_edit(edit)


def _v2_drop(column: str) -> Callable[[], bytes]:
    def edit(header, rows):
        i = header.index(column)
        header.pop(i)
        for r in rows:
            r.pop(i)

    return lambda: v2_csv_edit(edit)


def _cell(source: str, row: int, column: str, value: str) -> Callable[[], bytes]:
    return lambda: set_cell(source, row, column, value)


def _focus(edit: Callable[[list[str], list[list[str]]], tuple[list[str], list[list[str]]]]) -> Callable[[], bytes]:
    """The Azure FOCUS fixture (read by the azure_openai_cost source) changed by `edit(header, rows)`."""
    return lambda: csv_bytes(*edit(*csv_table(fixture(FOCUS))))


def _focus_cell(row: int, column: str, value: str) -> Callable[[], bytes]:
    def edit(header, rows):
        rows[row - 2][header.index(column)] = value
        return header, rows

    return _focus(edit)


def _m365_json(edit) -> Callable[[], bytes]:
    return lambda: json_edit(M365_JSON, edit)


def _litellm_json(edit) -> Callable[[], bytes]:
    return lambda: json_edit(LITELLM_JSON, edit)


CASES: list[BadInput] = [
    # --- openai_usage: JSON pages --------------------------------------------------------------------------
    BadInput(
        "openai_usage",
        "truncated-json",
        lambda: truncated(OPENAI),
        ("the JSON ends early", "truncated"),
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "negative-tokens",
        _openai_result(output_tokens=-300),
        ("expected a whole number >= 0, got -300",),
        R0,
        "output_tokens",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "non-numeric-tokens",
        _openai_result(input_tokens="lots"),
        ("expected a whole number >= 0, got 'lots'",),
        R0,
        "input_tokens",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "huge-tokens",
        _openai_result(input_tokens=10**30),
        (TOO_BIG, "got 1000000000000000000000000000000"),
        R0,
        "input_tokens",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "int64-overflow",
        _openai_result(num_model_requests=2**63),
        (TOO_BIG, "9223372036854775808"),
        R0,
        "num_model_requests",
        extension="json",
    ),
    # More digits than Python reads into an int (4,300): written as text, json.dumps would refuse it too.
    BadInput(
        "openai_usage",
        "5000-digit-number",
        lambda: _openai_result(input_tokens=918273645)().replace(b"918273645", b"9" * 5000),
        ("has too many digits", "in [0]"),
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "unparseable-date",
        lambda: json_edit(OPENAI, lambda d: d[0]["data"][1].update(start_time="2025-01-02")),
        ("expected unix seconds, got '2025-01-02'",),
        "[0].data[1]",
        "start_time",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "far-future-date",
        lambda: json_edit(OPENAI, lambda d: d[0]["data"][0].update(start_time=4102444800)),  # 2100-01-01
        (FUTURE, "2100-01-01"),
        "[0].data[0]",
        "start_time",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "cached-above-input",
        _openai_result(input_cached_tokens=5000),
        ("expected at most input_tokens (1200), got 5000",),
        R0,
        "input_cached_tokens",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "renamed-key",
        lambda: json_edit(OPENAI, lambda d: d[0]["data"][0].update(rows=d[0]["data"][0].pop("results"))),
        ("expected a list of usage results",),
        "[0].data[0]",
        "results",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "duplicated-page",
        lambda: json_remade(OPENAI, lambda d: [d[0], *d]),
        ("already appears at [0].data[0].results[0]", "repeats"),
        "[1].data[0].results[0]",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "wrong-source-anthropic-json",
        lambda: fixture(ANTHROPIC),
        ("looks like Anthropic usage report", "source 'anthropic_usage'"),
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "csv-not-json",
        lambda: source_fixture("generic_csv"),
        ("expected a JSON file", "generic usage CSV template (source 'generic_csv')"),
    ),
    BadInput(
        "openai_usage",
        "gzip-bomb",
        gzip_bomb,
        ("gzip", "compressed", "nothing was decompressed"),
        extension="json.gz",
        archive=True,
    ),
    # --- anthropic_usage: JSON pages -----------------------------------------------------------------------
    BadInput(
        "anthropic_usage",
        "truncated-json",
        lambda: truncated(ANTHROPIC, 0.35),
        ("the JSON ends early", "truncated"),
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "negative-tokens",
        _anthropic_result(cache_read_input_tokens=-200),
        ("expected a whole number >= 0, got -200",),
        A0,
        "cache_read_input_tokens",
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "cache-creation-not-object",
        _anthropic_result(cache_creation="1500"),
        ("expected an object of cache-creation tokens, got '1500'",),
        A0 + ".cache_creation",
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "unparseable-date",
        lambda: json_edit(ANTHROPIC, lambda d: d["data"][1].update(starting_at="01/02/2025")),
        ("expected an ISO 8601 date", "got '01/02/2025'"),
        "data[1]",
        "starting_at",
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "renamed-keys",
        lambda: json_edit(
            ANTHROPIC,
            lambda d: d["data"][0]["results"][0].update(
                input=d["data"][0]["results"][0].pop("uncached_input_tokens"),
                output=d["data"][0]["results"][0].pop("output_tokens"),
            ),
        ),
        ("expected the usage report's token fields",),
        A0,
        "uncached_input_tokens",
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "cost-report-instead",
        lambda: json_edit(
            ANTHROPIC,
            lambda d: d["data"][0].update(
                results=[{"currency": "USD", "amount": "7.25", "model": "claude-sonnet-4-20250514"}]
            ),
        ),
        ("this is an Anthropic cost report", "usage_report/messages"),
        A0,
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "duplicated-bucket",
        lambda: json_edit(ANTHROPIC, lambda d: d["data"].append(d["data"][0])),
        ("already appears at data[0].results[0]", "repeats"),
        "data[2].results[0]",
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "int64-overflow",
        _anthropic_result(output_tokens=2**63),
        (TOO_BIG,),
        A0,
        "output_tokens",
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "latin1-bytes",
        lambda: fixture(ANTHROPIC).replace(b'"standard"', '"standard-é"'.encode("latin-1")),
        (NOT_UTF8, "byte 0xe9"),
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "wrong-source-openai-json",
        lambda: fixture(OPENAI),
        ("looks like OpenAI usage API pages", "source 'openai_usage'"),
        extension="json",
    ),
    # --- azure_openai_cost: cost details CSV ---------------------------------------------------------------
    BadInput(
        "azure_openai_cost",
        "missing-column",
        lambda: drop_column("azure_openai_cost", "MeterName"),
        ("missing expected column(s) 'MeterName'",),
        1,
    ),
    BadInput(
        "azure_openai_cost",
        "negative-quantity",
        _cell("azure_openai_cost", 3, "Quantity", "-72.334"),
        ("expected a number >= 0, got '-72.334'",),
        3,
        "Quantity",
    ),
    BadInput(
        "azure_openai_cost",
        "unparseable-date",
        _cell("azure_openai_cost", 4, "Date", "13/45/2025"),
        ("expected a date like 2025-08-01 or 08/01/2025, got '13/45/2025'",),
        4,
        "Date",
    ),
    BadInput(
        "azure_openai_cost",
        "unknown-unit",
        _cell("azure_openai_cost", 2, "UnitOfMeasure", "1 Barrel"),
        ("expected a token unit such as '1K' or '1M', got '1 Barrel'",),
        2,
        "UnitOfMeasure",
    ),
    BadInput(
        "azure_openai_cost",
        "semicolon-decimal-comma",
        lambda: with_delimiter("azure_openai_cost", ";", ("Quantity", "EffectivePrice", "CostInBillingCurrency")),
        ("expected a number >= 0, got '72,334'", "use a dot as the decimal separator"),
        3,
        "Quantity",
    ),
    BadInput(
        "azure_openai_cost",
        "huge-quantity",
        _cell("azure_openai_cost", 2, "Quantity", "1e30"),
        (TOO_BIG, "'1e30'"),
        2,
        "Quantity",
    ),
    BadInput(
        "azure_openai_cost",
        "huge-tokens-after-unit",
        _cell("azure_openai_cost", 4, "Quantity", "5000000"),
        ("5000000 x 1M", TOO_BIG, "tokens"),
        4,
        "Quantity",
    ),
    BadInput(
        "azure_openai_cost",
        "no-ai-meters",
        lambda: keep_rows("azure_openai_cost", 5),
        ("found no Azure OpenAI / Foundry token meters", "Virtual Machines"),
        None,
        "MeterName",
    ),
    BadInput(
        "azure_openai_cost",
        "truncated-row",
        lambda: cut_inside_row("azure_openai_cost", 3),
        ("expected 16 values as in the header", "cut short"),
        3,
    ),
    # --- azure_openai_cost: FOCUS export (https://learn.microsoft.com/en-us/azure/cost-management-billing/
    # dataset-schema/cost-usage-details-focus) ----------------------------------------------------------------
    BadInput(
        "azure_openai_cost",
        "focus-blank-consumed-quantity",
        _focus_cell(2, "ConsumedQuantity", ""),
        ("expected a number, got a blank", "needs this figure"),
        2,
        "ConsumedQuantity",
    ),
    BadInput(
        "azure_openai_cost",
        "focus-negative-quantity",
        _focus_cell(3, "ConsumedQuantity", "-184500"),
        ("expected a number >= 0, got '-184500'",),
        3,
        "ConsumedQuantity",
    ),
    BadInput(
        "azure_openai_cost",
        "focus-unparseable-date",
        _focus_cell(4, "ChargePeriodStart", "01/08/2025 00:00"),
        ("expected a date like 2025-08-01T00:00:00Z", "got '01/08/2025 00:00'"),
        4,
        "ChargePeriodStart",
    ),
    BadInput(
        "azure_openai_cost",
        "focus-missing-meter-column",
        _focus(lambda h, rows: ([c for c in h if c != "x_SkuMeterName"], [r[:-1] for r in rows])),
        ("missing expected column(s) 'x_SkuMeterName'",),
        1,
    ),
    BadInput(
        "azure_openai_cost",
        "focus-unknown-unit",
        _focus_cell(2, "ConsumedUnit", "Barrels"),
        ("expected a token unit such as '1K' or '1M', got 'Barrels'",),
        2,
        "ConsumedUnit",
    ),
    BadInput(
        "azure_openai_cost",
        "focus-huge-quantity",
        _focus_cell(5, "ConsumedQuantity", "1e30"),
        (TOO_BIG, "'1e30'"),
        5,
        "ConsumedQuantity",
    ),
    BadInput(
        "azure_openai_cost",
        "focus-no-token-meters",
        _focus(lambda h, rows: (h, [rows[4], rows[6]])),  # the VM and the reservation purchase
        ("found no Azure OpenAI / Foundry token meters among the usage charges", "Virtual Machines"),
        None,
        "x_SkuMeterName",
    ),
    BadInput(
        "azure_openai_cost",
        "wrong-source-gcp-csv",
        lambda: source_fixture("gcp_billing_export"),
        ("missing expected column(s)", "Google Cloud Billing export", "source 'gcp_billing_export'"),
        1,
    ),
    BadInput(
        "azure_openai_cost",
        "zip-bomb",
        zip_bomb,
        ("zip", "compressed", "nothing was decompressed"),
        extension="zip",
        archive=True,
    ),
    # --- gcp_billing_export: billing export CSV ------------------------------------------------------------
    BadInput(
        "gcp_billing_export",
        "missing-column",
        lambda: drop_column("gcp_billing_export", "usage.amount"),
        ("missing expected column(s) 'usage.amount'",),
        1,
    ),
    BadInput(
        "gcp_billing_export",
        "negative-amount",
        _cell("gcp_billing_export", 3, "usage.amount", "-320000"),
        ("expected a number >= 0, got '-320000'",),
        3,
        "usage.amount",
    ),
    BadInput(
        "gcp_billing_export",
        "unparseable-date",
        _cell("gcp_billing_export", 2, "usage_start_time", "yesterday"),
        ("expected a date like 2025-01-15 08:00:00 UTC, got 'yesterday'",),
        2,
        "usage_start_time",
    ),
    BadInput(
        "gcp_billing_export",
        "far-future-date",
        _cell("gcp_billing_export", 6, "usage_start_time", "2099-03-01 09:00:00 UTC"),
        (FUTURE, "'2099-03-01 09:00:00 UTC'"),
        6,
        "usage_start_time",
    ),
    BadInput(
        "gcp_billing_export",
        "non-numeric-cost",
        _cell("gcp_billing_export", 4, "cost", "free"),
        ("expected a number, got 'free'",),
        4,
        "cost",
    ),
    BadInput(
        "gcp_billing_export",
        "no-ai-skus",
        lambda: keep_rows("gcp_billing_export", 5),
        ("found no Vertex AI / Gemini token SKUs", "Compute Engine"),
        None,
        "sku.description",
    ),
    BadInput(
        "gcp_billing_export",
        "header-only",
        lambda: header_only("gcp_billing_export"),
        ("the file has a header but no data rows",),
    ),
    BadInput(
        "gcp_billing_export",
        "latin1-bytes",
        lambda: latin1_cell("gcp_billing_export", 3, "project.id", "contoso-ml-prod-équipe"),
        (NOT_UTF8, "byte 0xe9", "UTF-8"),
        3,
    ),
    BadInput(
        "gcp_billing_export",
        "wrong-source-azure-csv",
        lambda: source_fixture("azure_openai_cost"),
        ("missing expected column(s)", "Azure Cost Management export", "source 'azure_openai_cost'"),
        1,
    ),
    # --- github_copilot_seats: JSON page -------------------------------------------------------------------
    BadInput(
        "github_copilot_seats",
        "truncated-json",
        lambda: truncated(SEATS, 0.5),
        ("the JSON ends early", "truncated"),
        extension="json",
    ),
    BadInput(
        "github_copilot_seats",
        "seats-not-a-list",
        lambda: json_edit(SEATS, lambda d: d.update(seats={"octocat": 1})),
        ("expected a list of seat objects",),
        "",
        "seats",
        extension="json",
    ),
    BadInput(
        "github_copilot_seats",
        "missing-created-at",
        lambda: json_edit(SEATS, lambda d: d["seats"][1].pop("created_at")),
        ("expected an ISO 8601 timestamp, the key is missing",),
        "seats[1]",
        "created_at",
        extension="json",
    ),
    BadInput(
        "github_copilot_seats",
        "unparseable-date",
        _seat(last_activity_at="last tuesday"),
        ("expected an ISO 8601 timestamp like 2025-01-31T10:00:00Z, got 'last tuesday'",),
        "seats[1]",
        "last_activity_at",
        extension="json",
    ),
    BadInput(
        "github_copilot_seats",
        "far-future-date",
        _seat(created_at="2999-09-23T15:00:00Z"),
        (FUTURE, "2999-09-23"),
        "seats[1]",
        "created_at",
        extension="json",
    ),
    BadInput(
        "github_copilot_seats",
        "assignee-without-login",
        _seat(assignee={"id": 2, "type": "User"}),
        ("expected the assignee's login",),
        "seats[1].assignee",
        "login",
        extension="json",
    ),
    BadInput(
        "github_copilot_seats",
        "utf16-without-bom",
        lambda: utf16_without_bom(fixture(SEATS)),
        ("UTF-16 without a byte-order mark", "UTF-8"),
        extension="json",
    ),
    BadInput(
        "github_copilot_seats",
        "wrong-source-metrics-json",
        lambda: fixture(METRICS),
        ("looks like GitHub Copilot metrics", "source 'github_copilot_metrics'"),
        extension="json",
    ),
    # --- github_copilot_metrics: JSON list of days ---------------------------------------------------------
    BadInput(
        "github_copilot_metrics",
        "truncated-json",
        lambda: truncated(METRICS, 0.7),
        ("the JSON ends early", "truncated"),
        extension="json",
    ),
    BadInput(
        "github_copilot_metrics",
        "negative-active-users",
        _metrics_day(total_active_users=-24),
        ("expected a whole number >= 0, got -24",),
        "[0]",
        "total_active_users",
        extension="json",
    ),
    BadInput(
        "github_copilot_metrics",
        "non-numeric-suggestions",
        _completions_language(total_code_suggestions="many"),
        ("expected a whole number >= 0, got 'many'",),
        "[0].copilot_ide_code_completions.editors[0].models[0].languages[1]",
        "total_code_suggestions",
        extension="json",
    ),
    BadInput(
        "github_copilot_metrics",
        "unparseable-date",
        _metrics_day(date="10/01/2025"),
        ("expected an ISO 8601 date like 2025-01-31T00:00:00Z, got '10/01/2025'",),
        "[0]",
        "date",
        extension="json",
    ),
    BadInput(
        "github_copilot_metrics",
        "missing-key",
        lambda: json_edit(METRICS, lambda d: d[1].pop("total_active_users")),
        ("expected a Copilot metrics day with 'date' and 'total_active_users'",),
        "[1]",
        "date",
        extension="json",
    ),
    BadInput(
        "github_copilot_metrics",
        "editors-not-a-list",
        lambda: json_edit(METRICS, lambda d: d[0]["copilot_ide_chat"].update(editors="vscode")),
        ("expected a list, got 'vscode'",),
        "[0].copilot_ide_chat.editors",
        extension="json",
    ),
    BadInput(
        "github_copilot_metrics",
        "duplicated-day",
        lambda: json_remade(METRICS, lambda d: [*d, d[0]]),
        ("the day 2025-01-10 already appears at [0]", "repeats"),
        "[2]",
        "date",
        extension="json",
    ),
    BadInput(
        "github_copilot_metrics",
        "far-future-date",
        _metrics_day(date="2100-01-10"),
        (FUTURE, "2100-01-10"),
        "[0]",
        "date",
        extension="json",
    ),
    BadInput(
        "github_copilot_metrics",
        "wrong-source-seats-json",
        lambda: fixture(SEATS),
        ("this looks like GitHub Copilot seat assignments", "choose the 'github_copilot_seats' source"),
        extension="json",
    ),
    # --- m365_copilot_usage: Graph report CSV (with BOM) or JSON -------------------------------------------
    BadInput(
        "m365_copilot_usage",
        "missing-column",
        lambda: drop_column("m365_copilot_usage", "User Principal Name"),
        ("missing expected column(s) 'User Principal Name'",),
        1,
    ),
    BadInput(
        "m365_copilot_usage",
        "unparseable-date",
        _cell("m365_copilot_usage", 3, "Last Activity Date", "15/08/2025"),
        ("expected a date like 2025-01-31, got '15/08/2025'",),
        3,
        "Last Activity Date",
    ),
    BadInput(
        "m365_copilot_usage",
        "blank-user",
        _cell("m365_copilot_usage", 4, "User Principal Name", ""),
        ("expected the user principal name, got a blank",),
        4,
        "User Principal Name",
    ),
    BadInput(
        "m365_copilot_usage",
        "negative-period",
        _cell("m365_copilot_usage", 2, "Report Period", "-7"),
        ("expected a whole number >= 0, got '-7'",),
        2,
        "Report Period",
    ),
    BadInput(
        "m365_copilot_usage",
        "far-future-date",
        lambda: set_cell("m365_copilot_usage", 2, "Report Refresh Date", "2099-08-20").replace(
            b"2025-08-20,2025-08-20", b"2099-08-20,2099-08-20"
        ),
        (FUTURE, "'2099-08-20'"),
        2,
        "Report Refresh Date",
    ),
    BadInput(
        "m365_copilot_usage",
        "json-value-not-a-list",
        _m365_json(lambda d: d.update(value={"users": 1})),
        ("expected the Graph report object with a 'value' list of users",),
        "",
        "value",
        extension="json",
    ),
    BadInput(
        "m365_copilot_usage",
        "json-truncated",
        lambda: truncated(M365_JSON, 0.8),
        ("the JSON ends early", "truncated"),
        extension="json",
    ),
    BadInput(
        "m365_copilot_usage",
        "wrong-source-litellm-csv",
        lambda: source_fixture("litellm_spend_logs"),
        ("missing expected column(s)", "LiteLLM spend logs", "source 'litellm_spend_logs'"),
        1,
    ),
    BadInput("m365_copilot_usage", "binary-garbage", garbage, ("binary data", "not a CSV or JSON text file")),
    # --- litellm_spend_logs: CSV or JSON, one row per request ----------------------------------------------
    BadInput(
        "litellm_spend_logs",
        "missing-column",
        lambda: drop_column("litellm_spend_logs", "completion_tokens"),
        ("missing expected column(s) 'completion_tokens'",),
        1,
    ),
    BadInput(
        "litellm_spend_logs",
        "negative-tokens",
        _cell("litellm_spend_logs", 4, "prompt_tokens", "-2000"),
        ("expected a whole number >= 0, got '-2000'",),
        4,
        "prompt_tokens",
    ),
    BadInput(
        "litellm_spend_logs",
        "non-numeric-tokens",
        _cell("litellm_spend_logs", 7, "completion_tokens", "n/a"),
        ("expected a whole number >= 0, got 'n/a'",),
        7,
        "completion_tokens",
    ),
    BadInput(
        "litellm_spend_logs",
        "unparseable-date",
        _cell("litellm_spend_logs", 3, "startTime", "01/02/2025 10:15"),
        ("expected a date like 2025-01-31T10:00:00Z, got '01/02/2025 10:15'",),
        3,
        "startTime",
    ),
    BadInput(
        "litellm_spend_logs",
        "huge-tokens",
        _cell("litellm_spend_logs", 2, "prompt_tokens", "1e30"),
        (TOO_BIG, "'1e30'"),
        2,
        "prompt_tokens",
    ),
    BadInput(
        "litellm_spend_logs",
        "int64-overflow",
        _cell("litellm_spend_logs", 2, "completion_tokens", "9223372036854775808"),
        (TOO_BIG, "'9223372036854775808'"),
        2,
        "completion_tokens",
    ),
    BadInput(
        "litellm_spend_logs",
        "cached-tokens-int64-overflow",
        _cell(
            "litellm_spend_logs",
            3,
            "metadata",
            '{"usage_object": {"prompt_tokens_details": {"cached_tokens": 99999999999999999999999}}}',
        ),
        (TOO_BIG, "metadata's cached_tokens", "got '99999999999999999999999'"),
        3,
        "metadata",
    ),
    BadInput(
        "litellm_spend_logs",
        "json-huge-cached-tokens",
        _litellm_json(lambda d: d[0]["metadata"]["usage_object"]["prompt_tokens_details"].update(cached_tokens=10**13)),
        (TOO_BIG, "metadata's cached_tokens", "got '10000000000000'"),
        "[0]",
        "metadata",
        extension="json",
    ),
    BadInput(
        "litellm_spend_logs",
        "json-truncated",
        lambda: truncated(LITELLM_JSON, 0.5),
        ("the JSON ends early", "truncated"),
        extension="json",
    ),
    BadInput(
        "litellm_spend_logs",
        "json-item-not-object",
        _litellm_json(lambda d: d.insert(1, 42)),
        ("expected a spend log object",),
        "[1]",
        extension="json",
    ),
    BadInput(
        "litellm_spend_logs",
        "json-far-future-date",
        _litellm_json(lambda d: d[1].update(startTime="2100-02-03T11:00:00Z")),
        (FUTURE, "'2100-02-03T11:00:00Z'"),
        "[1]",
        "startTime",
        extension="json",
    ),
    BadInput(
        "litellm_spend_logs",
        "wrong-source-openai-json",
        lambda: fixture(OPENAI),
        ("looks like OpenAI usage API pages", "source 'openai_usage'"),
        extension="json",
    ),
    BadInput(
        "litellm_spend_logs",
        "utf16-without-bom",
        lambda: utf16_without_bom(source_fixture("litellm_spend_logs")),
        ("UTF-16 without a byte-order mark", "UTF-8"),
    ),
    # --- codecarbon_emissions: emissions.csv ---------------------------------------------------------------
    BadInput(
        "codecarbon_emissions",
        "missing-column",
        lambda: drop_column("codecarbon_emissions", "energy_consumed"),
        ("missing expected column(s) 'energy_consumed'",),
        1,
    ),
    BadInput(
        "codecarbon_emissions",
        "renamed-column",
        lambda: rename_column("codecarbon_emissions", "timestamp", "time stamp_utc"),
        ("missing expected column(s) 'timestamp'",),
        1,
    ),
    BadInput(
        "codecarbon_emissions",
        "negative-energy",
        _cell("codecarbon_emissions", 4, "energy_consumed", "-0.3"),
        ("expected a number >= 0, got '-0.3'",),
        4,
        "energy_consumed",
    ),
    BadInput(
        "codecarbon_emissions",
        "non-numeric-energy",
        _cell("codecarbon_emissions", 3, "energy_consumed", "1.2 kWh"),
        ("expected a number >= 0, got '1.2 kWh'",),
        3,
        "energy_consumed",
    ),
    BadInput(
        "codecarbon_emissions",
        "nan-energy",
        _cell("codecarbon_emissions", 2, "energy_consumed", "nan"),
        ("expected a number >= 0, got 'nan'",),
        2,
        "energy_consumed",
    ),
    BadInput(
        "codecarbon_emissions",
        "huge-energy",
        _cell("codecarbon_emissions", 2, "energy_consumed", "1e30"),
        (TOO_BIG, "'1e30'"),
        2,
        "energy_consumed",
    ),
    BadInput(
        "codecarbon_emissions",
        "unparseable-date",
        _cell("codecarbon_emissions", 4, "timestamp", "2025-13-02T09:00:00"),
        ("expected a date like 2025-01-31T10:00:00, got '2025-13-02T09:00:00'",),
        4,
        "timestamp",
    ),
    BadInput(
        "codecarbon_emissions",
        "year-9999-date",
        _cell("codecarbon_emissions", 2, "timestamp", "9999-03-01T10:00:00"),
        (FUTURE, "'9999-03-01T10:00:00'"),
        2,
        "timestamp",
    ),
    BadInput(
        "codecarbon_emissions",
        "wrong-source-generic-csv",
        lambda: source_fixture("generic_csv"),
        (
            "missing expected column(s) 'timestamp', 'energy_consumed'",
            "generic usage CSV template",
            "source 'generic_csv'",
        ),
        1,
    ),
    BadInput("codecarbon_emissions", "blank-lines-only", lambda: b"\n \r\n\t\n", ("the file is empty",)),
    # --- generic_csv: our template -------------------------------------------------------------------------
    BadInput(
        "generic_csv",
        "missing-column",
        lambda: drop_column("generic_csv", "output_tokens"),
        ("missing expected column(s) 'output_tokens'",),
        1,
    ),
    BadInput(
        "generic_csv",
        "renamed-column",
        lambda: rename_column("generic_csv", "output_tokens", "ouput_tokens"),
        ("missing expected column(s) 'output_tokens'", "found column(s) it does not use 'ouput_tokens'"),
        1,
    ),
    BadInput(
        "generic_csv",
        "negative-tokens",
        _cell("generic_csv", 3, "input_tokens", "-6000"),
        ("expected a whole number >= 0, got '-6000'",),
        3,
        "input_tokens",
    ),
    BadInput(
        "generic_csv",
        "non-numeric-tokens",
        _cell("generic_csv", 2, "output_tokens", "3k"),
        ("expected a whole number >= 0, got '3k'",),
        2,
        "output_tokens",
    ),
    BadInput(
        "generic_csv",
        "unparseable-date",
        _cell("generic_csv", 4, "date", "April 2nd"),
        ("expected a date like 2025-01-31, got 'April 2nd'",),
        4,
        "date",
    ),
    BadInput(
        "generic_csv",
        "far-future-date",
        _cell("generic_csv", 3, "date", "2099-04-01"),
        (FUTURE, "'2099-04-01'"),
        3,
        "date",
    ),
    BadInput(
        "generic_csv",
        "year-0001-date",
        _cell("generic_csv", 2, "date", "0001-04-01"),
        ("before 2000-01-01", "'0001-04-01'"),
        2,
        "date",
    ),
    BadInput(
        "generic_csv",
        "huge-tokens",
        _cell("generic_csv", 4, "output_tokens", "1e30"),
        (TOO_BIG, "'1e30'"),
        4,
        "output_tokens",
    ),
    BadInput(
        "generic_csv",
        "int64-overflow-when-summed",
        lambda: set_cell("generic_csv", 2, "input_tokens", "5000000000000000000").replace(
            b",6000,", b",5000000000000000000,"
        ),
        (TOO_BIG, "'5000000000000000000'"),
        2,
        "input_tokens",
    ),
    BadInput(
        "generic_csv",
        "semicolon-decimal-comma",
        lambda: with_delimiter("generic_csv", ";", ("cost",)),
        ("expected a number, got '0,05'", "use a dot as the decimal separator"),
        2,
        "cost",
    ),
    BadInput(
        "generic_csv",
        "pipe-delimiter",
        lambda: with_delimiter("generic_csv", "|"),
        ("missing expected column(s) 'date', 'provider', 'model', 'input_tokens', 'output_tokens'",),
        1,
    ),
    BadInput(
        "generic_csv",
        "latin1-bytes",
        lambda: latin1_cell("generic_csv", 3, "user", "rené@contoso.com"),
        (NOT_UTF8, "byte 0xe9", "Save it as UTF-8"),
        3,
    ),
    BadInput(
        "generic_csv",
        "utf16-without-bom",
        lambda: utf16_without_bom(source_fixture("generic_csv")),
        ("UTF-16 without a byte-order mark", "UTF-8"),
    ),
    BadInput(
        "generic_csv", "header-only", lambda: header_only("generic_csv"), ("the file has a header but no data rows",)
    ),
    BadInput(
        "generic_csv",
        "json-not-csv",
        lambda: fixture(LITELLM_JSON),
        ("expected a CSV file but the file is JSON", "LiteLLM spend logs"),
        extension="json",
    ),
    BadInput(
        "generic_csv", "binary-garbage", lambda: garbage(20_000, seed=9), ("binary data", "not a CSV or JSON text file")
    ),
    BadInput(
        "generic_csv",
        "gzip-bomb",
        gzip_bomb,
        ("gzip", "compressed", "nothing was decompressed"),
        extension="csv.gz",
        archive=True,
    ),
    BadInput("generic_csv", "empty-file", lambda: b"", ("the file is empty", "nothing was stored"), at_upload=True),
    BadInput(
        "generic_csv",
        "over-size-limit",
        lambda: oversized("generic_csv", 1),
        ("larger than the 1 MB limit", "nothing was stored"),
        at_upload=True,
        max_upload_mb=1,
    ),
    BadInput(
        "litellm_spend_logs",
        "over-size-limit",
        lambda: oversized("litellm_spend_logs", 1),
        ("larger than the 1 MB limit", "nothing was stored"),
        at_upload=True,
        max_upload_mb=1,
    ),
    BadInput(
        "anthropic_usage",
        "empty-file",
        lambda: b"",
        ("the file is empty", "nothing was stored"),
        extension="json",
        at_upload=True,
    ),
    # --- github_copilot_usage_reports: NDJSON behind the reports API's download links -----------------------
    BadInput(
        "github_copilot_usage_reports",
        "truncated-ndjson",
        lambda: fixture(REPORTS)[:1500],
        ("the JSON ends early", "inside [0]", "truncated"),
        extension="ndjson",
    ),
    BadInput(
        "github_copilot_usage_reports",
        "missing-interactions",
        lambda: ndjson_edit(REPORTS, lambda r: r[1].pop("user_initiated_interaction_count")),
        ("the key 'user_initiated_interaction_count' is missing", "a per-user record needs it"),
        "[1]",
        "user_initiated_interaction_count",
        extension="ndjson",
    ),
    BadInput(
        "github_copilot_usage_reports",
        "missing-feature-totals",
        lambda: ndjson_edit(REPORTS, lambda r: r[0].pop("totals_by_feature")),
        ("the key 'totals_by_feature' is missing",),
        "[0]",
        "totals_by_feature",
        extension="ndjson",
    ),
    BadInput(
        "github_copilot_usage_reports",
        "negative-acceptances",
        _report_user(0, code_acceptance_activity_count=-3),
        ("expected a whole number >= 0, got -3",),
        "[0]",
        "code_acceptance_activity_count",
        extension="ndjson",
    ),
    BadInput(
        "github_copilot_usage_reports",
        "non-numeric-feature-count",
        lambda: ndjson_edit(
            REPORTS, lambda r: r[1]["totals_by_feature"][0].update(code_generation_activity_count="many")
        ),
        ("expected a whole number >= 0, got 'many'",),
        "[1].totals_by_feature[0]",
        "code_generation_activity_count",
        extension="ndjson",
    ),
    BadInput(
        "github_copilot_usage_reports",
        "unparseable-day",
        _report_user(0, day="10/01/2025"),
        ("expected an ISO 8601 date like 2025-01-31T00:00:00Z, got '10/01/2025'",),
        "[0]",
        "day",
        extension="ndjson",
    ),
    BadInput(
        "github_copilot_usage_reports",
        "far-future-day",
        _report_user(1, day="2100-10-01"),
        (FUTURE, "2100-10-01"),
        "[1]",
        "day",
        extension="ndjson",
    ),
    BadInput(
        "github_copilot_usage_reports",
        "repeated-user-day",
        lambda: ndjson_edit(REPORTS, lambda r: r.append(dict(r[0]))),
        ("the day 2025-10-01 of user 'alice' already appears at [0]", "repeats a report"),
        "[5]",
        "day",
        extension="ndjson",
    ),
    BadInput(
        "github_copilot_usage_reports",
        "blank-team-slug",
        lambda: ndjson_edit(REPORTS, lambda r: r[2].update(slug="")),
        ("expected the slug, got a blank",),
        "[2]",
        "slug",
        extension="ndjson",
    ),
    BadInput(
        "github_copilot_usage_reports",
        "the-download-links-answer",
        lambda: json.dumps({"download_links": ["https://example.com/r-1.ndjson"], "report_day": "2026-05-07"}).encode(),
        ("not the report", "download the files at 'download_links'"),
        "",
        "download_links",
        extension="json",
    ),
    BadInput(
        "github_copilot_usage_reports",
        "wrong-source-old-metrics",
        lambda: fixture(METRICS),
        ("this looks like GitHub Copilot metrics", "choose the 'github_copilot_metrics' source"),
        extension="json",
    ),
    BadInput(
        "github_copilot_metrics",
        "wrong-source-usage-reports",
        lambda: fixture(REPORTS),
        ("this looks like GitHub Copilot usage metrics reports", "choose the 'github_copilot_usage_reports' source"),
        extension="ndjson",
    ),
    # --- m365_copilot_usage v2: active usage days ------------------------------------------------------------
    BadInput(
        "m365_copilot_usage",
        "v2-without-active-usage-days",
        _v2_drop("Active Usage Days for all apps"),
        ("this is a v2 report", "'Active Usage Days for all apps' is missing"),
        None,
        "Active Usage Days for all apps",
    ),
    BadInput(
        "m365_copilot_usage",
        "v2-non-numeric-active-days",
        _v2_cell(3, "Active Usage Days for all apps", "many"),
        ("expected a whole number >= 0, got 'many'",),
        3,
        "Active Usage Days for all apps",
    ),
    BadInput(
        "m365_copilot_usage",
        "v2-more-active-days-than-the-period",
        _v2_cell(2, "Active Usage Days for all apps", "29"),
        ("29 active usage days in a report period of 28 days",),
        2,
        "Active Usage Days for all apps",
    ),
    # period='ALL' (the Graph page: every period, 7 to 180 days): overlapping counts that would add up.
    BadInput(
        "m365_copilot_usage",
        "v2-period-all-user-twice",
        lambda: v2_csv_edit(
            lambda h, rows: rows.append([c if n != h.index("Report Period") else "7" for n, c in enumerate(rows[0])])
        ),
        ("the user is listed twice", "several periods", "export one period"),
        6,
        "User Principal Name",
    ),
    BadInput(
        "m365_copilot_usage",
        "json-several-periods",
        _m365_json(lambda d: d["value"][0]["copilotActivityUserDetailsByPeriod"].append({"reportPeriod": 30})),
        ("the report holds several periods",),
        "value[0].copilotActivityUserDetailsByPeriod",
        extension="json",
    ),
]


# The vendors' bills (OpenAI Costs API pages written back to back, one per line; the Anthropic cost report).
OPENAI_COSTS = FIXTURE["openai_costs"]
COST_REPORT = FIXTURE["anthropic_cost_report"]
C0 = "[0].data[0].results[0]"  # the first OpenAI costs result (the fixture is pages one after another)


def jsonl_edit(path: str, edit: Callable[[list], Any]) -> bytes:
    """A fixture of JSON values one per line, changed in place by `edit` (given the list of values)."""
    values = [json.loads(line) for line in fixture(path).decode("utf-8").splitlines() if line.strip()]
    edit(values)
    return "".join(json.dumps(v) + "\n" for v in values).encode("utf-8")


def _costs_amount(edit: Callable[[dict], Any]) -> Callable[[], bytes]:
    return lambda: jsonl_edit(OPENAI_COSTS, lambda d: edit(d[0]["data"][0]["results"][0]["amount"]))


def _cost_line(edit: Callable[[dict], Any]) -> Callable[[], bytes]:
    return lambda: json_edit(COST_REPORT, lambda d: edit(d["data"][0]["results"][0]))


AMOUNT = "expected an amount (a number or a decimal string)"
CURRENCY = "expected an ISO 4217 currency code"
CASES += [
    BadInput(
        "openai_costs",
        "amount-value-missing",
        _costs_amount(lambda a: a.pop("value")),
        (AMOUNT, "the key is missing"),
        f"{C0}.amount",
        "value",
        extension="json",
    ),
    BadInput(
        "openai_costs",
        "currency-missing",
        _costs_amount(lambda a: a.pop("currency")),
        (CURRENCY, "the key is missing"),
        f"{C0}.amount",
        "currency",
        extension="json",
    ),
    BadInput(
        "openai_costs",
        "amount-not-a-number",
        _costs_amount(lambda a: a.update(value="0,06")),
        (AMOUNT, "'0,06'"),
        f"{C0}.amount",
        "value",
        extension="json",
    ),
    BadInput(
        "openai_costs",
        "amount-too-large",
        _costs_amount(lambda a: a.update(value=1e13)),
        ("between -1,000,000,000,000 and 1,000,000,000,000",),
        f"{C0}.amount",
        "value",
        extension="json",
    ),
    BadInput(
        "openai_costs",
        "currency-not-a-code",
        _costs_amount(lambda a: a.update(currency="dollars")),
        (CURRENCY, "'dollars'"),
        f"{C0}.amount",
        "currency",
        extension="json",
    ),
    BadInput(
        "openai_costs",
        "page-loaded-twice",
        lambda: jsonl_edit(OPENAI_COSTS, lambda d: d.append(d[0])),
        ("already appears at [0].data[0].results[0]", "repeats"),
        "[2].data[0].results[0]",
        extension="json",
    ),
    BadInput(
        "anthropic_cost_report",
        "amount-missing",
        _cost_line(lambda r: r.pop("amount")),
        (AMOUNT, "the key is missing"),
        A0,
        "amount",
        extension="json",
    ),
    BadInput(
        "anthropic_cost_report",
        "currency-empty",
        _cost_line(lambda r: r.update(currency="")),
        (CURRENCY, "missing or empty"),
        A0,
        "currency",
        extension="json",
    ),
    BadInput(
        "anthropic_cost_report",
        "amount-with-a-comma",
        _cost_line(lambda r: r.update(amount="123,45")),
        (AMOUNT, "'123,45'"),
        A0,
        "amount",
        extension="json",
    ),
    BadInput(
        "anthropic_cost_report",
        "future-bucket",
        lambda: json_edit(COST_REPORT, lambda d: d["data"][0].update(starting_at="2999-01-01T00:00:00Z")),
        (FUTURE,),
        "data[0]",
        "starting_at",
        extension="json",
    ),
    BadInput(
        "anthropic_cost_report",
        "usage-report-instead",
        lambda: fixture(ANTHROPIC),
        ("this looks like Anthropic usage report", "'anthropic_usage'"),
        extension="json",
    ),
]


def deeply_nested(path: str, levels: int = 100_000) -> bytes:
    """The fixture's first value with `levels` arrays nested into a new key (issue 19): refused as it is read, by
    the depth of its brackets (tests/connectors/test_json_depth.py), never built, parsed or validated."""
    text = fixture(path).decode("utf-8-sig").lstrip()
    key = "" if text[0] == "[" else '"nested": '  # an array's first item, or an object's first key
    return (text[0] + key + "[" * levels + "]" * levels + ", " + text[1:]).encode("utf-8")


NESTED = "the JSON is nested more than 64 levels deep"
CASES += [
    BadInput(
        source, "nested-100000-levels", functools.partial(deeply_nested, FIXTURE[source]), (NESTED,), extension=ext
    )
    for source, ext in (
        ("openai_usage", "json"),
        ("anthropic_usage", "json"),
        ("github_copilot_seats", "json"),
        ("github_copilot_metrics", "json"),
        ("github_copilot_usage_reports", "ndjson"),
        ("openai_costs", "json"),
        ("anthropic_cost_report", "json"),
    )
]


def by_source() -> dict[str, int]:
    """Number of cases per source key (the report quotes it)."""
    counts: dict[str, int] = {}
    for case in CASES:
        counts[case.source] = counts.get(case.source, 0) + 1
    return counts


# --------------------------------------------------------------------------------------------- injections

# Spreadsheet formulas and HTML in the names a usage file carries: valid usage, so stored, but never run.
FORMULAS = ('=HYPERLINK("http://evil.example/x","x")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1+1)*cmd|' /C calc'!A0")
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


def injection_csv() -> bytes:
    """A generic usage CSV whose user, team, model, project and API-key names are formulas and HTML."""
    header = [
        "date",
        "provider",
        "model",
        "requests",
        "input_tokens",
        "output_tokens",
        "user",
        "team",
        "project",
        "api_key",
        "zone",
        "cost",
        "currency",
    ]
    rows = [
        [
            "2025-04-01",
            "openai",
            FORMULAS[0],
            "3",
            "1200",
            "300",
            SCRIPT,
            FORMULAS[2],
            IMG,
            FORMULAS[3],
            "FR",
            "0.5",
            "EUR",
        ],
        ["2025-04-02", "openai", SCRIPT, "2", "800", "200", FORMULAS[1], SCRIPT, FORMULAS[0], IMG, "FR", "0.25", "EUR"],
        ["2025-04-03", "mistral", IMG, "1", "400", "100", FORMULAS[3], IMG, SCRIPT, FORMULAS[1], "FR", "0.1", "EUR"],
        [
            "2025-04-03",
            "mistral",
            FORMULAS[2],
            "1",
            "400",
            "100",
            IMG,
            FORMULAS[0],
            FORMULAS[1],
            SCRIPT,
            "FR",
            "0.1",
            "EUR",
        ],
    ]
    return csv_bytes(header, rows)


# The cases of the sources of issue 18 and of issue 19 live in their own modules (they import the helpers above).
from tests.security.corpus_hostile import more_cases  # noqa: E402

CASES += more_cases()
