"""The bad-input corpus (issue 8): malformed uploads made by code from the valid fixtures in tests/fixtures/.

Nothing large is committed: every input is built when its test asks for it, by mutating a fixture (a cell, a key,
the encoding, the delimiter, a cut) or from scratch (garbage bytes, archives that expand to gigabytes). Each entry
says what the refusal must say: the error's row (CSV row, header = 1) or JSON path, its column or key, and
substrings of the message. The message must also name the file, which every entry's `filename` makes unique.
"""

from __future__ import annotations

# The cases are in the corpus_*.py modules by source family; the shared helpers are in corpus_helpers.py, re-exported
# here (the tests use corpus.set_cell, corpus.FIXTURE, ...).
from tests.security.corpus_cloud_bills import CASES as CLOUD_BILL_CASES
from tests.security.corpus_copilot_m365 import CASES as COPILOT_M365_CASES
from tests.security.corpus_csv_sources import CASES as CSV_SOURCE_CASES
from tests.security.corpus_helpers import *  # noqa: F403
from tests.security.corpus_helpers import BadInput, csv_bytes
from tests.security.corpus_hostile import more_cases
from tests.security.corpus_reports_costs import CASES as REPORT_COST_CASES
from tests.security.corpus_vendor_usage import CASES as VENDOR_USAGE_CASES

# In the order the cases were first written (the test ids are the same whatever the order; the report's is this).
CASES: list[BadInput] = [
    *VENDOR_USAGE_CASES,
    *CLOUD_BILL_CASES,
    *COPILOT_M365_CASES,
    *CSV_SOURCE_CASES,
    *REPORT_COST_CASES,
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


# The cases of the sources of issue 18 and of issue 19 (corpus_hostile.py, corpus_new_sources.py, ...): built when
# called, from the helpers re-exported above.
CASES += more_cases()
