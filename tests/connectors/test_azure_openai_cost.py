"""Azure cost export: token meters only, Quantity x unit, region zone, cost kept."""

import csv
import io

import pytest

from apps.connectors.sources.azure_openai_cost import iter_chunks, parse_meter, unit_multiplier
from apps.connectors.sources.frames import combine
from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "azure_openai_cost"
FIXTURE = "cost_details_ea.csv"


def test_totals_match_hand_sums():
    frame = parse_bytes(KEY, fixture_bytes(KEY, FIXTURE), FIXTURE)
    t = totals(frame)
    # input: gpt-4o-0513 Inp, 864 x 1K = 864,000
    assert t["input_tokens"] == 864_000
    # output: 72.334 x 1K = 72,334 plus GPT-5.4 opt 0.25 x 1M = 250,000 -> 322,334
    assert t["output_tokens"] == 322_334
    # cached: gpt 4.1 cached Inp, 0.5 x 1M = 500,000
    assert t["cached_input_tokens"] == 500_000
    # cost of the 4 AI rows: 2.16 + 0.72 + 0.25 + 2.50 = 5.63 (the VM and image rows are skipped)
    assert t["cost"] == pytest.approx(5.63)
    assert frame.attrs["rows_skipped"] == 2 and frame.attrs["rows_read"] == 6
    assert set(frame["zone"]) == {"azure:eastus", "azure:swedencentral"}
    assert set(frame["model"]) == {"gpt-4o-0513", "gpt-4.1", "gpt-5.4"}
    row = frame[frame["model"] == "gpt-4o-0513"].iloc[0]
    assert (row["project"], row["team"], row["currency"]) == ("Contoso-Prod/rg-ai", "data", "EUR")


# EA cost details file, columns of Microsoft Learn "Enterprise Agreement cost and usage details file
# schema" (version 2024-08-01,
# https://learn.microsoft.com/en-us/azure/cost-management-billing/dataset-schema/cost-usage-details-ea),
# written as the portal download is: UTF-8 with a byte-order mark, CRLF, quoted tags with commas, empty
# optional columns. Embedding meter names as Azure bills them ("text-embedding-3-large-glbl Tokens",
# "embedding-ada-glbl Tokens", unit 1K): one meter, no input/output word.
EMBEDDINGS = "cost_details_ea_embeddings.csv"


def test_embedding_meters_are_input_tokens_of_the_embedding_model():
    frame = parse_bytes(KEY, fixture_bytes(KEY, EMBEDDINGS), EMBEDDINGS)
    t = totals(frame)
    embeddings = 1250.5 * 1000 + 300 * 1000 + 0.75 * 1000  # 1,250,500 + 300,000 + 750 = 1,551,250
    chat_input = 40 * 1000  # gpt-4o-0806 Inp glbl Tokens, 40 x 1K
    assert t["input_tokens"] == embeddings + chat_input == 1_591_250
    assert t["output_tokens"] == 5 * 1000  # gpt-4o-0806 Outp glbl Tokens, 5 x 1K
    assert t["cached_input_tokens"] == 0
    # the 5 token rows: 0.12505 + 0.092 + 0.046 + 0.0435 + 0.000075 = 0.306625 (DALL-E and storage skipped)
    assert t["cost"] == pytest.approx(0.306625)
    assert frame.attrs["rows_read"] == 7 and frame.attrs["rows_skipped"] == 2
    by_model = frame.groupby("model")[["input_tokens", "output_tokens"]].sum()
    assert by_model.loc["text-embedding-3-large"].tolist() == [1_250_500 + 300_000, 0]
    assert by_model.loc["embedding-ada"].tolist() == [750, 0]
    assert by_model.loc["gpt-4o-0806"].tolist() == [40_000, 5_000]
    assert set(frame["zone"]) == {"azure:westeurope", "azure:swedencentral"}
    row = frame[frame["zone"] == "azure:westeurope"].iloc[0]
    assert (row["project"], row["team"], row["currency"]) == ("Contoso-AI-Prod/rg-search", "search", "EUR")


@pytest.mark.parametrize(
    ("meter", "expected"),
    [
        ("gpt-4o-0513 Inp glbl Tokens", ("gpt-4o-0513", "input")),
        ("gpt-4o-mini-0718-outp-glbl Tokens", ("gpt-4o-mini-0718", "output")),
        ("gpt 4.1 cached Inp glbl Tokens", ("gpt-4.1", "cached")),
        ("gpt 4.1 Inp Data Zone Tokens", ("gpt-4.1", "input")),
        ("o1 mini input glbl 1K", ("o1-mini", "input")),
        ("Llama 3.3 70B Inp glbl Tokens", ("llama-3.3-70b", "input")),
        ("text-embedding-3-large-glbl Tokens", ("text-embedding-3-large", "input")),
        ("text-embedding-3-large-regional Tokens", ("text-embedding-3-large", "input")),
        ("embedding-ada-glbl Tokens", ("embedding-ada", "input")),
        ("D2s v3 1 Hour", None),
        ("gpt 4.1 hosting global Unit", None),
    ],
)
def test_meter_names(meter, expected):
    assert parse_meter(meter) == expected


def test_units():
    assert (unit_multiplier("1K"), unit_multiplier("1M Tokens"), unit_multiplier("Tokens")) == (1e3, 1e6, 1.0)
    assert unit_multiplier("1 Hour") is None


def _lines():
    return fixture_bytes(KEY, FIXTURE).decode().splitlines()


