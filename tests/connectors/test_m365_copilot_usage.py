"""Microsoft 365 Copilot usage: distinct last-activity days inside the report period."""

import csv
import io
import json
import random
from datetime import date, timedelta

import pandas as pd
import pytest
from django.core.management import call_command

from apps.connectors.sources import m365_copilot_usage
from apps.footprint.models import UsageRecord
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


# --- v2 report ---------------------------------------------------------------------------------------------
# Follows https://learn.microsoft.com/en-us/microsoft-365/copilot/extensibility/api/admin-settings/reports/
# copilotreportroot-getmicrosoft365copilotusageuserdetail ("Report versions": version v2, asked for with
# version='v2' as v1 is the default, periods D7/D28/D90/D180; the v1 headers in the page's order, then "Prompts
# submitted for all apps", "... for Copilot Chat (work)", "... (web)", "Active Usage Days for all apps", and the
# Copilot Chat (work)/(web), Microsoft 365 Copilot, Edge and Copilot Agent "Last Activity Date" columns). The page
# names v2's columns only as CSV headers; its JSON example is v1 (keys = the headers in camelCase, the period in
# copilotActivityUserDetailsByPeriod[0].reportPeriod), so the v2 JSON here follows that rule: an assumption, not
# a documented example. The files are built here; the expected totals come from the generator's numbers.

V2_HEADER = [
    "Report Refresh Date",
    "User Principal Name",
    "Display Name",
    "Last Activity Date",
    "Copilot Chat Last Activity Date",
    "Microsoft Teams Copilot Last Activity Date",
    "Word Copilot Last Activity Date",
    "Excel Copilot Last Activity Date",
    "PowerPoint Copilot Last Activity Date",
    "Outlook Copilot Last Activity Date",
    "OneNote Copilot Last Activity Date",
    "Loop Copilot Last Activity Date",
    "Report Period",
    "Prompts submitted for all apps",
    "Prompts submitted for Copilot Chat (work)",
    "Prompts submitted for Copilot Chat (web)",
    "Active Usage Days for all apps",
    "Copilot Chat (work) Last Activity Date",
    "Copilot Chat (web) Last Activity Date",
    "Microsoft 365 Copilot Last Activity Date",
    "Edge Last Activity Date",
    "Copilot Agent Last Activity Date",
    "Some Column Added Later",  # unknown columns are ignored
]
REFRESH = date(2025, 9, 28)
PERIOD = 28


def v2_users(n=320, seed=5):
    """`n` users of a D28 v2 report and the expected totals: active user-days, prompts, persons."""
    rng = random.Random(seed)
    users, expected = [], {"days": 0, "prompts": 0, "persons": 0}
    for i in range(n):
        days = rng.choice([0, 0, 1, 3, 7, 12, 20, 28])
        prompts = 0 if days == 0 else rng.randint(days, days * 15)
        dates = {}
        if days:
            last = REFRESH - timedelta(days=rng.randint(0, PERIOD - days))
            for app in ("teams", "word", "edge", "agent", "chat_work", "m365_app"):
                if rng.random() < 0.5:
                    dates[app] = last - timedelta(days=rng.randint(0, days - 1))
            dates["last"] = max(dates.values(), default=last)
        users.append({"upn": f"user{i:03d}@contoso.com", "name": f"User {i}, Contoso", "days": days, **dates})
        users[-1]["prompts"] = prompts
        expected["days"] += days
        expected["prompts"] += prompts
        expected["persons"] += days > 0
    return users, expected


