"""The worked examples of the OpenAPI schema, one list per operation: what Swagger UI shows and what
tests/api/test_schema_examples.py requires of every endpoint. Values are illustrative, not computed."""

from drf_spectacular.utils import OpenApiExample

from apps.footprint.catalogue import DEFAULT_SET_LABEL

TEAM = {"id": 3, "name": "Marketing", "created_at": "2025-01-06T09:00:00Z"}
MAPPING = {"id": 5, "kind": "api_key", "value": "key-7f3a", "person": None, "team": 3}
PERIOD = {
    "id": 7,
    "start": "2025-01-01",
    "end": "2025-12-31",
    "version": 1,
    "status": "signed_off",
    "snapshot_sha256": "da399c…",
}
RUN = {
    "id": 12,
    "source_key": "azure_openai_cost",
    "status": "succeeded",
    "phase": "storing",
    "finished": True,
    "progress_percent": 100,
    "bytes_done": 2048,
    "bytes_total": 2048,
    "rows_read": 36,
    "rows_skipped": 5,
    "skipped": {"not_ai": 4, "not_inference": 1},
    "records_stored": 31,
    "requests": 3100,
    "input_tokens": 1550000,
    "cached_input_tokens": 0,
    "output_tokens": 1240000,
    "energy_kwh": 2.4,
    "co2e_kg": 0.13,
    "errors": [],
    "warnings": [],
    "duplicate_of": None,
    "filename": "azure-cost-2025-03.csv",
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "size_bytes": 2048,
    "uploaded_by": "officer@example.com",
    "factor_set": DEFAULT_SET_LABEL,
    "attempts": 1,
    "created_at": "2025-04-02T09:00:00Z",
    "started_at": "2025-04-02T09:00:01Z",
    "finished_at": "2025-04-02T09:00:02Z",
}

# ---- Organisations and teams -------------------------------------------------------------------------------------

ORGANISATIONS = [
    OpenApiExample(
        "Member of two organisations",
        response_only=True,
        value=[
            {"slug": "demo", "name": "Demo Industries SA", "role": "officer"},
            {"slug": "acme", "name": "Acme SE", "role": "auditor"},
        ],
    )
]
TEAMS = [
    OpenApiExample("Teams", response_only=True, value=[TEAM]),
    OpenApiExample("New team", request_only=True, value={"name": "Data Science"}),
]
TEAM_DETAIL = [
    OpenApiExample("A team", response_only=True, value=TEAM),
    OpenApiExample("Rename", request_only=True, value={"name": "Growth marketing"}),
]

# ---- Estimate, sources and ingestion runs ------------------------------------------------------------------------

ESTIMATE = [
    OpenApiExample(
        "GPT-4o in France",
        request_only=True,
        value={
            "provider": "openai",
            "model": "gpt-4o",
            "output_tokens": 400,
            "requests": 10,
            "zone": "FR",
            "year": 2025,
        },
    )
]
SOURCES = [
    OpenApiExample(
        "Sources",
        response_only=True,
        value=[
            {
                "key": "litellm_spend_logs",
                "label": "LiteLLM spend logs",
                "reads_in_chunks": True,
                "description": "LiteLLM proxy spend logs: one row per request with tokens, spend, user, team and key.",
                "doc_url": "https://docs.litellm.ai/docs/proxy/cost_tracking",
            }
        ],
    )
]
RUNS = [OpenApiExample("A finished run", response_only=True, value=RUN)]

# ---- Records and the footprint summary ---------------------------------------------------------------------------

RECORDS = [
    OpenApiExample(
        "A usage record",
        response_only=True,
        value={
            "id": 981,
            "day": "2025-03-01",
            "source": "litellm_spend_logs",
            "provider": "openai",
            "model": "gpt-4o",
            "team": "Marketing",
            "requests": 120,
            "input_tokens": 150000,
            "output_tokens": 60000,
            "energy_kwh": 0.115,
            "co2e_location_kg": 0.0064,
            "factor_set": DEFAULT_SET_LABEL,
            "factor_set_sha256": "3b7d41…",
            "run": 12,
            "source_sha256": "9f2c0e…",
        },
    )
]
SUMMARY = [
    OpenApiExample(
        "A quarter",
        response_only=True,
        value={
            "filters": {
                "start": "2025-01-01",
                "end": "2025-03-31",
                "team": "",
                "source": "",
                "provider": "",
                "model": "",
                "period": None,
            },
            "totals": {
                "energy_kwh": 120.5,
                "co2e_location_kg": 6.8,
                "co2e_market_kg": 5.1,
                "co2e_location_t": 0.0068,
                "co2e_market_t": 0.0051,
                "cost_eur": 2176.67,
                "cost_rule": (
                    "Reported costs are converted to EUR at the factor set's exchange rates; token records without "
                    "a reported cost are priced from their tokens at the model's price valid that day. Amounts are "
                    "exact until shown, rounded half to even to the cent."
                ),
                "other_costs": [{"currency": "USD", "amount": 410.0}],
                "records": 930,
                "requests": 52000,
            },
            "series": {
                "by_month": [
                    {
                        "key": "2025-01",
                        "energy_kwh": 40.1,
                        "co2e_location_kg": 2.3,
                        "co2e_market_kg": 1.7,
                        "records": 310,
                        "requests": 17000,
                    }
                ],
                "by_source": [],
                "by_provider": [],
                "by_model": [],
                "by_team": [],
                "by_scope": [],
            },
        },
    )
]

# ---- Identity mappings -------------------------------------------------------------------------------------------

MAPPINGS = [
    OpenApiExample("Mappings", response_only=True, value=[MAPPING]),
    OpenApiExample(
        "Map a user to a person", request_only=True, value={"kind": "person", "value": "jdoe", "person": 42}
    ),
]
MAPPING_DETAIL = [OpenApiExample("A mapping", response_only=True, value=MAPPING)]

# ---- Reporting periods, disclosures and exports ------------------------------------------------------------------

PERIODS = [OpenApiExample("Periods", response_only=True, value=[PERIOD])]
PERIOD_DETAIL = [OpenApiExample("A signed-off period", response_only=True, value=PERIOD)]
DISCLOSURE = [
    OpenApiExample(
        "Disclosure snapshot (abridged)",
        response_only=True,
        value={
            "snapshot_sha256": "da399c…",
            "snapshot": {
                "period": {"start": "2025-01-01", "end": "2025-12-31", "status": "signed_off"},
                "datapoints": [{"id": "E1-6_11", "unit": "tCO2e", "value": 12.4, "low": 6.1, "high": 31.0}],
            },
        },
    )
]
SIGN_OFF = [OpenApiExample("Sign off", request_only=True, value={"comment": "Reviewed with the CFO."})]
PERIOD_STATUS = [
    OpenApiExample(
        "Signed off, the XLSX still rendering",
        response_only=True,
        value={
            "id": 3,
            "status": "signed_off",
            "status_label": "Signed off",
            "sign_off_error": "",
            "exports": [
                {
                    "format": "xlsx",
                    "by_task": True,
                    "state": "rendering",
                    "state_label": "Rendering",
                    "error": "",
                    "sha256": "",
                    "snapshot_sha256": "",
                    "finished_at": None,
                    "url": "https://ledger.example/api/v1/o/acme/periods/3/exports/xlsx/",
                }
            ],
            "finished": False,
        },
    )
]
EXPORT = [
    OpenApiExample(
        "fmt=json",
        response_only=True,
        media_type="application/json",
        value={"E1-6_11": {"value": 12.4, "unit": "tCO2e", "low": 6.1, "high": 31.0}},
    )
]
