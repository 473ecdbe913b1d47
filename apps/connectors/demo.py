"""A year of demo usage for a 2,000-employee company, generated with code in each vendor's real format
and loaded through the same path as an upload (store_upload -> create_run -> execute_run).

The generators are pure functions of (year, people, scale, seed) that return the bytes a vendor export
would hold, so the same arguments always give the same files, the same SHA-256 and therefore nothing
stored twice when the demo is seeded again. Only :func:`seed_demo_people` and :func:`load_demo_usage`
touch the database.

The story the data tells (so later pages have something to show):

* Usage grows through the year (about x2.5 in volume from January to December) with weekday/weekend,
  summer and Christmas patterns, while the support bot moves from gpt-4o to gpt-4o-mini: volume up,
  intensity down (a rebound view).
* Marketing sends short, simple prompts to gpt-4o (a right-sizing case for a smaller model).
* About a quarter of the Copilot seats are idle (no activity in the last 28 days of the year, or never),
  and some Microsoft 365 Copilot licences are never or rarely used.
* Self-hosted GPU jobs run in France (low-carbon grid) and Germany.
* A few identities map to nobody: an unknown gateway key, an OpenAI project, an Anthropic key and a
  contractor's e-mail, so the mappings page has something to list.
* Each vendor file covers different workloads (the gateway uses its own provider accounts; the OpenAI,
  Anthropic, Azure and Google files are direct API use by other applications), so nothing is counted
  twice across sources.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

DEMO_SEED = 20250101
DEMO_EMPLOYEES = 2000
EMAIL_DOMAIN = "demo.example"
# Share of the headcount per team (the team names are apps.accounts.demo.DEMO_TEAMS).
TEAM_SHARES = {
    "Engineering": 0.40,
    "Customer Support": 0.26,
    "Marketing": 0.13,
    "Finance": 0.10,
    "Data Science": 0.07,
    "Legal": 0.04,
}
LITELLM_ROWS = 200_000  # gateway requests in the full-scale demo year
COPILOT_SEATS = 400
M365_LICENCES = 300
IDLE_DAYS = 28  # a seat with no activity in this many days is idle (GitHub's own reports use 28 days)

_FIRST = (
    "adele alex alice amelie anna antoine arthur camille carla charlotte chloe clara daniel david diego elena "
    "emma enzo eva felix gabriel hannah hugo ines isabel jakob jonas jules julia karim laura lea leon lina "
    "lucas luisa maria marie mathis max mia milan nina noah nora oscar paul pierre rafael rosa sara sofia "
    "sophie theo thomas tim valentin victor yasmine zoe"
)
_LAST = (
    "bauer bernard bianchi blanc bonnet costa david dubois dupont durand fischer fontaine garcia girard "
    "hoffmann jansen keller klein koch lambert laurent lefebvre legrand leroy lopez martin meyer moreau "
    "muller perrin petit richard ricci robert roux russo schmidt schneider schulz simon torres vogel wagner "
    "weber wolf"
)
FIRST_NAMES, LAST_NAMES = _FIRST.split(), _LAST.split()


# ------------------------------------------------------------------------------------------ people


@dataclass(frozen=True)
class DemoPerson:
    """One employee of the demo company."""

    email: str
    name: str
    team: str


def demo_people(n: int = DEMO_EMPLOYEES, seed: int = DEMO_SEED) -> list[DemoPerson]:
    """`n` employees spread over the demo teams, with unique firstname.lastname@demo.example e-mails.

    Deterministic for a given (n, seed): the usage generators attribute requests to these e-mails."""
    rng = np.random.default_rng(seed)
    counts = _split(n, list(TEAM_SHARES.values()))
    teams = np.repeat(list(TEAM_SHARES), counts)
    firsts = rng.choice(FIRST_NAMES, n)
    lasts = rng.choice(LAST_NAMES, n)
    seen: dict[str, int] = {}
    people = []
    for first, last, team in zip(firsts, lasts, teams, strict=True):
        base = f"{first}.{last}"
        seen[base] = seen.get(base, 0) + 1
        local = base if seen[base] == 1 else f"{base}{seen[base]}"  # a second Anna Weber is anna.weber2
        people.append(DemoPerson(f"{local}@{EMAIL_DOMAIN}", f"{first.title()} {last.title()}", str(team)))
    return people


def _split(n: int, shares: list[float]) -> list[int]:
    counts = [int(n * s) for s in shares]
    counts[0] += n - sum(counts)
    return counts


def seed_demo_people(org, n: int = DEMO_EMPLOYEES) -> int:
    """Create the demo employees as Person rows of `org` (teams created if missing); returns how many
    were new. Existing e-mails are left as they are, so seeding twice adds nobody."""
    from django.db import transaction

    from apps.accounts.models import Person, Team

    with transaction.atomic():
        teams = {name: Team.objects.get_or_create(organisation=org, name=name)[0] for name in TEAM_SHARES}
        existing = set(Person.objects.for_org(org).values_list("email", flat=True))
        new = [
            Person(organisation=org, email=p.email, name=p.name, team=teams[p.team])
            for p in demo_people(n)
            if p.email not in existing
        ]
        Person.objects.bulk_create(new, batch_size=1000)
    return len(new)


# ---------------------------------------------------------------------------------------- calendar


def demo_year(today: dt.date | None = None) -> int:
    """The previous full calendar year."""
    return (today or dt.date.today()).year - 1


def day_weights(year: int) -> pd.DataFrame:
    """Per day of `year`: `day`, `t` (0 on 1 January .. 1 on 31 December) and `weight`, the relative
    volume of use: weekdays >> weekends, a summer dip, the Christmas break and growth through the year."""
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    t = np.linspace(0.0, 1.0, len(days))
    weekday = np.where(days.day_of_week < 5, 1.0, 0.15)
    doy = days.day_of_year.to_numpy()
    summer = 1.0 - 0.4 * np.exp(-(((doy - 222) / 14.0) ** 2))  # mid-August
    xmas = np.where((days.month == 12) & (days.day >= 24), 0.35, 1.0)
    new_year = np.where((days.month == 1) & (days.day == 1), 0.2, 1.0)
    growth = 1.0 + 1.5 * t
    return pd.DataFrame({"day": days, "t": t, "weight": weekday * summer * xmas * new_year * growth})


def _counts(rng: np.random.Generator, weights: np.ndarray, total: float) -> np.ndarray:
    """Poisson counts per day with the given relative weights and expected total."""
    return rng.poisson(weights / weights.sum() * total)


def _iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _team_members(people: list[DemoPerson], team: str) -> list[DemoPerson]:
    return [p for p in people if p.team == team]


# ------------------------------------------------------------------------------ GitHub Copilot seats


def copilot_seats_json(year: int, people: list[DemoPerson], seats: int = COPILOT_SEATS, seed: int = DEMO_SEED) -> bytes:
    """GitHub Copilot seat assignments as of 31 December: a JSON list of pages of 100 seats (the
    ``gh api --paginate`` shape). About a quarter are idle: last activity older than 28 days, or null."""
    rng = np.random.default_rng(seed + 1)
    pool = _team_members(people, "Engineering") + _team_members(people, "Data Science")
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
                "created_at": _iso(created),
                "updated_at": _iso(created),
                "pending_cancellation_date": None,
                "last_activity_at": _iso(last) if last is not None else None,
                "last_activity_editor": editors[int(rng.integers(0, len(editors)))] if last is not None else None,
                "last_authenticated_at": _iso(last) if last is not None else None,
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


# ------------------------------------------------------------------------------- OpenAI and Anthropic


OPENAI_PROJECTS = {  # project id -> team (None: left unmapped on purpose)
    "proj_DsResearch8Hq2oNfMXtY4": "Data Science",
    "proj_LegalReview4uLJm1QbZ3": "Legal",
    "proj_Hackathon2025xQ7pLm9w": None,
}
OPENAI_KEYS = {
    "proj_DsResearch8Hq2oNfMXtY4": "key_ds4f9Gx2LmPq8RtZ1a",
    "proj_LegalReview4uLJm1QbZ3": "key_lg7Hn3KwRt2YpQ5b",
    "proj_Hackathon2025xQ7pLm9w": "key_hk1Zx9CvBn4MqW8e",
}


def openai_usage_json(year: int, scale: float = 1.0, seed: int = DEMO_SEED) -> bytes:
    """OpenAI Usage API pages (completions then embeddings), daily buckets, grouped by project, API
    key and model; at most 31 buckets a page as the API returns them, written as a JSON list of pages."""
    rng = np.random.default_rng(seed + 5)
    cal = day_weights(year)
    mix = {  # project -> (model, daily requests at weight 1, prompt, completion, cached share)
        "proj_DsResearch8Hq2oNfMXtY4": [
            ("gpt-4.1-2025-04-14", 20, 2500, 500, 0.3),
            ("gpt-4o-mini-2024-07-18", 60, 900, 200, 0.1),
        ],
        "proj_LegalReview4uLJm1QbZ3": [("gpt-4.1-2025-04-14", 8, 6000, 800, 0.4)],
        "proj_Hackathon2025xQ7pLm9w": [("gpt-4o-2024-08-06", 25, 1200, 400, 0.0)],
    }
    embeddings = [("proj_DsResearch8Hq2oNfMXtY4", "text-embedding-3-small", 150, 700)]
    pages: list[dict] = []
    for kind in ("completions", "embeddings"):
        buckets = []
        for day, weight, t in zip(cal["day"], cal["weight"], cal["t"], strict=True):
            start = int(day.timestamp())
            results = []
            if kind == "completions":
                for project, models in mix.items():
                    if project.startswith("proj_Hackathon") and not 0.45 < t < 0.55:
                        continue  # a one-off project in the summer
                    for model, base, prompt, completion, cached in models:
                        n = int(rng.poisson(base * weight * scale))
                        if not n:
                            continue
                        inp = int(n * prompt * rng.uniform(0.8, 1.2))
                        results.append(
                            {
                                "object": "organization.usage.completions.result",
                                "input_tokens": inp,
                                "output_tokens": int(n * completion * rng.uniform(0.8, 1.2)),
                                "input_cached_tokens": int(inp * cached),
                                "input_audio_tokens": 0,
                                "output_audio_tokens": 0,
                                "num_model_requests": n,
                                "project_id": project,
                                "user_id": None,
                                "api_key_id": OPENAI_KEYS[project],
                                "model": model,
                                "batch": False,
                            }
                        )
            else:
                for project, model, base, prompt in embeddings:
                    n = int(rng.poisson(base * weight * scale))
                    if n:
                        results.append(
                            {
                                "object": "organization.usage.embeddings.result",
                                "input_tokens": int(n * prompt * rng.uniform(0.8, 1.2)),
                                "num_model_requests": n,
                                "project_id": project,
                                "user_id": None,
                                "api_key_id": OPENAI_KEYS[project],
                                "model": model,
                            }
                        )
            buckets.append({"object": "bucket", "start_time": start, "end_time": start + 86_400, "results": results})
        for i in range(0, len(buckets), 31):
            more = i + 31 < len(buckets)
            pages.append(
                {
                    "object": "page",
                    "data": buckets[i : i + 31],
                    "has_more": more,
                    "next_page": f"page_{kind}_{i + 31:04d}" if more else None,
                }
            )
    return json.dumps(pages).encode()


ANTHROPIC_WORKSPACES = {"wrkspc_01CustSupportKb7Qz": "Customer Support", "wrkspc_01LegalDraftsM2Xv": "Legal"}
ANTHROPIC_UNMAPPED_KEY = "apikey_01UnknownScriptZ9"


def anthropic_usage_json(year: int, scale: float = 1.0, seed: int = DEMO_SEED) -> bytes:
    """Anthropic usage report (messages) pages, 1-day buckets grouped by model, workspace and API key."""
    rng = np.random.default_rng(seed + 6)
    cal = day_weights(year)
    mix = [  # workspace, key, model, requests at weight 1, prompt, completion
        ("wrkspc_01CustSupportKb7Qz", "apikey_01SupportTriageR4", "claude-haiku-4-5-20251001", 30, 1800, 250),
        ("wrkspc_01CustSupportKb7Qz", "apikey_01SupportTriageR4", "claude-sonnet-4-5-20250929", 5, 4000, 700),
        ("wrkspc_01LegalDraftsM2Xv", "apikey_01LegalDraftingP8", "claude-sonnet-4-5-20250929", 4, 9000, 1500),
        (None, ANTHROPIC_UNMAPPED_KEY, "claude-haiku-4-5-20251001", 3, 1000, 300),
    ]
    buckets = []
    for day, weight in zip(cal["day"], cal["weight"], strict=True):
        results = []
        for workspace, key, model, base, prompt, completion in mix:
            n = int(rng.poisson(base * weight * scale))
            if not n:
                continue
            total_in = n * prompt * rng.uniform(0.8, 1.2)
            results.append(
                {
                    "uncached_input_tokens": int(total_in * 0.45),
                    "cache_creation": {
                        "ephemeral_1h_input_tokens": 0,
                        "ephemeral_5m_input_tokens": int(total_in * 0.05),
                    },
                    "cache_read_input_tokens": int(total_in * 0.5),
                    "output_tokens": int(n * completion * rng.uniform(0.8, 1.2)),
                    "server_tool_use": {"web_search_requests": 0},
                    "api_key_id": key,
                    "workspace_id": workspace,
                    "model": model,
                    "service_tier": "standard",
                    "context_window": "0-200k",
                }
            )
        buckets.append({"starting_at": _iso(day), "ending_at": _iso(day + pd.Timedelta(days=1)), "results": results})
    pages = []
    for i in range(0, len(buckets), 31):
        more = i + 31 < len(buckets)
        pages.append(
            {"data": buckets[i : i + 31], "has_more": more, "next_page": f"page_{i + 31:04d}" if more else None}
        )
    return json.dumps(pages).encode()


# --------------------------------------------------------------------------------- Azure and Google


AZURE_SUBSCRIPTION = "7c1e2a9b-3d4f-4e5a-8b6c-9d0e1f2a3b4c"


def azure_cost_csv(year: int, scale: float = 1.0, seed: int = DEMO_SEED) -> bytes:
    """Azure Cost Management export (EA cost details, US dates) with Azure OpenAI token meters in
    Sweden Central and West Europe, among ordinary VM and storage rows."""
    rng = np.random.default_rng(seed + 7)
    cal = day_weights(year)
    header = (
        "Date,SubscriptionId,SubscriptionName,ResourceGroup,ResourceLocation,MeterCategory,MeterSubCategory,"
        "MeterName,MeterId,Quantity,UnitOfMeasure,EffectivePrice,CostInBillingCurrency,BillingCurrency,"
        "ResourceId,Tags"
    )
    deployments = [  # rg, location, team, meter stem, Mtokens in/out a day at weight 1 (x1000 = 1K units), EUR/1K
        ("rg-ai-se", "swedencentral", "Customer Support", "gpt-4o-0513", 0.07, 0.012, 0.0023, 0.0092),
        ("rg-ai-se", "swedencentral", "Customer Support", "gpt-4o-mini-0718", 0.13, 0.02, 0.00014, 0.00055),
        ("rg-ai-weu", "westeurope", "Finance", "gpt 4.1", 0.025, 0.004, 0.0018, 0.0073),
    ]
    lines = [header]
    for day, weight, t in zip(cal["day"], cal["weight"], cal["t"], strict=True):
        date = day.strftime("%m/%d/%Y")
        for rg, loc, team, stem, m_in, m_out, p_in, p_out in deployments:
            # The support bot moves from gpt-4o to gpt-4o-mini over the year.
            shift = (1.0 - 0.8 * t) if stem == "gpt-4o-0513" else (0.3 + 0.9 * t) if "mini" in stem else 1.0
            k_in = m_in * 1000 * weight * shift * scale * rng.uniform(0.85, 1.15)
            k_out = m_out * 1000 * weight * shift * scale * rng.uniform(0.85, 1.15)
            resource = (
                f"/subscriptions/{AZURE_SUBSCRIPTION}/resourceGroups/{rg}/providers/"
                f"Microsoft.CognitiveServices/accounts/demo-aoai-{loc}"
            )
            tags = f'"""team"": ""{team}"",""env"": ""prod"""'
            for direction, qty, price in (
                ("Inp", k_in * 0.8, p_in),
                ("cached Inp", k_in * 0.2, p_in / 2),
                ("Outp", k_out, p_out),
            ):
                meter = f"{stem} {direction} glbl Tokens"
                lines.append(
                    f"{date},{AZURE_SUBSCRIPTION},Demo-Prod,{rg},{loc},Cognitive Services,Azure OpenAI,"
                    f"{meter},m-{zlib.crc32(meter.encode()):08x},{qty:.3f},1K,{price},{qty * price:.4f},EUR,"
                    f"{resource},{tags}"
                )
        lines.append(
            f"{date},{AZURE_SUBSCRIPTION},Demo-Prod,rg-web,westeurope,Virtual Machines,Dv3/DSv3 Series,D4s v3,"
            f"m-00000001,96,1 Hour,0.192,18.43,EUR,/subscriptions/{AZURE_SUBSCRIPTION}/resourceGroups/rg-web/"
            f"providers/Microsoft.Compute/virtualMachines/web01,"
        )
        lines.append(
            f"{date},{AZURE_SUBSCRIPTION},Demo-Prod,rg-web,westeurope,Storage,General Block Blob v2,"
            f"Hot LRS Data Stored,m-00000002,{40 + 10 * t:.2f},1 GB/Month,0.0184,{(40 + 10 * t) * 0.0184:.4f},"
            f"EUR,/subscriptions/{AZURE_SUBSCRIPTION}/resourceGroups/rg-web/providers/Microsoft.Storage/"
            f"storageAccounts/demoweb,"
        )
    return ("\n".join(lines) + "\n").encode()


def gcp_billing_csv(year: int, scale: float = 1.0, seed: int = DEMO_SEED) -> bytes:
    """Google Cloud Billing export rows (BigQuery CSV layout) with Vertex AI Gemini token SKUs for two
    projects in europe-west4 and europe-west1, among Compute Engine rows."""
    rng = np.random.default_rng(seed + 8)
    cal = day_weights(year)
    header = (
        "billing_account_id,service.id,service.description,sku.id,sku.description,usage_start_time,"
        "usage_end_time,project.id,project.name,labels,location.location,location.country,location.region,"
        "cost,currency,usage.amount,usage.unit,usage.amount_in_pricing_units,usage.pricing_unit"
    )
    streams = [  # project, region, country, team label, SKU, tokens a day at weight 1, EUR per 1M
        ("demo-ds-research", "europe-west4", "NL", "Data Science", "Gemini 2.5 Pro Input Text Tokens", 50e3, 1.15),
        ("demo-ds-research", "europe-west4", "NL", "Data Science", "Gemini 2.5 Pro Output Text Tokens", 6e3, 9.2),
        (
            "demo-support-search",
            "europe-west1",
            "BE",
            "Customer Support",
            "Gemini 2.5 Flash Input Text Tokens",
            200e3,
            0.28,
        ),
        (
            "demo-support-search",
            "europe-west1",
            "BE",
            "Customer Support",
            "Gemini 2.5 Flash Output Text Tokens",
            20e3,
            2.3,
        ),
    ]
    lines = [header]
    for day, weight in zip(cal["day"], cal["weight"], strict=True):
        start = day.strftime("%Y-%m-%d 00:00:00 UTC")
        end = (day + pd.Timedelta(days=1)).strftime("%Y-%m-%d 00:00:00 UTC")
        for project, region, country, team, sku, tokens, price in streams:
            sku_id = f"{zlib.crc32(sku.encode()) & 0xFFFF:04X}-{len(sku):04d}"
            amount = int(tokens * weight * scale * rng.uniform(0.8, 1.2))
            if not amount:
                continue
            labels = f'"[{{""key"":""team"",""value"":""{team}""}}]"'
            lines.append(
                f"01D3M0-4B5C6D-7E8F90,C7E2-9256-1C43,Vertex AI,{sku_id},{sku},"
                f"{start},{end},{project},{project},{labels},{region},{country},{region},"
                f"{amount / 1e6 * price:.4f},EUR,{amount},count,{amount / 1e6:.6f},1M tokens"
            )
        lines.append(
            f"01D3M0-4B5C6D-7E8F90,6F81-5844-456A,Compute Engine,2E27-4F75-95CD,"
            f"N2 Instance Core running in Belgium,{start},{end},demo-support-search,demo-support-search,[],"
            f"europe-west1,BE,europe-west1,2.74,EUR,345600,seconds,96,hour"
        )
    return ("\n".join(lines) + "\n").encode()


# -------------------------------------------------------------------------------- LiteLLM gateway


LITELLM_HEADER = (
    "request_id",
    "call_type",
    "api_key",
    "spend",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "startTime",
    "endTime",
    "model",
    "model_group",
    "custom_llm_provider",
    "api_base",
    "user",
    "metadata",
    "cache_hit",
    "request_tags",
    "team_id",
    "end_user",
)
UNKNOWN_GATEWAY_KEY = "9b1f0c3e7a2d4b6f8e0a1c3e5f7092b4d6f8a0c2e4f6a8b0c2d4e6f8a0b2c4d6"
CONTRACTOR = "j.doe@agency-partner.example"


@dataclass(frozen=True)
class Workload:
    """A stream of gateway requests: who sends them, to which models, of what size."""

    name: str
    team: str  # team alias on the key ('' for an orphan key)
    share: float  # of all gateway requests
    models: tuple[tuple[str, str, float, float], ...]  # (model, provider, share in January, share in December)
    prompt: float  # median prompt tokens
    completion: float  # median completion tokens
    users: str = "team"  # 'team': the team's people in `user`; 'meta': in metadata only; '': a service key


WORKLOADS = (
    Workload(
        "eng-assistant",
        "Engineering",
        0.30,
        (
            ("claude-sonnet-4-5", "anthropic", 0.5, 0.55),
            ("gpt-4.1", "openai", 0.35, 0.2),
            ("gpt-4.1-mini", "openai", 0.15, 0.25),
        ),
        3000,
        600,
    ),
    Workload(
        "support-bot",
        "Customer Support",
        0.27,
        (("gpt-4o", "openai", 0.7, 0.1), ("gpt-4o-mini", "openai", 0.3, 0.9)),
        1500,
        220,
        users="",
    ),
    # Marketing sends short, simple prompts to a big model: the right-sizing case.
    Workload(
        "marketing-content",
        "Marketing",
        0.16,
        (("gpt-4o", "openai", 0.85, 0.85), ("gemini-2.5-flash", "vertex_ai", 0.15, 0.15)),
        250,
        140,
    ),
    Workload(
        "ds-batch",
        "Data Science",
        0.15,
        (
            ("gpt-4.1-mini", "openai", 0.4, 0.3),
            ("claude-haiku-4-5", "anthropic", 0.4, 0.5),
            ("gemini-2.5-pro", "vertex_ai", 0.2, 0.2),
        ),
        1200,
        80,
        users="meta",
    ),
    Workload(
        "office-assistant",
        "Finance",
        0.06,
        (("gpt-4.1", "openai", 0.6, 0.5), ("claude-sonnet-4-5", "anthropic", 0.4, 0.5)),
        2500,
        500,
    ),
    Workload("legal-assistant", "Legal", 0.04, (("claude-sonnet-4-5", "anthropic", 1.0, 1.0),), 7000, 900),
    Workload("", "", 0.02, (("gpt-4o-mini", "openai", 1.0, 1.0),), 800, 200, users=""),  # an orphan key
)
# USD per 1M tokens (input, output), list prices of late 2025.
PRICES = {
    "gpt-4o": (2.5, 10.0),
    "gpt-4o-mini": (0.15, 0.6),
    "gpt-4.1": (2.0, 8.0),
    "gpt-4.1-mini": (0.4, 1.6),
    "claude-sonnet-4-5": (3.0, 15.0),
    "claude-haiku-4-5": (1.0, 5.0),
    "gemini-2.5-flash": (0.3, 2.5),
    "gemini-2.5-pro": (1.25, 10.0),
}
API_BASES = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "vertex_ai": "https://europe-west4-aiplatform.googleapis.com",
}


def _key_hash(name: str) -> str:
    import hashlib

    return hashlib.sha256(f"sk-demo-{name}".encode()).hexdigest()


def iter_litellm_blocks(
    rows: int, year: int, people: list[DemoPerson], seed: int = DEMO_SEED, block_rows: int = 250_000
) -> Iterator[pa.Table]:
    """LiteLLM spend-log rows as Arrow tables of at most `block_rows` rows (string columns, in the
    order of LITELLM_HEADER), `rows` in all, in time order within each block. Vectorised: millions of
    rows take seconds, and memory stays flat because blocks are written one at a time."""
    rng = np.random.default_rng(seed + 9)
    cal = day_weights(year)
    day_p = (cal["weight"] / cal["weight"].sum()).to_numpy()
    day_ns = cal["day"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    t_of_day = cal["t"].to_numpy()
    shares = np.array([w.share for w in WORKLOADS])
    shares = shares / shares.sum()
    members = {w.team: [p.email for p in _team_members(people, w.team)] for w in WORKLOADS if w.team}
    # A contractor outside the directory uses the marketing tool: an unmapped person.
    mkt = members.get("Marketing", [])
    members["Marketing"] = [*mkt[:3], CONTRACTOR, *mkt[3:]]  # among the heavier users, so it shows
    done = 0
    while done < rows:
        n = min(block_rows, rows - done)
        day_idx = np.sort(rng.choice(len(day_p), n, p=day_p))
        seconds = np.clip(rng.normal(13.5 * 3600, 3 * 3600, n), 0, 86_399).astype(np.int64)
        start_ns = day_ns[day_idx] + seconds * 1_000_000_000 + rng.integers(0, 1000, n) * 1_000_000
        work = rng.choice(len(WORKLOADS), n, p=shares)
        t = t_of_day[day_idx]
        model = np.empty(n, dtype=object)
        provider = np.empty(n, dtype=object)
        user = np.full(n, "", dtype=object)
        meta_user = np.full(n, "", dtype=object)
        team = np.empty(n, dtype=object)
        key_alias = np.empty(n, dtype=object)
        prompt = np.empty(n, dtype=np.int64)
        completion = np.empty(n, dtype=np.int64)
        for w_i, w in enumerate(WORKLOADS):
            idx = np.flatnonzero(work == w_i)
            if not len(idx):
                continue
            jan = np.array([m[2] for m in w.models])
            dec = np.array([m[3] for m in w.models])
            # The model mix drifts linearly from January's shares to December's.
            probs = jan[None, :] * (1 - t[idx, None]) + dec[None, :] * t[idx, None]
            cum = probs.cumsum(axis=1) / probs.sum(axis=1, keepdims=True)
            pick = (rng.random(len(idx))[:, None] > cum).sum(axis=1)
            pick = np.minimum(pick, len(w.models) - 1)
            model[idx] = np.array([m[0] for m in w.models], dtype=object)[pick]
            provider[idx] = np.array([m[1] for m in w.models], dtype=object)[pick]
            team[idx] = w.team
            key_alias[idx] = w.name
            prompt[idx] = np.maximum(1, rng.lognormal(np.log(w.prompt), 0.6, len(idx))).astype(np.int64)
            completion[idx] = np.maximum(1, rng.lognormal(np.log(w.completion), 0.5, len(idx))).astype(np.int64)
            if w.users and members.get(w.team):
                pool = np.array(members[w.team], dtype=object)
                chosen = pool[_zipf_indices(rng, len(pool), len(idx))]
                if w.users == "team":
                    user[idx] = chosen
                else:
                    meta_user[idx] = chosen
        cached = (prompt * rng.choice([0.0, 0.25, 0.5], n, p=[0.5, 0.3, 0.2])).astype(np.int64)
        cache_hit = rng.random(n) < 0.03
        price_in = np.array([PRICES[m][0] for m in model]) / 1e6
        price_out = np.array([PRICES[m][1] for m in model]) / 1e6
        spend = np.where(cache_hit, 0.0, (prompt - cached) * price_in + cached * price_in / 2 + completion * price_out)
        latency_ms = (completion * rng.uniform(8, 25, n)).astype(np.int64) + 300
        orphan = key_alias == ""
        api_key = np.array([_key_hash(k) if k else UNKNOWN_GATEWAY_KEY for k in key_alias], dtype=object)
        team_id = np.where(orphan, "", np.char.add("team-", np.char.lower(team.astype(str))).astype(object))
        start = np.datetime_as_string(start_ns.astype("datetime64[ns]"), unit="ms")
        end = np.datetime_as_string((start_ns + latency_ms * 1_000_000).astype("datetime64[ns]"), unit="ms")
        ids = pc.binary_join_element_wise("chatcmpl-", pc.cast(pa.array(np.arange(done, done + n)), pa.string()), "")
        s = pa.array
        q = '"'
        # The metadata JSON as LiteLLM stores it: key alias, team alias, key owner and the usage object.
        metadata = pc.binary_join_element_wise(
            "{" + q + "user_api_key_alias" + q + ": " + q,
            s(key_alias, pa.string()),
            q + ", " + q + "user_api_key_team_alias" + q + ": " + q,
            s(team, pa.string()),
            q + ", " + q + "user_api_key_user_id" + q + ": " + q,
            s(np.where(user != "", user, meta_user), pa.string()),
            q
            + ", "
            + q
            + "usage_object"
            + q
            + ": {"
            + q
            + "prompt_tokens_details"
            + q
            + ": {"
            + q
            + "cached_tokens"
            + q
            + ": ",
            pc.cast(s(cached), pa.string()),
            "}}}",
            "",
        )
        table = pa.table(
            {
                "request_id": ids,
                "call_type": s(np.full(n, "acompletion", dtype=object), pa.string()),
                "api_key": s(api_key, pa.string()),
                "spend": pc.cast(s(np.round(spend, 8)), pa.string()),
                "total_tokens": pc.cast(s(prompt + completion), pa.string()),
                "prompt_tokens": pc.cast(s(prompt), pa.string()),
                "completion_tokens": pc.cast(s(completion), pa.string()),
                "startTime": pc.binary_join_element_wise(s(start, pa.string()), "Z", ""),
                "endTime": pc.binary_join_element_wise(s(end, pa.string()), "Z", ""),
                "model": s(model, pa.string()),
                "model_group": s(model, pa.string()),
                "custom_llm_provider": s(provider, pa.string()),
                "api_base": s([API_BASES[p] for p in provider], pa.string()),
                "user": s(user, pa.string()),
                "metadata": metadata,
                "cache_hit": s(np.where(cache_hit, "True", "False"), pa.string()),
                "request_tags": s(np.full(n, "[]", dtype=object), pa.string()),
                "team_id": s(team_id, pa.string()),
                "end_user": s(np.full(n, "", dtype=object), pa.string()),
            }
        )
        yield table
        done += n


def _zipf_indices(rng: np.random.Generator, pool: int, n: int) -> np.ndarray:
    """`n` indices into a pool of `pool` people, heavy-tailed (a few power users, many light ones)
    and the same people heavy every run (rank i has weight 1/(i+1)^0.8)."""
    weights = 1.0 / np.arange(1, pool + 1) ** 0.8
    return rng.choice(pool, n, p=weights / weights.sum())


def write_litellm_csv(target, rows: int, year: int, people: list[DemoPerson], seed: int = DEMO_SEED) -> None:
    """Write a LiteLLM spend-log CSV export (``LiteLLM_SpendLogs`` columns) of `rows` requests to
    `target` (a path or a binary file)."""
    options = pacsv.WriteOptions(include_header=True)
    with pacsv.CSVWriter(target, pa.schema([(c, pa.string()) for c in LITELLM_HEADER]), write_options=options) as w:
        for table in iter_litellm_blocks(rows, year, people, seed):
            w.write_table(table)


# ----------------------------------------------------------------------------- CodeCarbon GPU jobs


CODECARBON_HEADER = (
    "timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,cpu_power,gpu_power,"
    "ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,region,"
    "cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,"
    "longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue"
)


def codecarbon_csv(year: int, scale: float = 1.0, seed: int = DEMO_SEED) -> bytes:
    """CodeCarbon emissions.csv of the self-hosted GPU jobs: a nightly embedding job on a cluster in
    France and weekly fine-tuning runs in Germany, each run flushed three times (cumulative values)."""
    import uuid

    rng = np.random.default_rng(seed + 10)
    cal = day_weights(year)
    sites = {  # country, iso, region, grid g/kWh as CodeCarbon would log, lon, lat, GPUs, GPU model
        "FR": ("France", "FRA", "ile-de-france", 56.0, 2.35, 48.85, 2, "2 x NVIDIA L40S"),
        "DE": ("Germany", "DEU", "hessen", 381.0, 8.68, 50.11, 8, "8 x NVIDIA H100 80GB HBM3"),
    }
    lines = [CODECARBON_HEADER]
    for day, t in zip(cal["day"], cal["t"], strict=True):
        jobs = []
        if rng.random() < min(1.0, scale * 20):  # the nightly job (every night at full scale)
            jobs.append(("FR", "rag-embeddings", rng.uniform(2.5, 4.5) * 3600))
        if day.day_of_week == 5 and rng.random() < min(1.0, scale * 20):  # the Saturday fine-tune
            jobs.append(("DE", "llm-finetune", rng.uniform(6, 14) * 3600 * (1 + 0.5 * t)))
        for site, project, duration in jobs:
            country, iso, region, grid, lon, lat, gpus, gpu_model = sites[site]
            run_id = str(uuid.UUID(bytes=rng.bytes(16), version=4))
            gpu_w = gpus * rng.uniform(250, 600)
            cpu_w, ram_w = 95.0, 48.0
            start = day + pd.Timedelta(hours=1)
            for part in (1, 2, 3):  # cumulative flushes; the parser keeps the last one of a run
                secs = duration * part / 3
                h = secs / 3600
                cpu_e, gpu_e, ram_e = cpu_w * h / 1000, gpu_w * h / 1000, ram_w * h / 1000
                energy = cpu_e + gpu_e + ram_e
                stamp = (start + pd.Timedelta(seconds=secs)).strftime("%Y-%m-%dT%H:%M:%S")
                lines.append(
                    f"{stamp},{project},{run_id},{run_id},{secs:.1f},{energy * grid / 1000:.6f},"
                    f"{energy * grid / 1000 / secs:.3e},{cpu_w:.1f},{gpu_w:.1f},{ram_w:.1f},{cpu_e:.6f},{gpu_e:.6f},"
                    f"{ram_e:.6f},{energy:.6f},{country},{iso},{region},,,Linux-6.8.0-x86_64,3.12.3,3.3.2,64,"
                    f"AMD EPYC 9354 32-Core Processor,{gpus},{gpu_model},{lon},{lat},512.0,machine,N,1.0"
                )
    return ("\n".join(lines) + "\n").encode()


# ------------------------------------------------------------------------------------- the year


def demo_files(
    directory: Path,
    year: int | None = None,
    scale: float = 1.0,
    people: list[DemoPerson] | None = None,
    seed: int = DEMO_SEED,
) -> list[tuple[str, Path]]:
    """Write the demo year's vendor files into `directory`; returns (source key, path) in load order.
    `scale` shrinks the volume (rows, seats, licences), e.g. 0.05 for a quick test."""
    year = year or demo_year()
    people = people if people is not None else demo_people(seed=seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    seats = max(20, round(COPILOT_SEATS * scale))
    licences = max(20, round(M365_LICENCES * scale))
    out: list[tuple[str, Path]] = []

    def put(key: str, name: str, data: bytes) -> None:
        path = directory / name
        path.write_bytes(data)
        out.append((key, path))

    put("github_copilot_seats", f"copilot_seats_{year}-12-31.json", copilot_seats_json(year, people, seats, seed))
    put("github_copilot_metrics", f"copilot_metrics_{year}.json", copilot_metrics_json(year, seats, seed))
    for name, data in m365_usage_csvs(year, people, licences, seed):
        put("m365_copilot_usage", name, data)
    put("openai_usage", f"openai_usage_completions_{year}.json", openai_usage_json(year, scale, seed))
    put("anthropic_usage", f"anthropic_usage_report_{year}.json", anthropic_usage_json(year, scale, seed))
    put("azure_openai_cost", f"azure_cost_details_{year}.csv", azure_cost_csv(year, scale, seed))
    put("gcp_billing_export", f"gcp_billing_export_{year}.csv", gcp_billing_csv(year, scale, seed))
    litellm = directory / f"litellm_spend_logs_{year}.csv"
    write_litellm_csv(str(litellm), max(1000, round(LITELLM_ROWS * scale)), year, people, seed)
    out.append(("litellm_spend_logs", litellm))
    put("codecarbon_emissions", f"emissions_{year}.csv", codecarbon_csv(year, scale, seed))
    return out


def demo_mappings() -> list[tuple[str, str, str]]:
    """(kind, value, team name) identity mappings an officer would have set for the demo; the
    hackathon project and the orphan keys are deliberately left out."""
    rows = [("project", p, team) for p, team in OPENAI_PROJECTS.items() if team]
    rows += [("project", w, team) for w, team in ANTHROPIC_WORKSPACES.items()]
    rows += [
        ("project", f"Demo-Prod/{rg}", team)
        for rg, team in (("rg-ai-se", "Customer Support"), ("rg-ai-weu", "Finance"))
    ]
    rows += [("project", "rag-embeddings", "Data Science"), ("project", "llm-finetune", "Data Science")]
    return rows


def load_demo_usage(org, scale: float = 1.0, year: int | None = None, user=None) -> list:
    """Generate the demo year and load every file through store_upload + create_run + execute_run,
    the path an upload takes; returns the IngestionRun of each file. Files already loaded are
    recognised by their SHA-256 and store nothing new (their run points to the earlier one)."""
    from apps.accounts.models import Team

    from .ingestion import create_run, execute_run, store_upload
    from .models import IdentityMapping

    teams = {t.name: t for t in Team.objects.for_org(org)}
    for kind, value, team in demo_mappings():
        if team in teams:
            IdentityMapping.objects.get_or_create(
                organisation=org, kind=kind, value=value, defaults={"team": teams[team]}
            )
    runs = []
    with tempfile.TemporaryDirectory(prefix="demo-usage-") as tmp:
        for key, path in demo_files(Path(tmp), year=year, scale=scale):
            with path.open("rb") as fh:
                source_file = store_upload(org, fh, path.name, user=user)
            run = create_run(org, key, source_file, user=user)
            runs.append(execute_run(run.pk))
    return runs
