"""No NaN or infinity reaches any output (issue 19): an organisation whose figures force every division by zero
the product has — zero net revenue (intensities), zero seats and zero active user-days (per-seat cost, ROI), a
month with zero requests but some CO2e (rebound's intensity change), a period with no records (zero energy for
every share, zero baseline) — and every API answer, snapshot and export scanned for a non-finite token.

And every figure left undefined says why (issue 19): the API's objects name each null figure in their
`not_defined` map, the snapshot's datapoints too; the CSV and XLSX carry the reason in a `not_defined` column, the
PDF and the iXBRL print it under the datapoint (the iXBRL tags no fact for it)."""

import csv
import datetime as dt
import html
import io
import json
import math
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from apps.accounts.models import Membership, Role
from apps.api.not_defined import COST_IS_ZERO, NO_SEAT_FILE
from apps.costs.models import Licence, RoiAssumption
from apps.disclosures import e1, services

from ..disclosures.test_e1_figures import CODECARBON, load

pytestmark = pytest.mark.django_db

# A month (May) whose API rows carry tokens but zero requests: CO2e over zero activity in the rebound table.
GENERIC = (
    "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    "2025-04-01,openai,gpt-4o,1000,500000,400000,,,US,100,USD\n"
    "2025-05-01,openai,gpt-4o,0,500000,400000,,,US,0,USD\n"
)
# A number token spelled as Python or JavaScript writes a non-finite float.
NON_FINITE = re.compile(r"(?<![A-Za-z])(nan|-?inf(inity)?)(?![A-Za-z])", re.IGNORECASE)


def _refuse(token):
    raise AssertionError(f"non-finite JSON constant {token}")


def _json(text, where):
    """Parse JSON refusing NaN/Infinity, and walk it for a float that is not finite."""
    data = json.loads(text, parse_constant=_refuse)
    _walk(data, where)
    return data


