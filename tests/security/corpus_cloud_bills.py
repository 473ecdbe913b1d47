"""Bad-input corpus cases of the cloud bills: Azure cost details and FOCUS export, the GCP billing export."""

from __future__ import annotations

from collections.abc import Callable

from tests.security.corpus_helpers import (
    FOCUS,
    FUTURE,
    NOT_UTF8,
    TOO_BIG,
    BadInput,
    cell_build,
    csv_bytes,
    csv_table,
    cut_inside_row,
    drop_column,
    fixture,
    header_only,
    keep_rows,
    latin1_cell,
    source_fixture,
    with_delimiter,
    zip_bomb,
)


def _focus(edit: Callable[[list[str], list[list[str]]], tuple[list[str], list[list[str]]]]) -> Callable[[], bytes]:
    """The Azure FOCUS fixture (read by the azure_openai_cost source) changed by `edit(header, rows)`."""
    return lambda: csv_bytes(*edit(*csv_table(fixture(FOCUS))))


def _focus_cell(row: int, column: str, value: str) -> Callable[[], bytes]:
    def edit(header, rows):
        rows[row - 2][header.index(column)] = value
        return header, rows

    return _focus(edit)


CASES: list[BadInput] = [
    # --- azure_openai_cost: cost details CSV ---------------------------------------------------------------
    BadInput(
        "azure_openai_cost",
        "missing-column",
        lambda: drop_column("azure_openai_cost", "MeterName"),
        ("missing expected column(s) 'MeterName'",),
        1,
    ),
    BadInput(
        "azure_openai_cost",
        "negative-quantity",
        cell_build("azure_openai_cost", 3, "Quantity", "-72.334"),
        ("expected a number >= 0, got '-72.334'",),
        3,
        "Quantity",
    ),
    BadInput(
        "azure_openai_cost",
        "unparseable-date",
        cell_build("azure_openai_cost", 4, "Date", "13/45/2025"),
        ("expected a date like 2025-08-01 or 08/01/2025, got '13/45/2025'",),
        4,
        "Date",
    ),
    BadInput(
        "azure_openai_cost",
        "unknown-unit",
        cell_build("azure_openai_cost", 2, "UnitOfMeasure", "1 Barrel"),
        ("expected a token unit such as '1K' or '1M', got '1 Barrel'",),
        2,
        "UnitOfMeasure",
    ),
    BadInput(
        "azure_openai_cost",
        "semicolon-decimal-comma",
        lambda: with_delimiter("azure_openai_cost", ";", ("Quantity", "EffectivePrice", "CostInBillingCurrency")),
        ("expected a number >= 0, got '72,334'", "use a dot as the decimal separator"),
        3,
        "Quantity",
    ),
    BadInput(
        "azure_openai_cost",
        "huge-quantity",
        cell_build("azure_openai_cost", 2, "Quantity", "1e30"),
        (TOO_BIG, "'1e30'"),
        2,
        "Quantity",
    ),
    BadInput(
        "azure_openai_cost",
        "huge-tokens-after-unit",
        cell_build("azure_openai_cost", 4, "Quantity", "5000000"),
        ("5000000 x 1M", TOO_BIG, "tokens"),
        4,
        "Quantity",
    ),
    BadInput(
        "azure_openai_cost",
        "no-ai-meters",
        lambda: keep_rows("azure_openai_cost", 5),
        ("found no Azure OpenAI / Foundry token meters", "Virtual Machines"),
        None,
        "MeterName",
    ),
    BadInput(
        "azure_openai_cost",
        "truncated-row",
        lambda: cut_inside_row("azure_openai_cost", 3),
        ("expected 16 values as in the header", "cut short"),
        3,
    ),
    # --- azure_openai_cost: FOCUS export (https://learn.microsoft.com/en-us/azure/cost-management-billing/
    # dataset-schema/cost-usage-details-focus) ----------------------------------------------------------------
    BadInput(
        "azure_openai_cost",
        "focus-blank-consumed-quantity",
        _focus_cell(2, "ConsumedQuantity", ""),
        ("expected a number, got a blank", "needs this figure"),
        2,
        "ConsumedQuantity",
    ),
    BadInput(
        "azure_openai_cost",
        "focus-negative-quantity",
        _focus_cell(3, "ConsumedQuantity", "-184500"),
        ("expected a number >= 0, got '-184500'",),
        3,
        "ConsumedQuantity",
    ),
    BadInput(
        "azure_openai_cost",
        "focus-unparseable-date",
        _focus_cell(4, "ChargePeriodStart", "01/08/2025 00:00"),
        ("expected a date like 2025-08-01T00:00:00Z", "got '01/08/2025 00:00'"),
        4,
        "ChargePeriodStart",
    ),
    BadInput(
        "azure_openai_cost",
        "focus-missing-meter-column",
        _focus(lambda h, rows: ([c for c in h if c != "x_SkuMeterName"], [r[:-1] for r in rows])),
        ("missing expected column(s) 'x_SkuMeterName'",),
        1,
    ),
    BadInput(
        "azure_openai_cost",
        "focus-unknown-unit",
        _focus_cell(2, "ConsumedUnit", "Barrels"),
        ("expected a token unit such as '1K' or '1M', got 'Barrels'",),
        2,
        "ConsumedUnit",
    ),
    BadInput(
        "azure_openai_cost",
        "focus-huge-quantity",
        _focus_cell(5, "ConsumedQuantity", "1e30"),
        (TOO_BIG, "'1e30'"),
        5,
        "ConsumedQuantity",
    ),
    BadInput(
        "azure_openai_cost",
        "focus-no-token-meters",
        _focus(lambda h, rows: (h, [rows[4], rows[6]])),  # the VM and the reservation purchase
        ("found no Azure OpenAI / Foundry token meters among the usage charges", "Virtual Machines"),
        None,
        "x_SkuMeterName",
    ),
    BadInput(
        "azure_openai_cost",
        "wrong-source-gcp-csv",
        lambda: source_fixture("gcp_billing_export"),
        ("missing expected column(s)", "Google Cloud Billing export", "source 'gcp_billing_export'"),
        1,
    ),
    BadInput(
        "azure_openai_cost",
        "zip-bomb",
        zip_bomb,
        ("zip", "compressed", "nothing was decompressed"),
        extension="zip",
        archive=True,
    ),
    # --- gcp_billing_export: billing export CSV ------------------------------------------------------------
    BadInput(
        "gcp_billing_export",
        "missing-column",
        lambda: drop_column("gcp_billing_export", "usage.amount"),
        ("missing expected column(s) 'usage.amount'",),
        1,
    ),
    BadInput(
        "gcp_billing_export",
        "negative-amount",
        cell_build("gcp_billing_export", 3, "usage.amount", "-320000"),
        ("expected a number >= 0, got '-320000'",),
        3,
        "usage.amount",
    ),
    BadInput(
        "gcp_billing_export",
        "unparseable-date",
        cell_build("gcp_billing_export", 2, "usage_start_time", "yesterday"),
        ("expected a date like 2025-01-15 08:00:00 UTC, got 'yesterday'",),
        2,
        "usage_start_time",
    ),
    BadInput(
        "gcp_billing_export",
        "far-future-date",
        cell_build("gcp_billing_export", 6, "usage_start_time", "2099-03-01 09:00:00 UTC"),
        (FUTURE, "'2099-03-01 09:00:00 UTC'"),
        6,
        "usage_start_time",
    ),
    BadInput(
        "gcp_billing_export",
        "non-numeric-cost",
        cell_build("gcp_billing_export", 4, "cost", "free"),
        ("expected a number, got 'free'",),
        4,
        "cost",
    ),
    BadInput(
        "gcp_billing_export",
        "no-ai-skus",
        lambda: keep_rows("gcp_billing_export", 5),
        ("found no Vertex AI / Gemini token SKUs", "Compute Engine"),
        None,
        "sku.description",
    ),
    BadInput(
        "gcp_billing_export",
        "header-only",
        lambda: header_only("gcp_billing_export"),
        ("the file has a header but no data rows",),
    ),
    BadInput(
        "gcp_billing_export",
        "latin1-bytes",
        lambda: latin1_cell("gcp_billing_export", 3, "project.id", "contoso-ml-prod-équipe"),
        (NOT_UTF8, "byte 0xe9", "UTF-8"),
        3,
    ),
    BadInput(
        "gcp_billing_export",
        "wrong-source-azure-csv",
        lambda: source_fixture("azure_openai_cost"),
        ("missing expected column(s)", "Azure Cost Management export", "source 'azure_openai_cost'"),
        1,
    ),
]