def test_bad_quantity_names_row_and_column():
    lines = _lines()
    lines[2] = lines[2].replace(",72.334,", ",seventy,")  # third line = data row 2 = CSV row 3
    err = refused(KEY, "\n".join(lines).encode(), "costs.csv")
    assert str(err) == "costs.csv, row 3, column 'Quantity': expected a number >= 0, got 'seventy'"


def test_bad_date_names_row():
    lines = _lines()
    lines[5] = lines[5].replace("08/02/2025", "2025-13-45")
    err = refused(KEY, "\n".join(lines).encode(), "costs.csv")
    assert "row 6, column 'Date'" in str(err) and "expected a date" in str(err)


def test_renamed_column_lists_missing_and_unknown():
    lines = _lines()
    lines[0] = lines[0].replace("MeterName", "Meter")
    err = refused(KEY, "\n".join(lines).encode(), "costs.csv")
    assert "missing expected column(s) 'MeterName'" in str(err)
    assert "'Meter'" in str(err)


def test_file_without_ai_meters_is_refused():
    lines = _lines()
    data = "\n".join([lines[0], lines[4]]).encode()
    err = refused(KEY, data, "costs.csv")
    assert "no Azure OpenAI / Foundry token meters" in str(err) and "Virtual Machines" in str(err)


# MCA cost details file, columns of Microsoft Learn "Microsoft Customer Agreement cost and usage details
# file schema" (version 2024-08-01,
# https://learn.microsoft.com/en-us/azure/cost-management-billing/dataset-schema/cost-usage-details-mca):
# camelCase names, both `resourceLocation` (the ARM region, "francecentral") and `location` (the
# normalised display name, "FR Central"), cost in billing (EUR), pricing and USD currencies. Field meanings:
# https://learn.microsoft.com/en-us/azure/cost-management-billing/automate/understand-usage-details-fields
# (ResourceLocation: datacenter location where the resource runs; Location (MCA): normalised location).
# BOM, CRLF, JSON tags with a quoted comma, empty optional columns.
MCA = "cost_details_mca.csv"


def test_mca_zone_is_the_arm_region_not_the_normalised_location():
    frame = parse_bytes(KEY, fixture_bytes(KEY, MCA), MCA)
    t = totals(frame)
    # input: gpt 4.1 Inp 2000 x 1K + text-embedding-3-large 800 x 1K + gpt-4o-mini Inp 1.2 x 1M
    assert t["input_tokens"] == 2_000_000 + 800_000 + 1_200_000 == 4_000_000
    assert t["cached_input_tokens"] == 500 * 1000  # gpt 4.1 cached Inp, 500 x 1K
    assert t["output_tokens"] == 150 * 1000  # gpt 4.1 Outp, 150 x 1K
    # costInBillingCurrency (EUR) of the 5 token rows, not costInUsd: 4.4 + 0.275 + 1.32 + 0.104 + 0.198
    assert t["cost"] == pytest.approx(6.297)
    assert set(frame["currency"]) == {"EUR"}
    assert frame.attrs["rows_read"] == 6 and frame.attrs["rows_skipped"] == 1  # the VM row
    by_zone = frame.groupby("zone")[["input_tokens", "cached_input_tokens", "output_tokens"]].sum()
    assert sorted(by_zone.index) == ["azure:francecentral", "azure:swedencentral"]
    assert by_zone.loc["azure:francecentral"].tolist() == [2_000_000 + 800_000, 500_000, 150_000]
    assert by_zone.loc["azure:swedencentral"].tolist() == [1_200_000, 0, 0]
    row = frame[frame["model"] == "gpt-4.1"].iloc[0]
    assert (row["project"], row["team"]) == ("Fabrikam-AI/rg-assist", "assist")


def test_mca_region_preferred_whatever_the_column_order():
    rows = list(csv.reader(io.StringIO(fixture_bytes(KEY, MCA).decode("utf-8-sig"))))
    first, second = rows[0].index("resourceLocation"), rows[0].index("location")
    for row in rows:  # `location` before `resourceLocation`
        row[first], row[second] = row[second], row[first]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    frame = parse_bytes(KEY, out.getvalue().encode(), MCA)
    assert set(frame["zone"]) == {"azure:francecentral", "azure:swedencentral"}


def test_several_hundred_mca_rows_in_small_chunks_keep_every_token():
    """420 rows of the MCA layout above, read 64 rows at a time: embedding and chat meters of two
    regions, plus VM rows; totals written out from the row counts, not from the parser."""
    rows = list(csv.reader(io.StringIO(fixture_bytes(KEY, MCA).decode("utf-8-sig"))))
    header, samples = rows[0], rows[1:]  # samples: 5 token rows then 1 VM row (see the fixture test)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for i in range(70):  # 70 copies of the 6 rows = 420 rows, dated 09/01 .. 09/28
        for row in samples:
            copy = list(row)
            copy[header.index("date")] = f"09/{i % 28 + 1:02d}/2025"
            writer.writerow(copy)
    frame = combine(iter_chunks(io.BytesIO(("\ufeff" + out.getvalue()).encode()), "big.csv", chunk_rows=64))
    t = totals(frame)
    assert frame.attrs["rows_read"] == 420 and frame.attrs["rows_skipped"] == 70
    assert t["input_tokens"] == 70 * 4_000_000 == 280_000_000
    assert t["cached_input_tokens"] == 70 * 500_000
    assert t["output_tokens"] == 70 * 150_000
    assert t["cost"] == pytest.approx(70 * 6.297)
    assert set(frame["zone"]) == {"azure:francecentral", "azure:swedencentral"}
    assert frame["day"].nunique() == 28
