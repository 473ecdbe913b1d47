"""A period under the revised ESRS (Annex I to Delegated Regulation C(2026) 5010): its catalogue, the figures it
shows and the ones it does not carry, the rules on which years may use it, the page and the exports.

The revised E1 read for apps/disclosures/catalogues/esrs_2026.json: paragraphs 25-42 and AR 18-32 of the adopted
annex (text extracted in the public repository themisiqco/themisiq, docs/reference/source/annex-i.txt), and the
act's Articles 2 and 3 (docs/reference/source/main-act.txt there)."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.accounts.models import Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.disclosures import catalogues, e1, services
from apps.disclosures.exports.ixbrl import render_ixbrl
from apps.disclosures.models import ReportingPeriod, Standard

from .test_e1_worked_example import EXPECTED, RECORDS

# The revised ids are paragraph references (no IG 3 list exists for them); each shows a Set 1 figure.
REVISED_SHOWS = {
    "E1-7 §26": "E1-5_01",
    "E1-7 §26(a)": "E1-5_02",
    "E1-7 §26(b)": "E1-5_03",
    "E1-7 §26(c)": "E1-5_05",
    "E1-8 §30(a)(ii) location-based": "E1-6_09",
    "E1-8 §30(a)(ii) market-based": "E1-6_10",
    "E1-8 §30(a)(iii)": "E1-6_11",
    "E1-8 §30(a)(iii) category 1": "E1-6_11/cat1",
    "E1-8 AR 24(g)": "E1-6_11/cloud",
    "E1-8 §30(a)(iii) category 3": "E1-6_11/cat3",  # upstream of the self-hosted compute's electricity
    "E1-10 §37(b)": "E1-8_04",
}
# Set 1 figures the revised E1 does not ask for: shares of the energy mix, renewable purchased electricity, the
# totals of the scopes, the primary-data share, the intensities and their net revenue, the shares priced.
NOT_CARRIED = {
    "E1-5_04",
    "E1-5_07",
    "E1-5_09",
    "E1-5_15",
    "E1-6_12",
    "E1-6_13",
    "E1-6_25",
    "E1-6_30",
    "E1-6_31",
    "E1-6_34",
    "E1-8_07",
    "E1-8_08",
}
CSV = (
    "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    "2025-04-01,openai,gpt-4o,100,50000,40000,dev@org-a.example,,FR,10,EUR\n"
    "2026-04-01,openai,gpt-4o,300,150000,120000,dev@org-a.example,,FR,30,EUR\n"
)


def test_the_revised_catalogue_shows_set1_figures_under_paragraph_ids_and_names_what_it_drops():
    revised = catalogues.load(e1.REVISED)
    assert {dp["id"]: dp["figure"] for dp in revised["datapoints"] if not dp.get("voluntary")} == REVISED_SHOWS
    assert all(dp["concept"] is None and not dp.get("dimension") for dp in revised["datapoints"])
    assert set(catalogues.not_carried(e1.REVISED)) == NOT_CARRIED
    assert all(why.strip() for why in catalogues.not_carried(e1.REVISED).values())
    # Every Set 1 figure is either shown by the revised catalogue or listed as not carried, never both.
    set1 = {dp["figure"] for dp in catalogues.load(e1.SET1)["datapoints"]}
    shown = {dp["figure"] for dp in revised["datapoints"]}
    assert shown | NOT_CARRIED == set1 and not shown & NOT_CARRIED
    # E1-8 is internal carbon pricing in Set 1 and the GHG emissions in the revised ESRS: titles per standard.
    assert catalogues.section_title(e1.SET1, "E1-8") == "E1-8 Internal carbon pricing"
    assert catalogues.section_title(e1.REVISED, "E1-8") == "E1-8 Gross scope 1, 2, 3 GHG emissions"


def test_the_worked_example_under_the_revised_catalogue():
    values = e1.figures(RECORDS, 1_000_000.0, 80.0)
    shown = e1.datapoints(values, {"E1-6_11": 0.08}, "esrs_e1", e1.REVISED)
    by_id = {d["id"]: d for d in shown}
    assert list(by_id) == list(REVISED_SHOWS)  # the voluntary ones need the multi-criteria columns
    for dp_id, figure in REVISED_SHOWS.items():
        assert by_id[dp_id]["figure"] == figure
        assert by_id[dp_id]["value"] == pytest.approx(EXPECTED[figure][0]), dp_id
    # 1,000 kWh own energy = 500 fossil + 300 nuclear + 200 renewable: E1-7 §26 and its split, in MWh
    assert [by_id[k]["value"] for k in ("E1-7 §26", "E1-7 §26(a)", "E1-7 §26(b)", "E1-7 §26(c)")] == pytest.approx(
        [1.0, 0.5, 0.3, 0.2]
    )
    # The comparative is matched on the figure: 0.1 t against 0.08 t is +25 %
    assert by_id["E1-8 §30(a)(iii)"]["comparative"] == 0.08
    assert by_id["E1-8 §30(a)(iii)"]["change_pct"] == pytest.approx(25.0)
    dropped = {row["figure"]: row for row in e1.not_carried(values, "esrs_e1", e1.REVISED)}
    assert set(dropped) == NOT_CARRIED
    assert dropped["E1-6_12"]["value"] == pytest.approx(0.3)  # 0.2 t Scope 2 location-based + 0.1 t Scope 3
    assert e1.not_carried(values, "esrs_e1", e1.SET1) == [] and e1.not_carried(values, "vsme_b3", e1.REVISED) == []
    changes = e1.standard_changes({"variant": "esrs_e1", "datapoints": shown, "not_carried": list(dropped.values())})
    row = next(r for r in changes if r["figure"] == "E1-6_30")
    assert row["revised"] is None and "intensity" in row["why"] and row["value"] == pytest.approx(3e-7)
    row = next(r for r in changes if r["figure"] == "E1-5_01")
    assert row["set1"]["id"] == "E1-5_01" and row["revised"]["id"] == "E1-7 §26" and row["value"] == 1.0


@pytest.fixture
def usage(org_a):
    org = org_a["org"]
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV.encode()), "api.csv")).pk)
    assert run.status == "succeeded", run.errors
    return org


@pytest.mark.django_db
def test_a_2026_period_under_the_revised_standard_compares_with_a_set1_year(usage, capsys):
    call_command("period", "create", "--org", "org-a", "--year", "2025")
    call_command("period", "create", "--org", "org-a", "--year", "2026", "--standard", "esrs_2026")
    assert "Revised ESRS" in capsys.readouterr().out
    previous = ReportingPeriod.objects.get(organisation=usage, end__year=2025)
    period = ReportingPeriod.objects.get(organisation=usage, end__year=2026)
    assert previous.standard == Standard.SET1_2023 and period.standard == Standard.REVISED_2026
    snapshot = services.build_snapshot(period)[0]
    assert snapshot["standard"] == "esrs_2026"
    by_id = {d["id"]: d for d in snapshot["datapoints"]}
    assert "E1-6_11" not in by_id and "E1-6_12" not in by_id
    set1_2025 = {d["id"]: d["value"] for d in services.build_snapshot(previous)[0]["datapoints"]}
    # Scope 3 of 2026 (three times 2025's tokens of the same model and zone) against 2025's E1-6_11
    scope3 = by_id["E1-8 §30(a)(iii)"]
    assert set1_2025["E1-6_11"] > 0 and scope3["comparative"] == set1_2025["E1-6_11"]
    assert scope3["value"] == pytest.approx(3 * set1_2025["E1-6_11"], rel=1e-6)
    assert {row["figure"] for row in snapshot["not_carried"]} == NOT_CARRIED - {"E1-8_07", "E1-8_08"}
    assert any("financial control" in a for a in snapshot["methodology"]["assumptions"])
    # The same records under Set 1 give the same figures under the Set 1 ids.
    services.update_inputs(period, None, standard=Standard.SET1_2023)
    again = {d["id"]: d["value"] for d in services.build_snapshot(period)[0]["datapoints"]}
    assert again["E1-6_11"] == scope3["value"] and again["E1-6_12"] == next(
        row["value"] for row in snapshot["not_carried"] if row["figure"] == "E1-6_12"
    )


@pytest.mark.django_db
def test_the_revised_standard_is_refused_before_2026(usage):
    with pytest.raises(services.DisclosureError, match="starting on or after 1 January 2026"):
        services.create_period(usage, None, dt.date(2025, 1, 1), dt.date(2025, 12, 31), standard="esrs_2026")
    with pytest.raises(CommandError, match=r"C\(2026\) 5010"):
        call_command("period", "create", "--org", "org-a", "--year", "2025", "--standard", "esrs_2026")
    assert not ReportingPeriod.objects.filter(organisation=usage).exists()
    period = services.create_period(usage, None, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    with pytest.raises(services.DisclosureError, match="report it under ESRS Set 1"):
        services.update_inputs(period, None, standard="esrs_2026")


@pytest.mark.django_db
def test_the_page_shows_what_changes_and_the_exports_name_the_standard(usage, org_a, client_for):
    officer = org_a["users"][Role.OFFICER]
    client = client_for(officer)
    client.post(
        reverse("disclosures:periods", args=["org-a"]),
        {"start": "2026-01-01", "end": "2026-12-31", "variant": "esrs_e1", "standard": "esrs_2026"},
    )
    period = ReportingPeriod.objects.get(organisation=usage)
    page = client.get(reverse("disclosures:period", args=["org-a", period.pk])).content.decode()
    assert 'id="period-standard"' in page and "Revised ESRS (Delegated Regulation C(2026) 5010)" in page
    assert "E1-8 §30(a)(iii)" in page and 'id="standard-changes"' in page and "Not carried" in page
    assert "No GHG intensity per net revenue in the revised E1" in page and 'id="revised-applies"' not in page
    assert 'id="revised-not-computed"' in page and "E1 §30(c)" in page  # the group split needs the entity's data
    xhtml = render_ixbrl(services.build_snapshot(period)[0]).decode()
    assert "ix:nonFraction" not in xhtml  # no taxonomy for the revised ESRS: nothing is tagged
    assert "<h2>E1-8 Gross scope 1, 2, 3 GHG emissions</h2>" in xhtml and "C(2026) 5010" in xhtml
    # A Set 1 year that begins in 2027 is told that the revised ESRS apply to it (Art. 3).
    later = services.create_period(usage, officer, dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    page = client.get(reverse("disclosures:period", args=["org-a", later.pk])).content.decode()
    assert 'id="revised-applies"' in page and "What would change under the revised ESRS" in page


@pytest.mark.django_db
def test_a_restatement_keeps_the_standard_and_compares_figure_by_figure(usage, org_a):
    admin = usage.memberships.get(role=Role.ADMIN)
    period = services.create_period(usage, None, dt.date(2026, 1, 1), dt.date(2026, 12, 31), standard="esrs_2026")
    services.submit_for_review(period, admin)
    signed = services.sign_off(period, admin, comment="revised ESRS, FY2026 (Art. 2)")
    new = services.reopen(signed, admin, "a late invoice")
    assert new.standard == Standard.REVISED_2026
    rows = {r["id"]: r for r in services.differences(signed.snapshot, services.build_snapshot(new)[0])}
    assert rows["E1-8 §30(a)(iii)"]["old"] == rows["E1-8 §30(a)(iii)"]["new"] > 0
