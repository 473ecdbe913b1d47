"""The AI usage as a contribution to the company's own GHG inventory: one CSV row per GHG category, with its
activity data and tCO2e, for the company's main reporting tool to import (it states the entity's totals).

From the snapshot alone (its by-scope breakdown), so a signed-off version always gives the same bytes.
"""

from __future__ import annotations

from .tables import _write_csv

COLUMNS = [
    "entity_lei",
    "period_start",
    "period_end",
    "scope",
    "ghg_protocol_category",
    "of_which",
    "activity",
    "energy_kwh",
    "requests",
    "records",
    "tco2e_location_based",
    "tco2e_market_based",
    "snapshot_version",
]
# scope key in the snapshot -> (scope, GHG Protocol category, what the activity is)
CATEGORIES = {
    "scope2": ("Scope 2", "Purchased electricity", "self-hosted AI compute (measured energy)"),
    "scope3_cat1": (
        "Scope 3",
        "Category 1: purchased goods and services",
        "AI services bought: API tokens, seats, rented cloud GPUs",
    ),
}


def render_contribution_csv(snapshot: dict) -> bytes:
    """Rows per GHG category (Scope 2; Scope 3 category 1, and its AR 51 cloud subset, all of it here)."""
    org, period = snapshot.get("organisation") or {}, snapshot.get("period") or {}
    head = [org.get("lei") or "", period.get("start"), period.get("end")]
    version = f"v{period.get('version')} {period.get('status')}"
    rows = []
    for entry in (snapshot.get("breakdowns") or {}).get("by_scope") or []:
        if entry["key"] not in CATEGORIES:
            continue
        scope, category, activity = CATEGORIES[entry["key"]]
        figures = [
            entry["energy_kwh"],
            entry["requests"],
            entry["records"],
            entry["co2e_location_kg"] / 1000,
            entry["co2e_market_kg"] / 1000,
        ]
        rows.append([*head, scope, category, "", activity, *figures, version])
        if entry["key"] == "scope3_cat1":
            # E1 AR 51: every AI service bought is a cloud computing and data centre service
            rows.append(
                [*head, scope, category, "cloud computing and data centre services", activity, *figures, version]
            )
    return _write_csv(COLUMNS, rows)
