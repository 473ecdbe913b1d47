"""Records for the keyset-pagination tests, through the real ingestion path: a generated generic CSV (several
rows a day, two providers, three models, a person in team Platform and others in no team) and the LiteLLM
fixture (a second source), in org-a, plus a file of org-b's on the same days. The expected pages are read
back from every stored record and filtered and sorted here, in Python, not by the code under test."""

import datetime as dt
import io
from pathlib import Path

from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.footprint.models import UsageRecord

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MODELS = (("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("anthropic", "claude-3-5-sonnet-20241022"))
FIRST_DAY = dt.date(2025, 1, 27)


def generic_csv(slug: str, days: int = 9) -> bytes:
    """Three models x two users a day for `days` days from FIRST_DAY (the LiteLLM fixture's February inside)."""
    lines = ["date,provider,model,requests,input_tokens,output_tokens,user,zone,cost,currency"]
    for n in range(days):
        day = (FIRST_DAY + dt.timedelta(days=n)).isoformat()
        for i, (provider, model) in enumerate(MODELS):
            for user in (f"dev@{slug}.example", f"other{i}@{slug}.example"):
                lines.append(f"{day},{provider},{model},{n + i + 1},{1000 * (n + 1)},{500 + i},{user},FR,1.5,EUR")
    return ("\n".join(lines) + "\n").encode()


def ingest(org, name: str, content: bytes, source: str) -> None:
    run = execute_run(create_run(org, source, store_upload(org, io.BytesIO(content), name)).pk)
    assert run.status == "succeeded", run.errors


def seed(org_a, org_b) -> None:
    ingest(org_a["org"], "usage.csv", generic_csv("org-a"), "generic_csv")
    litellm = (FIXTURES / "litellm_spend_logs" / "spend_logs.csv").read_bytes()
    ingest(org_a["org"], "spend_logs.csv", litellm, "litellm_spend_logs")
    ingest(org_b["org"], "usage.csv", generic_csv("org-b"), "generic_csv")


def expected_ids(org, *, start=None, end=None, team=None, source=None, provider=None, model=None) -> list[int]:
    """The ids of org's records that match, newest day first, then by key hash descending (the documented
    order), computed from every stored record in Python. team: a team id or "none"."""
    rows = UsageRecord.objects.filter(organisation=org).values(
        "id", "day", "key_sha256", "team_id", "source", "provider", "model"
    )

    def keep(row) -> bool:
        return (
            (start is None or row["day"] >= start)
            and (end is None or row["day"] <= end)
            and (team is None or row["team_id"] == (None if team == "none" else int(team)))
            and all(
                wanted is None or row[name] == wanted
                for name, wanted in (("source", source), ("provider", provider), ("model", model))
            )
        )

    chosen = sorted((r for r in rows if keep(r)), key=lambda r: (r["day"], r["key_sha256"]), reverse=True)
    return [r["id"] for r in chosen]


def filter_cases(org_a) -> list[tuple[dict, dict]]:
    """(query parameters, expected_ids arguments) for each filter the lists take, and some combined."""
    team = str(org_a["team"].pk)
    return [
        ({}, {}),
        ({"team": team}, {"team": team}),
        ({"team": "none"}, {"team": "none"}),
        ({"source": "litellm_spend_logs"}, {"source": "litellm_spend_logs"}),
        ({"provider": "anthropic"}, {"provider": "anthropic"}),
        ({"model": "gpt-4o-mini"}, {"model": "gpt-4o-mini"}),
        ({"start": "2025-01-30", "end": "2025-02-02"}, {"start": dt.date(2025, 1, 30), "end": dt.date(2025, 2, 2)}),
        (
            {"team": "none", "provider": "openai", "start": "2025-01-29", "end": "2025-02-03"},
            {"team": "none", "provider": "openai", "start": dt.date(2025, 1, 29), "end": dt.date(2025, 2, 3)},
        ),
    ]
