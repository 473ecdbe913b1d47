"""The demo year as files on disk, one per vendor export, and the identity mappings an officer would set."""

from __future__ import annotations

from pathlib import Path

from .chatgpt import CHATGPT_DEMO_SEATS, chatgpt_enterprise_csv
from .cloud import azure_cost_csv, codecarbon_csv, gcp_billing_csv
from .copilot import (
    COPILOT_SEATS,
    M365_LICENCES,
    copilot_seats_json,
    copilot_usage_reports_ndjson,
    m365_usage_csvs,
)
from .litellm import LITELLM_ROWS, write_litellm_csv
from .people import DEMO_SEED, DemoPerson, demo_people
from .timeline import demo_year
from .token_apis import ANTHROPIC_WORKSPACES, OPENAI_PROJECTS, anthropic_usage_json, openai_usage_json


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

    seat_file = copilot_seats_json(year, people, seats, seed)
    put("github_copilot_seats", f"copilot_seats_{year}-12-31.json", seat_file)
    # The usage metrics reports (the closed-down /copilot/metrics format stays readable for archives only).
    reports = copilot_usage_reports_ndjson(year, seat_file, seed)
    put("github_copilot_usage_reports", f"copilot_usage_reports_users_1_day_{year}.ndjson", reports)
    for name, data in m365_usage_csvs(year, people, licences, seed):
        put("m365_copilot_usage", name, data)
    chatgpt_seats = max(20, round(CHATGPT_DEMO_SEATS * scale))
    put(
        "chatgpt_enterprise_analytics",
        f"chatgpt_user_engagement_monthly_{year}.csv",
        chatgpt_enterprise_csv(year, people, chatgpt_seats, seed),
    )
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
