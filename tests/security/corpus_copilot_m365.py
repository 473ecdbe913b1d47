"""Bad-input corpus cases of GitHub Copilot seats and metrics and of the Microsoft 365 Copilot usage report."""

from __future__ import annotations

from collections.abc import Callable

from tests.security.corpus_helpers import (
    FUTURE,
    M365_JSON,
    METRICS,
    SEATS,
    BadInput,
    cell_build,
    drop_column,
    fixture,
    garbage,
    json_edit,
    json_remade,
    m365_json_build,
    set_cell,
    source_fixture,
    truncated,
    utf16_without_bom,
)


def _seat(**changes) -> Callable[[], bytes]:
    return lambda: json_edit(SEATS, lambda d: d["seats"][1].update(changes))


def _metrics_day(**changes) -> Callable[[], bytes]:
    return lambda: json_edit(METRICS, lambda d: d[0].update(changes))


def _completions_language(**changes) -> Callable[[], bytes]:
    def edit(d):
        d[0]["copilot_ide_code_completions"]["editors"][0]["models"][0]["languages"][1].update(changes)

    return lambda: json_edit(METRICS, edit)


CASES: list[BadInput] = [
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
        cell_build("m365_copilot_usage", 3, "Last Activity Date", "15/08/2025"),
        ("expected a date like 2025-01-31, got '15/08/2025'",),
        3,
        "Last Activity Date",
    ),
    BadInput(
        "m365_copilot_usage",
        "blank-user",
        cell_build("m365_copilot_usage", 4, "User Principal Name", ""),
        ("expected the user principal name, got a blank",),
        4,
        "User Principal Name",
    ),
    BadInput(
        "m365_copilot_usage",
        "negative-period",
        cell_build("m365_copilot_usage", 2, "Report Period", "-7"),
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
        m365_json_build(lambda d: d.update(value={"users": 1})),
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
]