def v2_csv(users, drop=None) -> bytes:
    def d(value):
        return value.isoformat() if value else ""

    out = io.StringIO()
    header = [h for h in V2_HEADER if h != drop]
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for u in users:
        row = {
            "Report Refresh Date": REFRESH.isoformat(),
            "User Principal Name": u["upn"],
            "Display Name": u["name"],  # a quoted comma
            "Last Activity Date": d(u.get("last")),
            "Microsoft Teams Copilot Last Activity Date": d(u.get("teams")),
            "Word Copilot Last Activity Date": d(u.get("word")),
            "Report Period": str(PERIOD),
            "Prompts submitted for all apps": str(u["prompts"]) if u["days"] else "",  # empty when never active
            "Active Usage Days for all apps": str(u["days"]) if u["days"] else "",
            "Copilot Chat (work) Last Activity Date": d(u.get("chat_work")),
            "Microsoft 365 Copilot Last Activity Date": d(u.get("m365_app")),
            "Edge Last Activity Date": d(u.get("edge")),
            "Copilot Agent Last Activity Date": d(u.get("agent")),
            "Some Column Added Later": "x, y",
        }
        writer.writerow([row.get(h, "") for h in header])
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def v2_json(users) -> bytes:
    def d(value):
        return value.isoformat() if value else ""

    value = [
        {
            "reportRefreshDate": REFRESH.isoformat(),
            "userPrincipalName": u["upn"],
            "displayName": u["name"],
            "lastActivityDate": d(u.get("last")),
            "microsoftTeamsCopilotLastActivityDate": d(u.get("teams")),
            "wordCopilotLastActivityDate": d(u.get("word")),
            "copilotChatWorkLastActivityDate": d(u.get("chat_work")),
            "microsoft365CopilotLastActivityDate": d(u.get("m365_app")),
            "edgeLastActivityDate": d(u.get("edge")),
            "copilotAgentLastActivityDate": d(u.get("agent")),
            "copilotActivityUserDetailsByPeriod": [
                {"reportPeriod": PERIOD, "activeUsageDays": str(u["days"]), "promptsSubmitted": u["prompts"]}
            ],
        }
        for u in users
    ]
    return json.dumps({"@odata.context": "https://graph.microsoft.com/beta/$metadata", "value": value}).encode()


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_v2_active_usage_days_are_the_active_user_days(kind):
    users, expected = v2_users()
    data = v2_csv(users) if kind == "csv" else v2_json(users)
    frame = parse_bytes(KEY, data, f"v2.{kind}")
    t = totals(frame)
    assert (t["active_user_days"], t["requests"]) == (expected["days"], expected["prompts"])
    assert frame["person"].nunique() == expected["persons"]
    assert frame["active_user_days"].max() == 1  # one row per person and day
    start = pd.Timestamp(REFRESH - timedelta(days=PERIOD - 1))
    assert frame["day"].between(start, pd.Timestamp(REFRESH)).all()
    seats = m365_copilot_usage.parse_seats(io.BytesIO(data), f"v2.{kind}")
    assert int(seats["active_usage_days"].sum()) == expected["days"]
    assert seats["last_activity_edge"].notna().sum() == sum("edge" in u for u in users)


def test_v2_known_dates_come_first_and_the_count_is_exact():
    user = {"upn": "a@contoso.com", "name": "A", "days": 3, "prompts": 9, "teams": REFRESH, "word": REFRESH}
    user["last"] = REFRESH
    frame = parse_bytes(KEY, v2_csv([user]), "one.csv")
    start = REFRESH - timedelta(days=PERIOD - 1)
    assert sorted(frame["day"].dt.date) == [start, start + timedelta(days=1), REFRESH]
    # The 9 prompts spread over the 3 counted days (3 each), not all on the latest one.
    assert frame.set_index(frame["day"].dt.date)["requests"].to_dict() == {
        start: 3,
        start + timedelta(days=1): 3,
        REFRESH: 3,
    }


