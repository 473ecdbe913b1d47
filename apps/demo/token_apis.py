"""Direct API use in the vendors' usage-report formats: OpenAI Usage API and Anthropic usage report pages."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .people import DEMO_SEED
from .timeline import day_weights, iso_utc

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
        buckets.append(
            {"starting_at": iso_utc(day), "ending_at": iso_utc(day + pd.Timedelta(days=1)), "results": results}
        )
    pages = []
    for i in range(0, len(buckets), 31):
        more = i + 31 < len(buckets)
        pages.append(
            {"data": buckets[i : i + 31], "has_more": more, "next_page": f"page_{i + 31:04d}" if more else None}
        )
    return json.dumps(pages).encode()
