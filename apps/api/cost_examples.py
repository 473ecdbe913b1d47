"""The worked examples of the cost endpoints' OpenAPI schema (apps.api.views.costs), abridged to one row of each
list; the other endpoints' are in apps.api.examples. Values are illustrative, not computed."""

from drf_spectacular.utils import OpenApiExample

from apps.footprint.catalogue import DEFAULT_SET_LABEL

COST_WINDOW = {
    "start": "2025-01-01",
    "end": "2025-12-31",
    "months": 12.0,
    "period_id": 7,
    "carbon_price_eur_per_t": 80.0,
}
ROI_LEVEL = {
    "value_eur": 72214.5,
    "licence_cost_eur": 5783.4,
    "api_spend_eur": 0.0,
    "carbon_fee_eur": 0.3,
    "cost_eur": 5783.7,
    "net_eur": 66430.8,
    "roi_pct": 1148.6,
    "payback_months": 0.96,
}
COST_SUMMARY = [
    OpenApiExample(
        "Cost and footprint summary",
        response_only=True,
        value={
            "window": COST_WINDOW,
            "totals": {
                "energy_kwh": 3615.5,
                "co2e_kg": 963.1,
                "api_spend_eur": 83.39,
                "licence_cost_eur": 103187.6,
                "total_cost_eur": 103271.0,
                "reported_cost_eur": 74.61,
            },
            "equivalences": [
                {
                    "key": "web_searches",
                    "value": 12051587.8,
                    "unit": "web searches",
                    "of": "energy_kwh",
                    "source": "IEA (Electricity 2024): a web search ≈ 0.3 Wh",
                }
            ],
            "by_team": [
                {
                    "team": "Engineering",
                    "requests": 5120,
                    "active_user_days": 410,
                    "energy_kwh": 2.2,
                    "co2e_kg": 0.82,
                    "api_spend_eur": 26.0,
                    "licence_cost_eur": 1927.8,
                    "total_cost_eur": 1953.8,
                }
            ],
            "by_model": [
                {
                    "model_label": "openai/gpt-4o",
                    "requests": 1523,
                    "active_user_days": 0,
                    "energy_kwh": 0.96,
                    "co2e_kg": 0.37,
                    "api_spend_eur": 7.1,
                }
            ],
            "top_people": [
                {
                    "person": "lina.legrand@demo.example",
                    "name": "Lina Legrand",
                    "team": "Engineering",
                    "requests": 205,
                    "energy_kwh": 0.22,
                    "co2e_kg": 0.082,
                    "api_spend_eur": 2.6,
                }
            ],
            "models_without_price": ["text-embedding-3-small"],
        },
    )
]
COST_SEATS = [
    OpenApiExample(
        "Seats bought, assigned, active and idle",
        response_only=True,
        value={
            "window": COST_WINDOW,
            "licences": [
                {
                    "licence_id": 1,
                    "tool": "github_copilot",
                    "tool_label": "GitHub Copilot",
                    "name": "Business",
                    "as_of": "2025-12-31",
                    "price_per_seat_month_eur": 16.06,
                    "seats_bought": 30,
                    "period_start": "2025-01-01",
                    "period_end": "2025-12-31",
                    "months_in_window": 12.0,
                    "licence_cost_eur": 5783.4,
                    "file": {"filename": "copilot_seats_2025-12-31.json", "sha256": "048522a1…"},
                    "figures": {
                        "seats_bought": 30,
                        "assigned": 20,
                        "active": 14,
                        "idle": 6,
                        "unassigned": 10,
                        "active_share": 0.4667,
                        "licence_cost_month_eur": 481.9,
                        "cost_per_active_seat_month_eur": 34.42,
                        "idle_saving_month_eur": 96.39,
                        "unassigned_saving_month_eur": 160.6,
                        "reclaim_saving_month_eur": 257.0,
                    },
                    "idle": [
                        {
                            "person": "amelie.perrin@demo.example",
                            "name": "Amelie Perrin",
                            "team": "Engineering",
                            "last_activity": "2025-10-02",
                            "days_since_activity": 90,
                            "saving_month_eur": 16.06,
                        }
                    ],
                    "by_team": [
                        {
                            "team": "Data Science",
                            "assigned": 2,
                            "active": 2,
                            "idle": 0,
                            "licence_cost_month_eur": 32.13,
                            "idle_saving_month_eur": 0.0,
                        }
                    ],
                }
            ],
        },
    )
]
COST_ROI = [
    OpenApiExample(
        "ROI per tool and team, with low/high",
        response_only=True,
        value={
            "window": COST_WINDOW,
            "tools": [
                {
                    "tool": "github_copilot",
                    "tool_label": "GitHub Copilot",
                    "inputs": {
                        "minutes_saved_low": 7.0,
                        "minutes_saved_central": 31.0,
                        "minutes_saved_high": 55.0,
                        "minutes_source": "Derived, with an assumption: Cui, Demirer et al. (2024)…",
                        "hourly_cost_low_eur": 33.5,
                        "hourly_cost_central_eur": 45.0,
                        "hourly_cost_high_eur": 60.0,
                        "hourly_cost_source": "Low: Eurostat, average hourly labour cost 2024…",
                        "active_days_source": "usage",
                        "manual_active_user_days": None,
                        "team_specific": False,
                    },
                    "inputs_are_defaults": False,
                    "active_user_days": 3106.0,
                    "active_days_note": "active user-days from the usage data",
                    "licence_cost_eur": 5783.4,
                    "api_spend_eur": 0.0,
                    "co2e_kg": 3.9,
                    "roi": {"low": ROI_LEVEL, "central": ROI_LEVEL, "high": ROI_LEVEL},
                    "teams": [
                        {
                            "team": "Engineering",
                            "active_user_days": 2100.0,
                            "licence_cost_eur": 3855.6,
                            "api_spend_eur": 0.0,
                            "co2e_kg": 2.6,
                            "allocated_by_active_seats": True,
                            "team_specific_inputs": False,
                            "roi": {"low": ROI_LEVEL, "central": ROI_LEVEL, "high": ROI_LEVEL},
                        }
                    ],
                }
            ],
        },
    )
]
PER_REQUEST = {"model": "gpt-4o", "zone": "USA", "kwh_per_request": 0.0013, "co2e_kg_per_request": 0.00048}
COST_RIGHT_SIZING = [
    OpenApiExample(
        "Right-sizing: savings if a share of requests moved to a smaller model",
        response_only=True,
        value={
            "window": COST_WINDOW,
            "share": 0.3,
            "rows": [
                {
                    "provider": "openai",
                    "model": "gpt-4o",
                    "team": "Marketing",
                    "smaller_model": "gpt-4o-mini",
                    "requests": 1523,
                    "tokens_per_request": {"input": 2940.2, "cached": 642.8, "output": 675.2},
                    "current": {**PER_REQUEST, "eur_per_request": 0.0146},
                    "smaller": {
                        "model": "gpt-4o-mini",
                        "zone": "USA",
                        "kwh_per_request": 0.00007,
                        "co2e_kg_per_request": 0.000027,
                        "eur_per_request": 0.0049,
                    },
                    "saving": {"moved_requests": 456.9, "energy_kwh": 0.56, "co2e_kg": 0.21, "cost_eur": 4.4},
                }
            ],
            "mapping_source": "Same provider and family, one tier down…",
            "factor_set": DEFAULT_SET_LABEL,
            "method_version": "ledger-calc 1 / ecologits 0.11.3",
            "totals": {"energy_kwh": 1.78, "co2e_kg": 0.66, "cost_eur": 12.95},
        },
    )
]
COST_REBOUND = [
    OpenApiExample(
        "Rebound: month-to-month change split into volume and intensity effects",
        response_only=True,
        value={
            "window": COST_WINDOW,
            "basis": "requests",
            "basis_label": "API requests",
            "months": [
                {
                    "month": "2025-02",
                    "activity": 905.0,
                    "co2e_kg": 0.21,
                    "intensity_kg": 0.00023,
                    "change_kg": 0.0075,
                    "volume_effect_kg": 0.019,
                    "intensity_effect_kg": -0.0115,
                }
            ],
            "totals": {
                "change_kg": 0.15,
                "volume_effect_kg": 0.19,
                "intensity_effect_kg": -0.04,
                "first_to_last": {
                    "change_kg": 0.15,
                    "volume_effect_kg": 0.185,
                    "intensity_effect_kg": -0.035,
                    "intensity_0": 0.000245,
                    "intensity_1": 0.000217,
                },
            },
        },
    )
]
COST_FRUGALITY = [
    OpenApiExample(
        "Frugality assessments (AFNOR Spec 2314)",
        response_only=True,
        value={
            "assessments": [
                {
                    "id": 2,
                    "use_case": "Support bot",
                    "team": "Customer Support",
                    "assessed_on": "2025-11-03",
                    "answers": {"need_for_ai": "yes", "usage_caps": "no"},
                    "score": 67.0,
                    "reasons": ["no usage caps"],
                    "notes": "",
                }
            ]
        },
    ),
]
COST_FRUGALITY_NEW = [
    OpenApiExample(
        "New assessment",
        request_only=True,
        value={
            "use_case": "Support bot",
            "team": "Customer Support",
            "need_for_ai": "yes",
            "model_size": "yes",
            "good_practices": "partly",
            "measurement": "yes",
            "usage_caps": "no",
            "rebound": "no",
        },
    ),
    OpenApiExample(
        "Assessment stored", response_only=True, status_codes=[201], value={"id": 3, "score": 58.3, "reasons": []}
    ),
]
COST_RECONCILIATION = [
    OpenApiExample(
        "Tokens x price against the bill",
        response_only=True,
        value={
            "window": COST_WINDOW,
            "threshold_pct": "2",
            "rule": "Where the vendor's bill (OpenAI Costs API, Anthropic cost report) is loaded ...",
            "months": [
                {
                    "provider": "openai",
                    "month": "2025-03",
                    "tokens_x_price_eur": "104.5",
                    "reported_on_tokens_eur": "0",
                    "billed_eur": "100.0",
                    "billed_by_currency": [{"currency": "USD", "amount": "118.27"}],
                    "gap_eur": "4.5",
                    "gap_pct": "4.50",
                    "flagged": True,
                    "models_without_price": [],
                }
            ],
        },
    )
]
