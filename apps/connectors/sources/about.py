"""What each source reads in one line, and the documentation page it follows, for the upload page, the API's
``/sources/`` list and docs/sources.md.

A source module may declare ``DESCRIPTION`` and ``DOC_URL`` itself (the newer ones do); the sources written before
these attributes existed are described in ``_EARLIER`` below, from the pages their tests name. Every registered
source has both (tests/connectors/test_source_about.py checks it)."""

from __future__ import annotations

from typing import NamedTuple

from apps.connectors.sources.base import Source


class About(NamedTuple):
    """A source's one-line description and the vendor page (or the project's own page) it follows."""

    description: str
    doc_url: str


_EARLIER: dict[str, About] = {
    "openai_usage": About(
        "OpenAI Admin API usage pages (completions, embeddings...): tokens and requests per project and key.",
        "https://platform.openai.com/docs/api-reference/usage/completions",
    ),
    "anthropic_usage": About(
        "Anthropic Admin API messages usage report: tokens per workspace, key and model.",
        "https://platform.claude.com/docs/en/api/admin-api/usage-cost/get-messages-usage-report",
    ),
    "azure_openai_cost": About(
        "Azure cost details export (EA, MCA or FOCUS): Azure OpenAI token meters, cost and region.",
        "https://learn.microsoft.com/en-us/azure/cost-management-billing/automate/understand-usage-details-fields",
    ),
    "gcp_billing_export": About(
        "Google Cloud billing export (standard usage cost): Vertex AI and Gemini token SKUs, cost and region.",
        "https://docs.cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage",
    ),
    "github_copilot_seats": About(
        "GitHub Copilot seat assignments: who holds a seat and when they were last active.",
        "https://docs.github.com/en/rest/copilot/copilot-user-management",
    ),
    "github_copilot_metrics": About(
        "GitHub Copilot metrics API: active and engaged users per day, per feature.",
        "https://docs.github.com/en/rest/copilot/copilot-metrics",
    ),
    "github_copilot_usage_reports": About(
        "GitHub Copilot usage metrics reports (NDJSON): per user per day activity and interactions.",
        "https://docs.github.com/en/copilot/reference/copilot-usage-metrics/copilot-usage-metrics",
    ),
    "m365_copilot_usage": About(
        "Microsoft 365 Copilot usage user detail report: last activity per user and app.",
        "https://learn.microsoft.com/en-us/microsoft-365/copilot/extensibility/api/admin-settings/reports/",
    ),
    "litellm_spend_logs": About(
        "LiteLLM proxy spend logs: one row per request with tokens, spend, user, team and key.",
        "https://docs.litellm.ai/docs/proxy/cost_tracking",
    ),
    "codecarbon_emissions": About(
        "CodeCarbon emissions.csv of self-hosted jobs: energy measured at the machine.",
        "https://mlco2.github.io/codecarbon/output.html",
    ),
    "generic_csv": About(
        "The project's own usage CSV template, for AI usage no other source covers.",
        "docs/generic_csv.md",
    ),
    "openai_costs": About(
        "OpenAI Admin API costs pages: the bill per day, project and line item (cost only).",
        "https://platform.openai.com/docs/api-reference/usage/costs",
    ),
    "anthropic_cost_report": About(
        "Anthropic Admin API cost report: the bill per day, workspace and cost type (cost only).",
        "https://platform.claude.com/docs/en/api/admin/cost_report",
    ),
}


def about(source: Source) -> About:
    """The description and documentation link of a source module; ('', '') for one described nowhere."""
    own = About(getattr(source, "DESCRIPTION", ""), getattr(source, "DOC_URL", ""))
    return own if own.description else _EARLIER.get(source.KEY, About("", ""))
