"""The demo's ChatGPT Enterprise pilot (Legal and Marketing, little used) as the workspace analytics user export:
one monthly CSV for the year, one row per seat and month, in the header the ``chatgpt_enterprise_analytics`` source
reads (tests/fixtures/chatgpt_enterprise_analytics/)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from .people import DEMO_SEED, DemoPerson

CHATGPT_DEMO_SEATS = 150
HEADER = (
    "cadence",
    "period_start",
    "period_end",
    "account_id",
    "public_id",
    "name",
    "email",
    "role",
    "user_role",
    "department",
    "groups",
    "user_status",
    "created_or_invited_date",
    "is_active",
    "first_day_active_in_period",
    "last_day_active_in_period",
    "messages",
    "messages_rank",
    "model_to_messages",
    "gpt_messages",
    "gpts_messaged",
    "gpt_to_messages",
    "tool_messages",
    "tools_messaged",
    "tool_to_messages",
    "project_messages",
    "projects_messaged",
    "project_to_messages",
    "projects_created",
    "last_day_active",
)
ACCOUNT = "5e0b7c1d2f3a4b6c8d9e0f1a2b3c4d5e"  # the demo workspace's id


def chatgpt_seat_holders(
    people: list[DemoPerson], seats: int = CHATGPT_DEMO_SEATS, seed: int = DEMO_SEED
) -> list[tuple[DemoPerson, float]]:
    """The pilot's seat holders and the chance each is active in a month (a few are never active)."""
    rng = np.random.default_rng(seed + 11)
    pool = [p for p in people if p.team in ("Legal", "Marketing")]
    chosen = [pool[i] for i in rng.choice(len(pool), min(seats, len(pool)), replace=False)]
    activity = rng.choice([0.0, 0.15, 0.4, 0.8], size=len(chosen), p=[0.2, 0.4, 0.3, 0.1])
    return list(zip(chosen, activity.tolist(), strict=True))


def chatgpt_enterprise_csv(
    year: int, people: list[DemoPerson], seats: int = CHATGPT_DEMO_SEATS, seed: int = DEMO_SEED
) -> bytes:
    """The year's monthly user engagement export: per seat and month its first and last day active and the
    messages it sent (none in a month it was not active)."""
    rng = np.random.default_rng(seed + 12)
    holders = chatgpt_seat_holders(people, seats, seed)
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADER, lineterminator="\n", restval="")
    writer.writeheader()
    last_seen: dict[str, str] = {}
    for month in range(1, 13):
        start = pd.Timestamp(year=year, month=month, day=1)
        end = start + pd.offsets.MonthEnd(0)
        for i, (person, activity) in enumerate(holders):
            row = {"cadence": "Monthly", "period_start": f"{start:%Y-%m-%d}", "period_end": f"{end:%Y-%m-%d}"}
            row |= {"account_id": ACCOUNT, "public_id": f"user-demo{i:04d}", "name": person.name}
            row |= {"email": person.email, "user_role": "standard-user", "department": f'["{person.team}"]'}
            row |= {"user_status": "enabled", "created_or_invited_date": f"{year}-01-01", "projects_created": 0}
            messages = int(rng.integers(1, 60)) if rng.random() < activity else 0
            if messages:
                first = start + pd.Timedelta(days=int(rng.integers(0, end.day)))
                last = (
                    first if messages == 1 else first + pd.Timedelta(days=int(rng.integers(0, end.day - first.day + 1)))
                )
                last_seen[person.email] = f"{last:%Y-%m-%d}"
                gpt, tool = int(rng.integers(0, messages + 1)), int(rng.integers(0, messages // 3 + 1))
                row |= {"is_active": 1, "first_day_active_in_period": f"{first:%Y-%m-%d}"}
                row |= {
                    "last_day_active_in_period": f"{last:%Y-%m-%d}",
                    "model_to_messages": f"{{'gpt-5': {messages}}}",
                }
                row |= {"gpt_messages": gpt, "gpts_messaged": min(gpt, 1), "tool_messages": tool}
                row |= {"tools_messaged": min(tool, 1)}
            else:
                row |= {"is_active": 0}
            row |= {"messages": messages, "last_day_active": last_seen.get(person.email, "")}
            writer.writerow(row)
    return out.getvalue().encode("utf-8")
