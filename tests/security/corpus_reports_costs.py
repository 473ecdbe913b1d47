"""Bad-input corpus cases of the Copilot usage reports, the m365 v2 report, the vendors' bills (OpenAI costs,
Anthropic cost report) and of JSON nested too deep."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from tests.security.corpus_helpers import (
    A0,
    ANTHROPIC,
    FIXTURE,
    FUTURE,
    METRICS,
    REPORTS,
    BadInput,
    deeply_nested,
    fixture,
    json_edit,
    jsonl_edit,
    m365_json_build,
    ndjson_edit,
    v2_csv_edit,
)


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


CASES: list[BadInput] = [
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
        m365_json_build(lambda d: d["value"][0]["copilotActivityUserDetailsByPeriod"].append({"reportPeriod": 30})),
        ("the report holds several periods",),
        "value[0].copilotActivityUserDetailsByPeriod",
        extension="json",
    ),
]


# The vendors' bills (OpenAI Costs API pages written back to back, one per line; the Anthropic cost report).
OPENAI_COSTS = FIXTURE["openai_costs"]
COST_REPORT = FIXTURE["anthropic_cost_report"]
C0 = "[0].data[0].results[0]"  # the first OpenAI costs result (the fixture is pages one after another)


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
