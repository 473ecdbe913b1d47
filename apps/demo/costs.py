"""Cost inputs for the demo organisation: licences, model prices, ROI inputs and frugality assessments.

With the demo year loaded (apps.demo.loader.load_demo_usage) the cost pages then show idle Copilot seats,
a positive ROI (GitHub Copilot, Microsoft 365 Copilot) and a negative one (ChatGPT Enterprise, little used),
and a right-sizing suggestion (Marketing's simple prompts on gpt-4o -> gpt-4o-mini). Idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from apps.accounts.models import Team
from apps.costs import calc
from apps.costs.cost import usd_per_unit_float
from apps.costs.defaults import default_inputs
from apps.costs.models import ActiveDaysSource, FrugalityAssessment, Licence, ModelPrice, RoiAssumption, Tool
from apps.costs.seats import seat_table
from apps.footprint.models import UsageRecord

from .chatgpt import CHATGPT_DEMO_SEATS

# USD list prices per million tokens (input, output, cached input) as the demo's gateway uses them; converted
# to EUR with the factor set's ECB rate. Cached prices for Gemini are a demo assumption (25 % of input).
DEMO_API_PRICES_USD = {
    ("openai", "gpt-4o"): (2.5, 10.0, 1.25),
    ("openai", "gpt-4o-mini"): (0.15, 0.6, 0.075),
    ("openai", "gpt-4.1"): (2.0, 8.0, 0.5),
    ("openai", "gpt-4.1-mini"): (0.4, 1.6, 0.1),
    ("openai", "gpt-4.1-nano"): (0.1, 0.4, 0.025),
    ("anthropic", "claude-sonnet-4-5"): (3.0, 15.0, 0.3),
    ("anthropic", "claude-haiku-4-5"): (1.0, 5.0, 0.1),
    ("google", "gemini-2.5-pro"): (1.25, 10.0, 0.3125),
    ("google", "gemini-2.5-flash"): (0.3, 2.5, 0.075),
    ("google", "gemini-2.5-flash-lite"): (0.1, 0.4, 0.025),
}
# (tool, plan, seat source, USD per seat per month, extra unassigned seats); ChatGPT Enterprise has no public
# list price: 60 USD is a demo assumption.
DEMO_LICENCES = (
    (Tool.GITHUB_COPILOT, "Business", "github_copilot_seats", 19, 10),
    (Tool.M365_COPILOT, "Microsoft 365 Copilot", "m365_copilot_usage", 30, 0),
    (Tool.CHATGPT_ENTERPRISE, "Pilot, Legal and Marketing", "chatgpt_enterprise_analytics", 60, None),
)
CHATGPT_SEATS = CHATGPT_DEMO_SEATS  # the pilot's seats, as many as the demo's ChatGPT export lists
CHATGPT_ACTIVE_USER_DAYS_PER_YEAR = 1200  # the pilot is little used: about 8 active days a seat a year


def _q(value: float, places: str = "0.0001") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places))


@transaction.atomic
def seed_demo_costs(org, year: int | None = None) -> dict:
    """Create (or refresh) the demo's cost inputs for `year` (default: the year of its latest usage)."""
    if year is None:
        last = UsageRecord.objects.for_org(org).aggregate(last=Max("day"))["last"] or dt.date.today()
        year = last.year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rates = usd_per_unit_float(org)
    eur_per_usd = rates["USD"] / rates["EUR"]
    for (provider, model), (inp, out, cached) in DEMO_API_PRICES_USD.items():
        ModelPrice.objects.update_or_create(
            organisation=org,
            provider=provider,
            model=model,
            valid_from=start,
            defaults={
                "input_eur_per_mtok": _q(inp * eur_per_usd),
                "output_eur_per_mtok": _q(out * eur_per_usd),
                "cached_eur_per_mtok": _q(cached * eur_per_usd),
                "source": f"Provider list price in USD (demo), converted at {eur_per_usd:.4f} EUR/USD",
            },
        )
    for tool, plan, source, usd, extra in DEMO_LICENCES:
        table, _ = seat_table(org, source)
        seats = CHATGPT_SEATS if extra is None else (len(table) if table is not None else 20) + extra
        Licence.objects.update_or_create(
            organisation=org,
            tool=tool,
            period_start=start,
            defaults={
                "name": plan,
                "seat_source_key": source,
                "price_per_seat_month": Decimal(usd),
                "currency": "USD",
                "seats_bought": seats,
                "period_end": end,
                "note": "Demo: list price" if tool != Tool.CHATGPT_ENTERPRISE else "Demo: price not public, assumption",
            },
        )
    for tool in (Tool.GITHUB_COPILOT, Tool.M365_COPILOT, Tool.CHATGPT_ENTERPRISE, Tool.API):
        fields = default_inputs(tool)
        if tool == Tool.CHATGPT_ENTERPRISE:
            fields.update(
                active_days_source=ActiveDaysSource.MANUAL, manual_active_user_days=CHATGPT_ACTIVE_USER_DAYS_PER_YEAR
            )
        RoiAssumption.objects.update_or_create(organisation=org, tool=tool, team=None, defaults=fields)
    teams = {t.name: t for t in Team.objects.for_org(org)}
    assessments = (
        (
            "Marketing copy drafting through the gateway (gpt-4o)",
            "Marketing",
            {
                "need_for_ai": "partly",
                "model_size": "no",
                "good_practices": "partly",
                "measurement": "yes",
                "usage_caps": "no",
                "rebound": "partly",
            },
            "Short, simple prompts sent to a large model; a smaller model (gpt-4o-mini) was not tried. No quota.",
        ),
        (
            "Customer support triage bot",
            "Customer Support",
            {
                "need_for_ai": "yes",
                "model_size": "yes",
                "good_practices": "yes",
                "measurement": "yes",
                "usage_caps": "partly",
                "rebound": "yes",
            },
            "Rules-based routing was tried first; the bot moved from gpt-4o to gpt-4o-mini during the year.",
        ),
    )
    for use_case, team, answers, notes in assessments:
        score, reasons = calc.frugality_score(answers)
        FrugalityAssessment.objects.update_or_create(
            organisation=org,
            use_case=use_case,
            assessed_on=end,
            defaults={"team": teams.get(team), "notes": notes, "score": score, "reasons": reasons, **answers},
        )
    return {
        "year": year,
        "licences": Licence.objects.for_org(org).count(),
        "prices": ModelPrice.objects.for_org(org).count(),
    }
