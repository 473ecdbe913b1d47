"""ChatGPT Enterprise workspace analytics, user engagement report (CSV).

OpenAI's help page (https://help.openai.com/en/articles/10875114-user-analytics-for-chatgpt-enterprise-and-edu)
names the weekly and monthly CSV export and its metrics but lists no columns; the fixture follows the header of the
exports as public projects reading real ones spell it (see the source's docstring), and its sums are done by hand
below."""

from __future__ import annotations

import io

import pytest

from apps.connectors.sources import chatgpt_enterprise_analytics as chatgpt
from apps.connectors.sources import detect
from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals
from tests.security.corpus import csv_bytes, csv_table

KEY = chatgpt.KEY
NAME = "user_engagement_weekly.csv"


def table() -> tuple[list[str], list[list[str]]]:
    return csv_table(fixture_bytes(KEY, NAME))


def edited(edit) -> bytes:
    """The fixture with `edit(header, rows)` applied."""
    header, rows = table()
    edit(header, rows)
    return csv_bytes(header, rows)


def set_cell(row: int, column: str, value: str) -> bytes:
    """The fixture with one cell changed; `row` as a spreadsheet counts (header = 1)."""

    def edit(header, rows):
        rows[row - 2][header.index(column)] = value

    return edited(edit)


def test_fixture_hand_sums():
    # Week 2026-03-02..08. Ada: 41 messages, active 03-02 and 03-06; Bruno: 5, 03-03 only; Chloé and Farid: no
    # activity (skipped); Dmitri: 12, 03-04 and 03-08, no email shown (named by public_id); Eva: 1 message, 03-02
    # and 03-05; Gina: invited, pending, every figure blank as exports write them (skipped).
    frame = parse_bytes(KEY, fixture_bytes(KEY, NAME), NAME)
    got = {
        (p, d.strftime("%m-%d")): r for p, d, r in zip(frame["person"], frame["day"], frame["requests"], strict=True)
    }
    assert got == {
        ("ada.lovelace@example.com", "03-06"): 21,  # 41 spread over two days, the last day the larger share
        ("ada.lovelace@example.com", "03-02"): 20,
        ("bruno.latour@example.com", "03-03"): 5,
        ("user-Dm4", "03-08"): 6,
        ("user-Dm4", "03-04"): 6,
        ("eva.schmidt@example.com", "03-05"): 1,
        ("eva.schmidt@example.com", "03-02"): 0,  # one message, two days: that day falls back on the assumption
    }
    t = totals(frame)
    assert (t["requests"], t["active_user_days"]) == (41 + 5 + 12 + 1, 2 + 1 + 2 + 2)
    assert set(frame["provider"]) == {"openai"} and set(frame["model"]) == {"chatgpt_enterprise"}
    assert frame.attrs["rows_read"] == 7 and frame.attrs["skipped"] == {"no_activity": 3}


def test_seats_one_row_per_user_with_the_last_day_active():
    seats = chatgpt.parse_seats(io.BytesIO(fixture_bytes(KEY, NAME)), NAME)
    assert len(seats) == 7
    by = seats.set_index("person")
    assert str(by.loc["chloe.martin@example.com", "last_activity_at"].date()) == "2026-02-12"  # before the week
    assert by["last_activity_at"].isna().sum() == 2  # Farid, never active, and Gina, invited
    assert int(by.loc["ada.lovelace@example.com", "gpt_messages"]) == 6


def test_header_spelling_and_missing_columns_are_tolerated():
    # Upper case and spaces, the rank spelt 'message_rank', no GPT/tool/project columns, no email column.
    def edit(header, rows):
        keep = [
            i for i, h in enumerate(header) if not h.startswith(("gpt", "tool", "project", "email", "messages_rank"))
        ]
        header[:] = [header[i].replace("_", " ").upper() for i in keep] + ["message_rank"]
        rows[:] = [[r[i] for i in keep] + [""] for r in rows]

    def pending_again(header, rows):
        edit(header, rows)
        rows.append(list(rows[-1]))  # a second invitation pending: no email column, no public_id, no activity

    frame = parse_bytes(KEY, edited(pending_again), "variant.csv")
    assert totals(frame)["requests"] == 59 and frame.attrs["skipped"] == {"no_activity": 4}
    assert set(frame["person"]) == {"user-Ak2", "user-Bq7", "user-Dm4", "user-Ef9"}


