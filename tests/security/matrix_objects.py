"""One object of every kind a route can address, for one organisation, built with the project's own services.

Used by the isolation matrix (test_isolation_matrix.py): each organisation gets the same set, so a route is
tried on its own organisation's objects (must work) and on the other's (must be refused). Two years of
usage: 2024 is a signed-off period (with an export kept), 2025 an open draft.
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from apps.accounts.models import ApiToken, Membership, Role
from apps.accounts.services import add_member, create_organisation, create_team, save_person
from apps.connectors import ingestion
from apps.connectors.mapping import save_mapping
from apps.connectors.pull.service import add_credential
from apps.connectors.storage import store_upload
from apps.costs import services as costs
from apps.costs.models import Tool
from apps.disclosures import services as disclosures
from apps.footprint import services as footprint

PASSWORD = "correct-horse-battery-staple"
SIGNED_YEAR, OPEN_YEAR = 2024, 2025


def usage_csv(slug: str) -> bytes:
    """Records on both years, by a person known by e-mail and by a login ("jdoe") that a mapping resolves."""
    header = "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    rows = [
        f"{SIGNED_YEAR}-03-01,openai,gpt-4o,100,50000,40000,dev@{slug}.example,Platform,FR,10,EUR",
        f"{SIGNED_YEAR}-06-01,anthropic,claude-3-5-sonnet-20241022,20,8000,6000,jdoe,,DE,3,EUR",
        f"{OPEN_YEAR}-03-01,openai,gpt-4o,100,50000,40000,dev@{slug}.example,Platform,FR,10,EUR",
        f"{OPEN_YEAR}-06-01,anthropic,claude-3-5-sonnet-20241022,20,8000,6000,jdoe,,DE,3,EUR",
    ]
    return (header + "\n".join(rows) + "\n").encode()


@dataclass
class OrgWorld:
    """An organisation, a user per role, and `objects`: kind -> one object of that kind."""

    org: object
    users: dict
    objects: dict = field(default_factory=dict)
    # Objects tied to the signed-off period (its records, the period itself), by kind.
    signed: dict = field(default_factory=dict)

    def membership(self, role):
        return Membership.objects.get(organisation=self.org, user=self.users[role])


def build_org(slug: str) -> OrgWorld:
    """Create the organisation `slug` with a member of every role and one object of every kind."""
    org = create_organisation(slug, f"Organisation {slug.upper()}")
    # The matrix checks tenancy, not four eyes: any rightful signer may sign the open period (test_four_eyes.py).
    org.single_signer_allowed = True
    org.save(update_fields=["single_signer_allowed"])
    users = {role: add_member(org, f"{role}@{slug}.example", role, password=PASSWORD)[0].user for role in Role.values}
    world = OrgWorld(org=org, users=users)
    officer = users[Role.OFFICER]
    team = create_team(org, "Platform")
    person = save_person(org, f"dev@{slug}.example", "A Developer", team)
    spare_team = create_team(org, "Spare")
    spare_person = save_person(org, f"spare@{slug}.example", "A Spare", spare_team)

    source_file = store_upload(org, io.BytesIO(usage_csv(slug)), "usage.csv", user=officer)
    run = ingestion.execute_run(ingestion.create_run(org, "generic_csv", source_file, user=officer).pk)
    assert run.status == "succeeded", run.errors
    save_mapping(org, officer, "person", "jdoe", person=person)
    mapping = org_rows(org, "connectors.IdentityMapping").get(value="jdoe")

    instrument_fields = {
        "kind": "GO",
        "mwh": Decimal("1.000"),
        "zone": "FR",
        "gco2e_per_kwh": Decimal("0"),
        "energy_source": "renewable",
        "supplier": "",
        "reference": "",
    }
    signed_instrument = footprint.add_instrument(
        org,
        officer,
        period_start=dt.date(SIGNED_YEAR, 1, 1),
        period_end=dt.date(SIGNED_YEAR, 12, 31),
        **instrument_fields,
    )
    instrument = footprint.add_instrument(
        org, officer, period_start=dt.date(OPEN_YEAR, 1, 1), period_end=dt.date(OPEN_YEAR, 12, 31), **instrument_fields
    )

    signed_period = disclosures.create_period(org, officer, dt.date(SIGNED_YEAR, 1, 1), dt.date(SIGNED_YEAR, 12, 31))
    # four eyes: the officer submits, the admin signs off
    signed_period = disclosures.submit_for_review(signed_period, world.membership(Role.OFFICER))
    signed_period = disclosures.sign_off(signed_period, world.membership(Role.ADMIN), "Filed")
    disclosures.export(signed_period, "csv", officer)  # kept as a PeriodExport row
    period = disclosures.create_period(org, officer, dt.date(OPEN_YEAR, 1, 1), dt.date(OPEN_YEAR, 12, 31))

    credential = add_credential(org, vendor="openai", label="Main", secret=f"sk-admin-{slug}-secret", user=officer)
    costs.save_licence(
        org,
        officer,
        tool=Tool.GITHUB_COPILOT,
        name="Business",
        seat_source_key="",
        price_per_seat_month=Decimal("19.00"),
        currency="EUR",
        seats_bought=10,
        period_start=dt.date(OPEN_YEAR, 1, 1),
        period_end=dt.date(OPEN_YEAR, 12, 31),
        note="",
    )
    costs.add_model_price(
        org,
        officer,
        provider="openai",
        model="gpt-4o",
        input_eur_per_mtok=Decimal("2.5"),
        output_eur_per_mtok=Decimal("10"),
        cached_eur_per_mtok=Decimal("1.25"),
        valid_from=dt.date(OPEN_YEAR, 1, 1),
        source="price list",
    )
    costs.save_roi_assumption(
        org,
        officer,
        Tool.GITHUB_COPILOT,
        team=None,
        minutes_saved_low=Decimal("5"),
        minutes_saved_central=Decimal("10"),
        minutes_saved_high=Decimal("20"),
        hourly_cost_low_eur=Decimal("40"),
        hourly_cost_central_eur=Decimal("60"),
        hourly_cost_high_eur=Decimal("80"),
    )
    costs.add_frugality_assessment(
        org,
        officer,
        use_case="Support bot",
        team=team,
        assessed_on=dt.date(OPEN_YEAR, 5, 1),
        need_for_ai="yes",
        model_size="partly",
        good_practices="yes",
        measurement="no",
        usage_caps="no",
        rebound="partly",
        notes="",
    )
    footprint.save_residual_mix(
        org,
        officer,
        footprint.parse_residual_rows(f"FR,{OPEN_YEAR},50,entered"),
        "matrix test",
        str(OPEN_YEAR),
        "CC-BY-4.0",
    )
    token, _raw = ApiToken.issue(officer, "matrix")

    world.objects = {
        "team": spare_team,
        "person": person,
        "run": run,
        "mapping": mapping,
        "credential": credential,
        "period": period,
        "instrument": instrument,
        "api_token": token,
        "spare_person": spare_person,
    }
    # Every object here touches the signed-off year: its records' person and team, the run that loaded
    # them, the mapping that attributes them, an instrument covering it, the period itself.
    world.signed = {**world.objects, "team": team, "period": signed_period, "instrument": signed_instrument}
    return world


def org_rows(org, label: str):
    """The organisation's rows of the model `app_label.ModelName`."""
    from django.apps import apps

    return apps.get_model(label).objects.filter(organisation=org)
