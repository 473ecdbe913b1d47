"""The GHG contribution (exports/contribution.py) as an xBRL-JSON report (XBRL Open Information Model,
https://xbrl.org/2021/xbrl-json): the same rows per GHG category, as facts a reporting tool that reads XBRL
consolidates into the entity's own inventory.

Facts (every one the AI usage part of its concept, never the entity's total):
- Scope 2 (self-hosted compute): esrs:GrossLocationBasedScope2GreenhouseGasEmissions and
  esrs:GrossMarketBasedScope2GreenhouseGasEmissions (utr:tCO2e), esrs:EnergyConsumptionRelatedToOwnOperations
  (utr:MWh), each on aifl:ActivitiesAxis = aifl:AIUsageMember, as in the inline XBRL.
- Scope 3 category 1: esrs:GrossScope3GreenhouseGasEmissions on esrs:Scope3GHGEmissionsCategoryGHGProtocolAxis
  = esrs:PurchasedGoodsAndServicesMember, and again on its cloud computing and data centre services member (E1 AR
  51; all of it here), with the AI usage member; its activity data in the ledger's extension
  (aifl:EnergyOfAIServicesBought in MWh, aifl:RequestsToAIServicesBought), which no ESRS concept means.

From the snapshot alone (its by-scope breakdown), so a signed-off version always gives the same bytes. Validated
offline by Arelle against the shipped stand-in taxonomy (tests/disclosures/test_contribution_xbrl.py); the same
caveats as the inline XBRL (ixbrl.py) hold: the stand-in is not EFRAG's package.
"""

from __future__ import annotations

import datetime as dt
import json

from .ixbrl import AI_USAGE, ESRS_NS, ESRS_SCHEMA_URL, LEDGER_NS, LEDGER_SCHEMA_URL, LEI_SCHEME, entity_identifier

SCOPE3_AXIS = "esrs:Scope3GHGEmissionsCategoryGHGProtocolAxis"
CAT1 = "esrs:PurchasedGoodsAndServicesMember"
CLOUD = "esrs:CloudComputingAndDataCentreServicesMember"
# Decimals stated: tonnes to the gram, MWh to the watt-hour (the snapshot's floats carry more).
TONNES, MWH = 6, 6
NAMESPACES = {
    "xbrl": "https://xbrl.org/2021",
    "xbrli": "http://www.xbrl.org/2003/instance",
    "utr": "http://www.xbrl.org/2009/utr",
    "lei": LEI_SCHEME,
    "esrs": ESRS_NS,
    "aifl": LEDGER_NS,
}


def _period(snapshot: dict) -> str:
    """The OIM duration: start at midnight to the midnight after the last day (OIM periods are half-open)."""
    period = snapshot.get("period") or {}
    start = dt.date.fromisoformat(str(period["start"]))
    end = dt.date.fromisoformat(str(period["end"])) + dt.timedelta(days=1)
    return f"{start:%Y-%m-%d}T00:00:00/{end:%Y-%m-%d}T00:00:00"


def _number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def contribution_facts(snapshot: dict) -> dict[str, dict]:
    """Fact id -> xBRL-JSON fact, from the snapshot's by-scope breakdown (kg and kWh there, t and MWh here)."""
    identifier, _placeholder = entity_identifier(snapshot.get("organisation") or {})
    common = {"entity": f"lei:{identifier}", "period": _period(snapshot)}
    ai = {AI_USAGE[0]: AI_USAGE[1]}
    facts: dict[str, dict] = {}

    def add(fact_id, concept, value, unit, decimals, dimensions=None):
        # OIM: a fact without a unit dimension is in xbrli:pure (stating xbrli:pure alone is an error).
        dims = {"concept": concept, **common, **({"unit": unit} if unit else {}), **(dimensions or {})}
        facts[fact_id] = {"value": _number(value, decimals), "decimals": decimals, "dimensions": dims}

    for entry in (snapshot.get("breakdowns") or {}).get("by_scope") or []:
        tonnes_lb, tonnes_mb = entry["co2e_location_kg"] / 1000, entry["co2e_market_kg"] / 1000
        if entry["key"] == "scope2":
            add("scope2_lb", "esrs:GrossLocationBasedScope2GreenhouseGasEmissions", tonnes_lb, "utr:tCO2e", TONNES, ai)
            add("scope2_mb", "esrs:GrossMarketBasedScope2GreenhouseGasEmissions", tonnes_mb, "utr:tCO2e", TONNES, ai)
            add(
                "scope2_energy",
                "esrs:EnergyConsumptionRelatedToOwnOperations",
                entry["energy_kwh"] / 1000,
                "utr:MWh",
                MWH,
                ai,
            )
        elif entry["key"] == "scope3_cat1":
            # Scope 3 has no market-based variant: one figure per member (the calculator writes both equal).
            for fact_id, member in (("scope3_cat1", CAT1), ("scope3_cat1_cloud", CLOUD)):
                add(
                    fact_id,
                    "esrs:GrossScope3GreenhouseGasEmissions",
                    tonnes_lb,
                    "utr:tCO2e",
                    TONNES,
                    {SCOPE3_AXIS: member, **ai},
                )
            add("scope3_cat1_energy", "aifl:EnergyOfAIServicesBought", entry["energy_kwh"] / 1000, "utr:MWh", MWH)
            add("scope3_cat1_requests", "aifl:RequestsToAIServicesBought", entry["requests"], None, 0)
    return facts


def render_contribution_xbrl_json(snapshot: dict) -> bytes:
    """The contribution as an xBRL-JSON report (UTF-8, sorted keys): deterministic for the same snapshot."""
    report = {
        "documentInfo": {
            "documentType": "https://xbrl.org/2021/xbrl-json",
            "namespaces": NAMESPACES,
            "taxonomy": [ESRS_SCHEMA_URL, LEDGER_SCHEMA_URL],
        },
        "facts": contribution_facts(snapshot),
    }
    return (json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