def test_detected_from_its_header():
    assert detect(io.BytesIO(fixture_bytes(KEY, NAME)))[0][0] == KEY


@pytest.mark.parametrize(
    ("data", "row", "column", "words"),
    [
        (lambda: set_cell(2, "messages", ""), 2, "messages", "got a blank for a user active in the period"),
        (lambda: set_cell(3, "first_day_active_in_period", "2026-03-09"), 3, "first_day_active_in_period", "outside"),
        (lambda: set_cell(4, "messages", "7"), 4, "first_day_active_in_period", "messages in the period but no day"),
        (lambda: set_cell(2, "period_end", "2026-02-28"), 2, "period_end", "ends before it starts"),
        (lambda: set_cell(5, "messages", "twelve"), 5, "messages", "expected a whole number"),
        (lambda: set_cell(6, "last_day_active_in_period", "2026-03-01"), 6, "last_day_active_in_period", "outside"),
        (lambda: set_cell(5, "public_id", ""), 5, "email", "expected the user's email or public_id"),  # active, unnamed
    ],
)
def test_bad_values_are_refused_naming_row_and_column(data, row, column, words):
    err = refused(KEY, data(), "bad.csv")
    assert (err.row, err.column) == (row, column) and words in str(err) and "bad.csv" in str(err)


def test_the_same_user_in_overlapping_periods_is_refused():
    # The week again as a monthly row of March: the messages of 03-02..08 would count twice.
    def edit(header, rows):
        month = list(rows[0])
        month[header.index("period_end")] = "2026-03-31"
        month[header.index("cadence")] = "Monthly"
        rows.append(month)

    err = refused(KEY, edited(edit), "joined.csv")
    assert err.column == "period_start" and "overlaps" in str(err) and err.row in (2, 9)


def test_consecutive_weeks_of_one_user_add_up():
    def edit(header, rows):
        week = list(rows[0])
        for col, value in (("period_start", "2026-03-09"), ("period_end", "2026-03-15")):
            week[header.index(col)] = value
        week[header.index("first_day_active_in_period")] = "2026-03-10"
        week[header.index("last_day_active_in_period")] = "2026-03-10"
        week[header.index("messages")] = "9"
        rows.append(week)

    frame = parse_bytes(KEY, edited(edit), "two-weeks.csv")
    ada = frame[frame["person"] == "ada.lovelace@example.com"]
    assert (int(ada["requests"].sum()), int(ada["active_user_days"].sum())) == (41 + 9, 3)


def test_the_gpt_report_is_refused_saying_which_report_it_is():
    data = b"cadence,period_start,period_end,gpt_id,gpt_name,config_type,is_active,first_day_active_in_period,"
    data += b"last_day_active_in_period,messages_workspace,unique_messagers_workspace\n"
    data += b"Weekly,2026-03-02,2026-03-08,g-1,Contract helper,gpt,1,2026-03-02,2026-03-06,120,7\n"
    err = refused(KEY, data, "gpts.csv")
    assert err.column == "messages_workspace" and "GPT engagement report" in str(err)


def test_another_source_file_is_refused_naming_the_missing_columns():
    err = refused(KEY, fixture_bytes("m365_copilot_usage", "copilot_usage_user_detail.csv"), "m365.csv")
    assert err.row == 1 and "missing expected column(s)" in str(err) and "'period_start'" in str(err)
    assert "looks like Microsoft 365 Copilot usage user detail" in str(err)