def test_v2_ingest_json_totals(org_a, tmp_path, capsys):
    users, expected = v2_users()
    path = tmp_path / "copilot-v2.csv"
    path.write_bytes(v2_csv(users))
    call_command("ingest", "--org", "org-a", "--source", KEY, str(path), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "succeeded", out["errors"]
    assert (out["rows"], out["records"], out["active_user_days"], out["requests"], out["persons"]) == (
        len(users),
        expected["days"],
        expected["days"],
        expected["prompts"],
        expected["persons"],
    )


def test_v2_without_its_active_days_column_is_refused_and_stores_nothing(org_a, tmp_path, capsys):
    users, _ = v2_users(n=20)
    path = tmp_path / "drift.csv"
    path.write_bytes(v2_csv(users, drop="Active Usage Days for all apps"))
    with pytest.raises(SystemExit):
        call_command("ingest", "--org", "org-a", "--source", KEY, str(path), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "failed" and out["records"] == 0
    assert out["errors"][0]["column"] == "Active Usage Days for all apps"
    assert UsageRecord.objects.count() == 0


def test_v2_more_active_days_than_the_period_is_refused():
    user = {"upn": "a@contoso.com", "name": "A", "days": PERIOD + 1, "prompts": 1}
    err = refused(KEY, v2_csv([user]), "over.csv")
    assert err.row == 2 and "29 active usage days in a report period of 28 days" in str(err)


def test_v2_fixture_hand_sums():
    # tests/fixtures/m365_copilot_usage/copilot_usage_user_detail_v2.csv, written to the page above (D28 to
    # 2025-09-28): Adele 9 active days (64 prompts), Bianca 1 (5), Cameron none (blank cells), Diego 2 (12).
    name = "copilot_usage_user_detail_v2.csv"
    frame = parse_bytes(KEY, fixture_bytes(KEY, name), name)
    assert frame.groupby("person")["active_user_days"].sum().to_dict() == {
        "adele.vance@contoso.com": 9,
        "bianca.pisani@contoso.com": 1,
        "diego.siciliani@contoso.com": 2,
    }
    assert totals(frame)["requests"] == 64 + 5 + 12 and frame.attrs["rows_skipped"] == 1
    # Adele's known dates (Teams and work chat 09-28, Microsoft 365 app 09-27, Word and agents 09-25, Edge 09-20)
    # are four of her nine days.
    adele = set(frame.loc[frame["person"] == "adele.vance@contoso.com", "day"].dt.strftime("%m-%d"))
    assert {"09-28", "09-27", "09-25", "09-20"} <= adele


def test_v2_json_without_active_usage_days_is_refused_naming_it():
    users, _ = v2_users(n=5)
    doc = json.loads(v2_json(users))
    for user in doc["value"]:
        user["copilotActivityUserDetailsByPeriod"][0].pop("activeUsageDays")
    err = refused(KEY, json.dumps(doc).encode(), "v2.json")
    assert err.column == "Active Usage Days for all apps" and "is missing" in str(err)


def test_a_report_of_several_periods_is_refused_and_stores_nothing(org_a, tmp_path, capsys):
    # period='ALL' gives every period (the page: 7, 28, 90 and 180 days for v2): a user's counts overlap, so
    # adding them would count the 7 days again inside the 28. The same user twice is refused, naming the row.
    users, _ = v2_users(n=10)
    text = v2_csv(users).decode("utf-8-sig")
    second = text.splitlines()[1].replace(f",{PERIOD},", ",7,", 1)
    path = tmp_path / "all.csv"
    path.write_bytes((text + second + "\r\n").encode())
    with pytest.raises(SystemExit):
        call_command("ingest", "--org", "org-a", "--source", KEY, str(path), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "failed" and out["records"] == 0
    assert (out["errors"][0]["row"], out["errors"][0]["column"]) == (12, "User Principal Name")
    assert "several periods" in out["errors"][0]["message"]
    assert UsageRecord.objects.count() == 0


def test_json_of_several_periods_is_refused_naming_the_path():
    users, _ = v2_users(n=3)
    doc = json.loads(v2_json(users))
    doc["value"][1]["copilotActivityUserDetailsByPeriod"].append({"reportPeriod": 7, "activeUsageDays": 1})
    err = refused(KEY, json.dumps(doc).encode(), "all.json")
    assert "value[1].copilotActivityUserDetailsByPeriod" in str(err) and "several periods" in str(err)


def test_a_v2_row_repeated_as_it_is_counts_once():
    # Two downloads of one report pasted together: the same line twice is one user, not twice their days.
    users, expected = v2_users(n=30)
    text = v2_csv(users).decode("utf-8-sig")
    first_active = next(i for i, u in enumerate(users, start=1) if u["days"])
    repeated = text + text.splitlines()[first_active] + "\r\n"
    frame = parse_bytes(KEY, repeated.encode(), "twice.csv")
    t = totals(frame)
    assert (t["active_user_days"], t["requests"]) == (expected["days"], expected["prompts"])
    assert not frame.duplicated(subset=["person", "day"]).any()


V1_APPS = ("Microsoft Teams", "Word", "Excel", "PowerPoint", "Outlook", "OneNote", "Loop")
V1_HEADER = [
    *("Report Refresh Date", "Report Period", "User Principal Name", "Display Name", "Last Activity Date"),
    *(f"{app} Copilot Last Activity Date" for app in V1_APPS),
    "Copilot Chat Last Activity Date",
]


def test_v1_several_hundred_users_ingest_json_totals(org_a, tmp_path, capsys):
    # A D30 v1 report in the column order of the beta page's CSV example
    # (https://learn.microsoft.com/en-us/graph/api/reportroot-getmicrosoft365copilotusageuserdetail?view=graph-rest-beta):
    # per user, the distinct per-app last-activity dates inside the 30 days are its active days (a lower bound).
    rng = random.Random(11)
    refresh, period = date(2025, 8, 31), 30
    start = refresh - timedelta(days=period - 1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(V1_HEADER)
    days = persons = never = 0
    for i in range(350):
        apps = [(refresh - timedelta(days=rng.randint(0, 60))) if rng.random() < 0.4 else None for _ in V1_HEADER[5:]]
        known = [d for d in apps if d]
        last = max(known) if known else None
        inside = {d for d in known if start <= d <= refresh}
        days += len(inside)
        persons += bool(inside)
        never += not known
        writer.writerow(
            [refresh.isoformat(), str(period), f"u{i}@contoso.com", f"User {i}", last.isoformat() if last else ""]
            + [d.isoformat() if d else "" for d in apps]
        )
    path = tmp_path / "v1.csv"
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode())
    call_command("ingest", "--org", "org-a", "--source", KEY, str(path), "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "succeeded", result["errors"]
    assert (result["rows"], result["active_user_days"], result["records"], result["persons"]) == (
        350,
        days,
        days,
        persons,
    )
    assert result["skipped"]["no_activity"] == never
