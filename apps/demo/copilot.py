"""Seat-based tools in their vendors' formats: GitHub Copilot seats and usage metrics reports, Microsoft 365
Copilot usage."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

from .people import DEMO_SEED, DemoPerson, team_members
from .timeline import day_weights, iso_utc

COPILOT_SEATS = 400
M365_LICENCES = 300
IDLE_DAYS = 28  # a seat with no activity in this many days is idle (GitHub's own reports use 28 days)


def copilot_seats_json(year: int, people: list[DemoPerson], seats: int = COPILOT_SEATS, seed: int = DEMO_SEED) -> bytes:
    """GitHub Copilot seat assignments as of 31 December: a JSON list of pages of 100 seats (the
    ``gh api --paginate`` shape). About a quarter are idle: last activity older than 28 days, or null."""
    rng = np.random.default_rng(seed + 1)
    pool = team_members(people, "Engineering") + team_members(people, "Data Science")
    holders = [pool[i] for i in rng.choice(len(pool), min(seats, len(pool)), replace=False)]
    end = pd.Timestamp(f"{year}-12-31T18:00:00Z")
    editors = [
        "vscode/1.96.2/copilot/1.254.0",
        "JetBrains-IU/2025.1/copilot-intellij/1.5.40",
        "vscode/1.101.0/copilot-chat/0.28.0",
        "Neovim/0.10.4/copilot.vim/1.41.0",
    ]
    items = []
    for holder in holders:
        created = pd.Timestamp(f"{year - 1}-06-01T09:00:00Z") + pd.Timedelta(days=int(rng.integers(0, 540)))
        created = min(created, end - pd.Timedelta(days=30))
        state = rng.random()
        if state < 0.10:
            last = None  # assigned, never used
        elif state < 0.25:
            last = end - pd.Timedelta(days=int(rng.integers(IDLE_DAYS + 1, 200)), hours=int(rng.integers(0, 24)))
            last = max(last, created + pd.Timedelta(days=1))
        else:
            last = end - pd.Timedelta(days=int(rng.integers(0, 14)), hours=int(rng.integers(0, 24)))
        items.append(
            {
                "created_at": iso_utc(created),
                "updated_at": iso_utc(created),
                "pending_cancellation_date": None,
                "last_activity_at": iso_utc(last) if last is not None else None,
                "last_activity_editor": editors[int(rng.integers(0, len(editors)))] if last is not None else None,
                "last_authenticated_at": iso_utc(last) if last is not None else None,
                "plan_type": "business",
                # Enterprise-managed logins are the people's e-mails here so seats attribute to them.
                "assignee": {"login": holder.email, "id": 10_000 + len(items), "type": "User", "site_admin": False},
                "assigning_team": {
                    "id": 1 if holder.team == "Engineering" else 2,
                    "name": holder.team,
                    "slug": holder.team.lower().replace(" ", "-"),
                },
            }
        )
    pages = [{"total_seats": len(items), "seats": items[i : i + 100]} for i in range(0, len(items), 100)]
    return json.dumps(pages, indent=1).encode()


def copilot_usage_reports_ndjson(year: int, seats_json: bytes, seed: int = DEMO_SEED) -> bytes:
    """GitHub Copilot usage metrics reports of the year: the per-user ``users-1-day`` NDJSON files of every day,
    back to back (one record a line, the fields of GitHub's example schema). They agree with the seats file:
    a holder is active only between the seat's creation and its last activity (that day always), never when
    the seat was never used; on a day, with a chance that follows the calendar and the holder's habit."""
    rng = np.random.default_rng(seed + 2)
    cal = day_weights(year)
    days = cal["day"].dt.date.to_numpy()
    weight = cal["weight"].to_numpy()
    # Working days from about half the holders early in the year to nearly all at its end; weekends a few.
    chance = np.minimum(1.0, 0.45 + 0.5 * weight / weight.max()) * np.where(weight < 0.5, 0.15, 1.0)
    seats = [seat for page in json.loads(seats_json) for seat in page["seats"] if seat["last_activity_at"]]
    lines: list[tuple[int, str]] = []
    for seat in seats:
        first = pd.Timestamp(seat["created_at"]).date()
        last = pd.Timestamp(seat["last_activity_at"]).date()
        habit = rng.uniform(0.7, 1.0)
        active = (rng.random(len(days)) < habit * chance) & (days >= first) & (days <= last)
        active |= days == last
        for i in np.flatnonzero(active):
            lines.append((int(i), json.dumps(_user_day(rng, seat["assignee"], days[i]), separators=(",", ":"))))
    lines.sort(key=lambda item: item[0])  # one day's file after the other, as a pull writes them
    return "".join(line + "\n" for _, line in lines).encode()


def _user_day(rng: np.random.Generator, assignee: dict, day) -> dict:
    """One user's day in the per-user report's documented shape: prompts, completions shown and accepted,
    lines added, now and then the CLI."""
    prompts, shown = int(rng.poisson(6)), int(rng.poisson(35))
    accepted = int(rng.binomial(shown, 0.3))
    record = {
        "day": f"{day:%Y-%m-%d}",
        "organization_id": "1001",
        "user_id": assignee["id"],
        "user_login": assignee["login"],
        "user_initiated_interaction_count": prompts,
        "code_generation_activity_count": shown + prompts,
        "code_acceptance_activity_count": accepted,
        "loc_suggested_to_add_sum": shown * 2,
        "loc_added_sum": accepted * 2,
        "loc_deleted_sum": 0,
        "totals_by_feature": [
            {
                "feature": "code_completion",
                "code_generation_activity_count": shown,
                "user_initiated_interaction_count": 0,
            },
            {
                "feature": "chat_panel_ask_mode",
                "code_generation_activity_count": prompts,
                "user_initiated_interaction_count": prompts,
            },
        ],
        "totals_by_ide": [{"ide": "vscode", "code_generation_activity_count": shown + prompts}],
        "used_agent": False,
        "used_chat": prompts > 0,
        "used_cli": False,
    }
    if rng.random() < 0.1:
        record["used_cli"] = True
        record["totals_by_cli"] = {"session_count": 1, "request_count": int(rng.integers(1, 12)), "prompt_count": 1}
    return record


# ------------------------------------------------------------------------ Microsoft 365 Copilot usage


M365_HEADER = [
    "Report Refresh Date",
    "User Principal Name",
    "Display Name",
    "Last Activity Date",
    "Microsoft Teams Copilot Last Activity Date",
    "Word Copilot Last Activity Date",
    "Excel Copilot Last Activity Date",
    "PowerPoint Copilot Last Activity Date",
    "Outlook Copilot Last Activity Date",
    "OneNote Copilot Last Activity Date",
    "Loop Copilot Last Activity Date",
    "Copilot Chat Last Activity Date",
    "Report Period",
]


def m365_licensees(
    people: list[DemoPerson], licences: int = M365_LICENCES, seed: int = DEMO_SEED
) -> list[tuple[DemoPerson, float]]:
    """The licensed users and how active each is (share of working days with some use; 0 = never)."""
    rng = np.random.default_rng(seed + 3)
    pool = [p for p in people if p.team in ("Finance", "Marketing", "Legal", "Customer Support")]
    chosen = [pool[i] for i in rng.choice(len(pool), min(licences, len(pool)), replace=False)]
    activity = rng.choice([0.0, 0.03, 0.2, 0.5, 0.8], size=len(chosen), p=[0.12, 0.13, 0.25, 0.3, 0.2])
    return list(zip(chosen, activity.tolist(), strict=True))


def m365_usage_csvs(
    year: int, people: list[DemoPerson], licences: int = M365_LICENCES, seed: int = DEMO_SEED
) -> list[tuple[str, bytes]]:
    """Microsoft 365 Copilot usage user detail, one D30 report per month as exported at month end
    (UTF-8 with BOM, as the admin centre writes it). Returns (filename, bytes) per month."""
    rng = np.random.default_rng(seed + 4)
    users = m365_licensees(people, licences, seed)
    cal = day_weights(year)
    apps = M365_HEADER[4:12]
    app_p = np.array([0.30, 0.20, 0.10, 0.08, 0.22, 0.02, 0.01, 0.07])
    out = []
    for month in range(1, 13):
        refresh = pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)
        window = cal[(cal["day"] > refresh - pd.Timedelta(days=30)) & (cal["day"] <= refresh)]
        working = window[window["weight"] > 0.5]["day"].tolist()
        buf = io.StringIO()
        buf.write("\ufeff" + ",".join(M365_HEADER) + "\n")
        for person, activity in users:
            used = [d for d in working if rng.random() < activity * (0.7 + 0.6 * month / 12)]
            per_app = [""] * len(apps)
            for d in used:
                per_app[int(rng.choice(len(apps), p=app_p))] = d.strftime("%Y-%m-%d")
            last = max(used).strftime("%Y-%m-%d") if used else ""
            row = [refresh.strftime("%Y-%m-%d"), person.email, person.name, last, *per_app, "30"]
            buf.write(",".join(row) + "\n")
        out.append((f"m365_copilot_usage_{year}-{month:02d}.csv", buf.getvalue().encode("utf-8")))
    return out
