"""Microsoft 365 Copilot usage: distinct last-activity days inside the report period."""

import io

from apps.connectors.sources import m365_copilot_usage
from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "m365_copilot_usage"
CSV = "copilot_usage_user_detail.csv"
JSON = "copilot_usage_user_detail.json"


def test_csv_active_days_are_a_lower_bound_from_last_dates():
    frame = parse_bytes(KEY, fixture_bytes(KEY, CSV), CSV)
    # period D7 refreshed 2025-08-20 -> 2025-08-14 .. 2025-08-20
    # Adele: 08-20 (Teams/last), 08-18 (Word, Outlook), 08-16 (Chat); PowerPoint 03-26 is outside -> 3
    # Bianca: 08-15 -> 1; Cameron: no dates -> 0; Diego: 07-01 outside -> 0
    assert totals(frame)["active_user_days"] == 4
    assert frame.groupby("person")["active_user_days"].sum().to_dict() == {
        "adele.vance@contoso.com": 3,
        "bianca.pisani@contoso.com": 1,
    }
    assert frame.attrs["rows_skipped"] == 2  # users with no activity in the period


def test_json_response_and_obfuscated_names():
    frame = parse_bytes(KEY, fixture_bytes(KEY, JSON), JSON)
    # 08-20 and 08-16 are inside the 7 days; Word 08-06 and PowerPoint 03-26 are not
    assert sorted(frame["day"].dt.strftime("%m-%d")) == ["08-16", "08-20"]
    assert set(frame["person"]) == {"DC8C64D6EC3A3AA17481D7E5EB5B68A6"}


def test_user_table():
    users = m365_copilot_usage.parse_seats(io.BytesIO(fixture_bytes(KEY, CSV)), CSV)
    assert len(users) == 4
    adele = users.set_index("person").loc["adele.vance@contoso.com"]
    assert str(adele["last_activity_word"].date()) == "2025-08-18"
    assert adele["report_period_days"] == 7


def test_bad_date_in_an_app_column():
    text = (
        fixture_bytes(KEY, CSV).decode("utf-8-sig").replace("2025-08-15,,,,,,,,2025-08-15", "2025-08-15,,,,,,,,15.08.")
    )
    err = refused(KEY, text.encode(), "users.csv")
    assert str(err).startswith("users.csv, row 3, column 'Copilot Chat Last Activity Date': expected a date")


def test_json_bad_date_names_the_path():
    text = (
        fixture_bytes(KEY, JSON)
        .decode()
        .replace('"copilotChatLastActivityDate": "2025-08-16"', '"copilotChatLastActivityDate": "soon"')
    )
    err = refused(KEY, text.encode(), "users.json")
    assert "at value[0].copilotChatLastActivityDate" in str(err)
