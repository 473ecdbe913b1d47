"""Bad-input corpus cases of Cursor's daily usage data (``cursor_daily_usage`` reading
tests/fixtures/cursor_daily_usage/daily_usage_pages.json), appended to corpus.CASES through corpus_new_sources.
Follows https://cursor.com/docs/account/teams/admin-api ("Get Daily Usage Data")."""

from __future__ import annotations

import json

DAILY = "cursor_daily_usage/daily_usage_pages.json"


def cases() -> list:
    """The cases, built on the corpus's helpers (imported here, as corpus_new_sources does)."""
    from tests.security.corpus import BadInput, fixture, truncated

    def _daily(edit) -> bytes:
        """The daily usage fixture (a JSON list of pages) changed in place by `edit`."""
        values = json.loads(fixture(DAILY))
        edit(values)
        return json.dumps(values).encode()

    def _repeat(values: list) -> None:
        values[1]["data"].append(dict(values[0]["data"][2]))

    return [
        BadInput("cursor_daily_usage", "truncated", lambda: truncated(DAILY, 0.6), ("truncated",), extension="json"),
        BadInput(
            "cursor_daily_usage",
            "missing-date",
            lambda: _daily(lambda v: v[1]["data"][1].pop("date")),
            ("expected epoch milliseconds", "the key is missing"),
            "[1].data[1]",
            "date",
            extension="json",
        ),
        BadInput(
            "cursor_daily_usage",
            "missing-usage-based-reqs",
            lambda: _daily(lambda v: v[0]["data"][0].pop("usageBasedReqs")),
            ("the key is missing",),
            "[0].data[0]",
            "usageBasedReqs",
            extension="json",
        ),
        BadInput(
            "cursor_daily_usage",
            "day-not-a-date",
            lambda: _daily(lambda v: v[0]["data"][0].update(day="18/03/2024")),
            ("expected an ISO 8601 date",),
            "[0].data[0]",
            "day",
            extension="json",
        ),
        BadInput(
            "cursor_daily_usage",
            "decimal-request-count",
            lambda: _daily(lambda v: v[1]["data"][0].update(usageBasedReqs="2.5")),
            ("expected a whole number >= 0",),
            "[1].data[0]",
            "usageBasedReqs",
            extension="json",
        ),
        BadInput(
            "cursor_daily_usage",
            "negative-tabs-shown",
            lambda: _daily(lambda v: v[0]["data"][2].update(totalTabsShown=-1)),
            ("expected a whole number >= 0, got -1",),
            "[0].data[2]",
            "totalTabsShown",
            extension="json",
        ),
        BadInput(
            "cursor_daily_usage",
            "no-user",
            lambda: _daily(lambda v: v[0]["data"][1].update(email="", userId=None)),
            ("expected the user's email",),
            "[0].data[1]",
            "email",
            extension="json",
        ),
        BadInput(
            "cursor_daily_usage",
            "repeated-user-day",
            lambda: _daily(_repeat),
            ("already appears at [0].data[2]", "overlapping pulls"),
            "[1].data[2]",
            "email",
            extension="json",
        ),
        BadInput(
            "cursor_daily_usage",
            "usage-events-instead",
            lambda: fixture("cursor_admin/usage_events_pages.json"),
            ("looks like Cursor Admin API usage events", "'cursor_admin'"),
            extension="json",
        ),
    ]