def _walk(node, where):
    if isinstance(node, dict):
        for key, value in node.items():
            _walk(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk(value, f"{where}[{i}]")
    elif isinstance(node, float | Decimal):
        assert math.isfinite(node), f"{where}: {node}"


def _cells(value, where):
    """A CSV or XLSX cell: a float must be finite, text must not read as nan/inf."""
    if isinstance(value, float):
        assert math.isfinite(value), f"{where}: {value}"
    elif isinstance(value, str):
        assert not NON_FINITE.fullmatch(value.strip()), f"{where}: {value!r}"


def _csv(data: bytes, where) -> int:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            _cells(cell, f"{where} row {r + 1} col {c + 1}")
    return len(rows)


def _xlsx(data: bytes, where) -> int:
    book = load_workbook(io.BytesIO(data), read_only=True)
    count = 0
    for sheet in book.worksheets:
        for r, row in enumerate(sheet.iter_rows(values_only=True)):
            for c, cell in enumerate(row):
                _cells(cell, f"{where} {sheet.title}!R{r + 1}C{c + 1}")
                count += 1
    return count


def _pdf(data: bytes, where) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    found = NON_FINITE.findall(text)
    assert not found, f"{where}: {found}"
    return text


def _ixbrl(data: bytes, where) -> int:
    """Every ix:nonFraction fact is a finite number (its text, with the thousands separators removed)."""
    text = data.decode()
    facts = re.findall(r"<ix:nonFraction\b[^>]*>(.*?)</ix:nonFraction>", text, re.DOTALL)
    for fact in facts:
        value = re.sub(r"<[^>]+>", "", fact).replace(",", "").replace("\u202f", "").replace(" ", "").strip()
        assert math.isfinite(float(value)), f"{where}: {fact!r}"
    assert not NON_FINITE.search(re.sub(r"<[^>]+>", " ", text)), f"{where}: a non-finite word in the text"
    return len(facts)


# Null fields of the cost answers that are inputs or names, not figures: no reason is owed for them.
NOT_FIGURES = {"name", "period_id", "carbon_price_eur_per_t", "manual_active_user_days", "zone"}


def _every_null_figure_has_its_reason(node, where) -> int:
    """Walk an API answer: in every object, each null figure is a key of its `not_defined` map, with a sentence;
    `not_defined` names no field that is not null. Returns how many reasons were seen."""
    seen = 0
    if isinstance(node, dict):
        reasons = node.get("not_defined", {})
        nulls = {k for k, v in node.items() if v is None and k not in NOT_FIGURES}
        assert nulls <= set(reasons), f"{where}: {sorted(nulls - set(reasons))} null without a reason"
        assert set(reasons) <= {k for k, v in node.items() if v is None}, f"{where}: {reasons}"
        assert all(why.startswith("Not defined") for why in reasons.values()), f"{where}: {reasons}"
        seen += len(reasons)
        for key, value in node.items():
            seen += _every_null_figure_has_its_reason(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            seen += _every_null_figure_has_its_reason(value, f"{where}[{i}]")
    return seen


def _datapoint_reasons(snapshot, where) -> dict:
    """id -> not_defined of each datapoint; each null value, and each null change with a comparative, has one."""
    out = {}
    for dp in snapshot["datapoints"]:
        why = dp["not_defined"]
        assert (dp["value"] is None) == ("value" in why), (where, dp["id"], why)
        assert (dp["change_pct"] is None and dp["comparative"] is not None) <= ("change_pct" in why), (where, dp)
        out[dp["id"]] = why
    return out


def _text(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _every_export(period, label):
    """Render the period's exports and scan each; each undefined figure's reason is printed beside it in the
    CSV, XLSX, PDF and iXBRL. Returns the snapshot, its datapoints by id, for the caller's own checks."""
    exported = _json(services.render(period, "json"), f"{label}.json")
    snapshot = services.snapshot_of(period)[0]
    reasons = _datapoint_reasons(snapshot, label)
    assert {dp: fig["not_defined"] for dp, fig in exported.items()} == reasons
    expected = {
        dp: " ".join(why[f] for f in ("value", "comparative", "change_pct") if f in why) for dp, why in reasons.items()
    }
    assert any(expected.values()), f"{label}: no figure is undefined, so nothing is tested"
    data = services.render(period, "csv")
    assert _csv(data, f"{label}.csv") > 1
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {row["id"]: row["not_defined"] for row in rows} == expected
    data = services.render(period, "xlsx")
    assert _xlsx(data, f"{label}.xlsx") > 10
    sheet = load_workbook(io.BytesIO(data), read_only=True)["Datapoints"]
    header, *cells = list(sheet.iter_rows(values_only=True))
    column = header.index("not_defined")
    assert {row[0]: row[column] or "" for row in cells} == expected
    pdf = _text(_pdf(services.render(period, "pdf"), f"{label}.pdf"))
    xhtml = services.render(period, "xhtml").decode()
    _ixbrl(xhtml.encode(), f"{label}.xhtml")
    document = _text(re.sub(r"<[^>]+>", " ", xhtml))
    for dp, text in expected.items():
        for sentence in filter(None, re.split(r"(?<=\.) ", text)):
            assert sentence in pdf, (label, dp, sentence)
            assert sentence in document, (label, dp, sentence)
    by_id = {dp["id"]: dp for dp in snapshot["datapoints"]}
    for dp in (d for d, why in reasons.items() if "value" in why and by_id[d]["xbrl_concept"]):
        concept = by_id[dp]["xbrl_concept"]
        # No fact for an undefined figure: its concept is tagged only for the comparative, if at all.
        assert not re.search(rf'name="{re.escape(concept)}"[^>]*contextRef="FY"', xhtml), (label, dp)
    archive = zipfile.ZipFile(io.BytesIO(services.render(period, "evidence")))
    for name in archive.namelist():
        if name.endswith(".csv"):
            _csv(archive.read(name), f"{label} evidence/{name}")
        elif name.endswith(".json"):
            _json(archive.read(name), f"{label} evidence/{name}")
    return {dp: {**fig, **by_id[dp]} for dp, fig in exported.items()}


@pytest.fixture
def zeroes(org_a):
    org = org_a["org"]
    load(org, CODECARBON, "emissions.csv", "codecarbon_emissions")
    load(org, GENERIC, "api.csv", "generic_csv")
    year = {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31)}
    Licence.objects.create(
        organisation=org, tool="github_copilot", price_per_seat_month=Decimal("19"), seats_bought=0, **year
    )
    Licence.objects.create(
        organisation=org, tool="m365_copilot", price_per_seat_month=Decimal("28"), seats_bought=0, **year
    )
    hours = {f"hourly_cost_{k}_eur": Decimal("50") for k in ("low", "central", "high")}
    minutes = {f"minutes_saved_{k}": Decimal("10") for k in ("low", "central", "high")}
    RoiAssumption.objects.create(
        organisation=org,
        tool="github_copilot",
        active_days_source="manual",
        manual_active_user_days=0,
        **hours,
        **minutes,
    )
    RoiAssumption.objects.create(organisation=org, tool="m365_copilot", **hours, **minutes)
    officer = Membership.objects.get(user=org_a["users"][Role.OFFICER])
    # The empty year first, so 2025's comparative change % is against a zero baseline.
    empty = services.create_period(org, None, dt.date(2024, 1, 1), dt.date(2024, 12, 31), net_revenue_eur=0)
    zero_revenue = services.create_period(
        org, None, dt.date(2025, 1, 1), dt.date(2025, 12, 31), net_revenue_eur=0, internal_carbon_price_eur_per_t=0
    )
    return {
        "org": org,
        "zero_revenue": services.sign_off(zero_revenue, officer, "Filed", accept_unverified=True),
        "empty": empty,
        "users": org_a["users"],
    }


def test_no_api_answer_carries_a_non_finite_number(zeroes, client_for):
    org = zeroes["org"]
    client = client_for(zeroes["users"][Role.AUDITOR])
    windows = [{}, {"start": "2025-01-01", "end": "2025-12-31"}, {"start": "2024-01-01", "end": "2024-12-31"}]
    asked = 0
    for window in windows:
        for name, extra in [
            ("summary", {}),
            ("seats", {}),
            ("roi", {}),
            ("right_sizing", {"share": "0"}),
            ("right_sizing", {"share": "100"}),
            ("rebound", {"basis": "requests"}),
            ("rebound", {"basis": "active_user_days"}),
            ("reconciliation", {}),
        ]:
            answer = client.get(reverse(f"costs_api:{name}", args=[org.slug]), {**window, **extra})
            assert answer.status_code == 200, (name, window, extra, answer.content[:300])
            _json(answer.content, f"{name}{window}{extra}")
            asked += 1
    for pk in (zeroes["zero_revenue"].pk, zeroes["empty"].pk):
        for route in ("api:period", "api:disclosure"):
            answer = client.get(reverse(route, args=[org.slug, pk]))
            assert answer.status_code == 200, (route, pk, answer.content[:300])
            _json(answer.content, f"{route}/{pk}")
            asked += 1
    summary = client.get(reverse("api:summary", args=[org.slug]))
    assert summary.status_code == 200
    _json(summary.content, "api:summary")
    assert asked == 28
    reasons = 0
    for window in windows:
        for name in ("seats", "roi", "right_sizing", "rebound", "reconciliation"):
            answer = client.get(reverse(f"costs_api:{name}", args=[org.slug]), window)
            reasons += _every_null_figure_has_its_reason(answer.json(), f"{name}{window}")
    assert reasons > 0
    for pk in (zeroes["zero_revenue"].pk, zeroes["empty"].pk):
        snapshot = client.get(reverse("api:disclosure", args=[org.slug, pk])).json()["snapshot"]
        assert _datapoint_reasons(snapshot, f"api:disclosure/{pk}")["E1-6_30"]["value"] == e1.REVENUE_IS_ZERO
    year = {"start": "2025-01-01", "end": "2025-12-31"}
    seats = _json(client.get(reverse("costs_api:seats", args=[org.slug]), year).content, "seats")
    # Zero seats bought: no cost per seat or utilisation — the figures are absent, not a division by zero.
    assert [(lic["seats_bought"], lic["figures"]) for lic in seats["licences"]] == [(0, None), (0, None)]
    assert [lic["not_defined"]["figures"] for lic in seats["licences"]] == [NO_SEAT_FILE, NO_SEAT_FILE]
    roi = _json(client.get(reverse("costs_api:roi", args=[org.slug]), year).content, "roi")
    copilot = next(tool for tool in roi["tools"] if tool["tool"] == "github_copilot")
    assert copilot["active_user_days"] == 0 and copilot["roi"]["central"]["cost_eur"] == 0
    assert {copilot["roi"][case]["roi_pct"] for case in ("low", "central", "high")} == {None}
    assert {copilot["roi"][case]["not_defined"]["roi_pct"] for case in ("low", "central", "high")} == {COST_IS_ZERO}


def test_the_rebound_of_a_zero_activity_month_is_not_defined_not_infinite(zeroes, client_for):
    client = client_for(zeroes["users"][Role.AUDITOR])
    answer = client.get(reverse("costs_api:rebound", args=[zeroes["org"].slug]), {"start": "2025-01-01"})
    months = {m["month"]: m for m in _json(answer.content, "rebound")["months"]}
    # May: 0 requests, CO2e from 900,000 tokens — an intensity per request has no value that month.
    assert months["2025-05"]["activity"] == 0 and months["2025-05"]["co2e_kg"] > 0
    assert months["2025-05"]["intensity_kg"] is None  # not defined (was NaN, then a 500 from the JSON encoder)
    assert months["2025-05"]["not_defined"] == {
        "intensity_kg": "Not defined: the month has no activity of the basis (a division by zero)."
    }
    assert months["2025-04"]["not_defined"] == {}
    assert months["2025-04"]["intensity_kg"] == pytest.approx(months["2025-04"]["co2e_kg"] / 1000)


def test_intensities_over_zero_revenue_are_not_defined_in_every_export(zeroes):
    exported = _every_export(zeroes["zero_revenue"], "zero-revenue")
    # E1-6 §53: GHG intensity per net revenue (location- and market-based); zero revenue leaves it undefined.
    assert exported["E1-6_34"]["value"] == 0
    assert [exported[dp]["value"] for dp in ("E1-6_30", "E1-6_31")] == [None, None]
    assert exported["E1-6_30"]["not_defined"] == {
        "value": "Not defined: the net revenue is zero (a division by zero).",
        "comparative": "Not defined in the comparative period.",  # 2024: zero revenue too
        "change_pct": "Change not defined: the comparative value is not defined.",
    }
    # 2024 used no energy: 2025's change from it is undefined, and says so.
    assert exported["E1-5_01"]["comparative"] == 0
    assert exported["E1-5_01"]["not_defined"] == {"change_pct": "Change not defined: the comparative value is zero."}
    assert exported["E1-5_01"]["value"] > 0  # the period does have energy: only the intensities are undefined


def test_a_period_without_records_renders_no_non_finite_figure(zeroes):
    exported = _every_export(zeroes["empty"], "empty")
    # Zero energy: every share of it (unit %) is undefined, and no total is a number over nothing.
    shares = {dp: fig["value"] for dp, fig in exported.items() if fig.get("unit") == "%"}
    assert shares and set(shares.values()) == {None}, shares
    reasons = {dp: exported[dp]["not_defined"]["value"] for dp in shares}
    assert reasons == {
        "E1-5_04": "Not defined: the total energy consumption is zero, so it has no shares.",
        "E1-5_09": "Not defined: the total energy consumption is zero, so it has no shares.",
        "E1-5_15": "Not defined: the total energy consumption is zero, so it has no shares.",
        "E1-6_25": "Not defined: the Scope 3 GHG emissions are zero, so they have no shares.",
    }
    assert exported["E1-5_01"]["value"] == 0


def test_the_period_page_says_why_a_figure_is_not_defined_in_either_language(zeroes, client_for):
    client = client_for(zeroes["users"][Role.AUDITOR])
    url = reverse("disclosures:period", args=[zeroes["org"].slug, zeroes["empty"].pk])
    english = client.get(url).content.decode()
    assert english.count("Not defined: the total energy consumption is zero, so it has no shares.") == 3
    french = html.unescape(client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert french.count("Non défini : la consommation totale d'énergie est nulle") == 3, "E1-5_04, _09 and _15"
    assert "Non défini : les émissions de GES du scope 3 sont nulles" in french


def test_a_snapshot_frozen_before_the_reasons_gets_them_from_its_own_datapoints():
    """Signed-off snapshots are never rewritten: one frozen before issue 19 has no not_defined, and the exports work
    its values' reasons out from its datapoints (net revenue is E1-6_34's value)."""
    from apps.disclosures.exports._common import not_defined

    def dp(figure, value):
        return {"id": figure, "figure": figure, "value": value, "comparative": None, "change_pct": None}

    for revenue, why in ((0.0, e1.REVENUE_IS_ZERO), (None, e1.REVENUE_NOT_GIVEN)):
        frozen = {"datapoints": [dp("E1-5_01", 0.0), dp("E1-5_04", None), dp("E1-6_34", revenue), dp("E1-6_30", None)]}
        assert not_defined(frozen) == [
            {},
            {"value": e1.ENERGY_IS_ZERO},
            {} if revenue is not None else {"value": e1.REVENUE_NOT_GIVEN},
            {"value": why},
        ]
