"""Seat-based tools in their vendors' formats: GitHub Copilot seats and metrics, Microsoft 365 Copilot usage."""

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


def copilot_metrics_json(year: int, seats: int = COPILOT_SEATS, seed: int = DEMO_SEED) -> bytes:
    """GitHub Copilot metrics, one day object per day of the year."""
    rng = np.random.default_rng(seed + 2)
    cal = day_weights(year)
    peak = cal["weight"].max()
    days = []
    for day, weight in zip(cal["day"], cal["weight"], strict=True):
        active = int(rng.binomial(int(seats * 0.75), min(1.0, 0.45 + 0.5 * weight / peak)))
        if weight < 0.5:
            active = int(active * 0.15)
        engaged = int(active * rng.uniform(0.8, 0.95))
        langs = []
        for lang, share in (("python", 0.4), ("typescript", 0.3), ("java", 0.2), ("go", 0.1)):
            sugg = int(engaged * share * rng.uniform(25, 40))
            langs.append(
                {
                    "name": lang,
                    "total_engaged_users": int(engaged * share),
                    "total_code_suggestions": sugg,
                    "total_code_acceptances": int(sugg * 0.3),
                    "total_code_lines_suggested": int(sugg * 1.6),
                    "total_code_lines_accepted": int(sugg * 0.5),
                }
            )
        editors = []
        for editor, share in (("vscode", 0.7), ("JetBrains", 0.3)):
            editors.append(
                {
                    "name": editor,
                    "total_engaged_users": int(engaged * share),
                    "models": [
                        {
                            "name": "default",
                            "is_custom_model": False,
                            "custom_model_training_date": None,
                            "total_engaged_users": int(engaged * share),
                            "languages": [
                                {**lang, "total_code_suggestions": int(lang["total_code_suggestions"] * share)}
                                for lang in langs
                            ],
                        }
                    ],
                }
            )
        chat_users = int(engaged * 0.6)
        days.append(
            {
                "date": day.strftime("%Y-%m-%d"),
                "total_active_users": active,
                "total_engaged_users": engaged,
                "copilot_ide_code_completions": {"total_engaged_users": engaged, "editors": editors},
                "copilot_ide_chat": {
                    "total_engaged_users": chat_users,
                    "editors": [
                        {
                            "name": "vscode",
                            "total_engaged_users": chat_users,
                            "models": [
                                {
                                    "name": "default",
                                    "is_custom_model": False,
                                    "custom_model_training_date": None,
                                    "total_engaged_users": chat_users,
                                    "total_chats": int(chat_users * rng.uniform(3, 6)),
                                    "total_chat_insertion_events": chat_users,
                                    "total_chat_copy_events": chat_users,
                                }
                            ],
                        }
                    ],
                },
                "copilot_dotcom_chat": {
                    "total_engaged_users": engaged // 10,
                    "models": [
                        {
                            "name": "default",
                            "is_custom_model": False,
                            "custom_model_training_date": None,
                            "total_engaged_users": engaged // 10,
                            "total_chats": int(engaged // 10 * rng.uniform(1, 3)),
                        }
                    ],
                },
                "copilot_dotcom_pull_requests": {
                    "total_engaged_users": engaged // 20,
                    "repositories": [
                        {
                            "name": "demo/platform",
                            "total_engaged_users": engaged // 20,
                            "models": [
                                {
                                    "name": "default",
                                    "is_custom_model": False,
                                    "custom_model_training_date": None,
                                    "total_pr_summaries_created": engaged // 15,
                                    "total_engaged_users": engaged // 20,
                                }
                            ],
                        }
                    ],
                },
            }
        )
    return json.dumps(days).encode()


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
