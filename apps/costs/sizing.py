"""Right-sizing (the saving if requests moved to a smaller model) and rebound (volume and intensity effects)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from apps.footprint.calculator import estimate_request
from apps.footprint.factors import FactorLookupError
from apps.footprint.services import current_factor_set_version, load_factor_set

from . import calc, cost
from .records import plain_rows
from .usage import CostUsage, read_usage
from .window import Window

DEFAULT_SHIFT_SHARE = 0.30


def _per_request(provider: str, model_names: list[str], out_tokens_per_request: float, fs) -> dict | None:
    for name in model_names:
        try:
            result = estimate_request(
                provider, name, round(out_tokens_per_request * 1000), requests=1000, factor_set=fs
            )
        except (FactorLookupError, ValueError):
            continue
        return {
            "model": result["model"],
            "kwh_per_request": result["energy_kwh"] / 1000,
            "co2e_kg_per_request": result["co2e_kg"] / 1000,
            "zone": result["zone"],
        }
    return None


def _price_per_request(prices: pd.DataFrame, key: str, day: dt.date, tokens: dict) -> float | None:
    rows = prices[(prices["model_key"] == key) & (pd.to_datetime(prices["valid_from"]) <= pd.Timestamp(day))]
    if rows.empty:
        return None
    latest = rows.sort_values("valid_from").iloc[-1]
    # A what-if estimate on average tokens per request: a float, unlike the costs of records.
    price = {name: float(latest[name]) for name in cost.PRICE_COLUMNS}
    uncached = max(tokens["input"] - tokens["cached"], 0)
    return calc.token_cost_eur(uncached, tokens["cached"], tokens["output"], price)


def right_sizing(org, window: Window, share: float = DEFAULT_SHIFT_SHARE, usage: CostUsage | None = None) -> dict:
    """For each model x team with a smaller model of the same family: per-request energy, CO2e (calculator,
    current factor set, the provider's data-centre zone) and price (ModelPrice), and the saving if `share`
    of its requests moved. Read from the rollups (usage.read_usage) unless `usage` is given: token rows
    without requests are left out (summed rows: a group whose records had none)."""
    frame = (read_usage(org, window) if usage is None else usage).rows
    fs = load_factor_set(current_factor_set_version(org))
    prices = cost.model_prices(org)
    rows = []
    tokens = frame[(frame["usage_kind"] == "tokens") & (frame["requests"] > 0)] if not frame.empty else frame
    if not tokens.empty:
        groups = (
            tokens.groupby(["provider", "model_key", "team"])
            .agg(
                requests=("requests", "sum"),
                input_tokens=("input_tokens", "sum"),
                cached_input_tokens=("cached_input_tokens", "sum"),
                output_tokens=("output_tokens", "sum"),
                model=("model", "first"),
            )
            .reset_index()
        )
        estimates: dict = {}
        for g in plain_rows(groups):
            smaller = calc.smaller_model(g["provider"], g["model_key"])
            if not smaller:
                continue
            n = g["requests"]
            per = {
                "input": g["input_tokens"] / n,
                "cached": g["cached_input_tokens"] / n,
                "output": g["output_tokens"] / n,
            }
            key_cur = (g["provider"], g["model_key"], round(per["output"]))
            key_small = (g["provider"], smaller, round(per["output"]))
            if key_cur not in estimates:
                estimates[key_cur] = _per_request(g["provider"], [g["model_key"], g["model"]], per["output"], fs)
            if key_small not in estimates:
                estimates[key_small] = _per_request(g["provider"], [smaller, f"{smaller}-latest"], per["output"], fs)
            cur, small = estimates[key_cur], estimates[key_small]
            if cur is None or small is None:
                continue
            cur = {**cur, "eur_per_request": _price_per_request(prices, g["model_key"], window.end, per)}
            small = {**small, "eur_per_request": _price_per_request(prices, smaller, window.end, per)}
            rows.append(
                {
                    "provider": g["provider"],
                    "model": g["model_key"],
                    "team": g["team"],
                    "smaller_model": smaller,
                    "requests": n,
                    "tokens_per_request": per,
                    "current": cur,
                    "smaller": small,
                    "saving": calc.right_sizing_saving(n, share, cur, small),
                }
            )
    rows.sort(key=lambda r: -(r["saving"]["co2e_kg"] or 0))
    return {
        "window": window.as_dict(),
        "share": share,
        "rows": rows,
        "mapping_source": calc.SMALLER_MODEL_SOURCE,
        "factor_set": fs.label,
        "method_version": fs.method_version,
        "totals": {k: sum((r["saving"][k] or 0) for r in rows) for k in ("energy_kwh", "co2e_kg", "cost_eur")},
    }


# ---- rebound ---------------------------------------------------------------------------------------------

REBOUND_BASES = {
    "requests": ("tokens", "requests", "API requests"),
    "active_user_days": ("seat_activity", "active_user_days", "active user-days on seat tools"),
}


def rebound(org, window: Window, basis: str = "requests", usage: CostUsage | None = None) -> dict:
    """CO2e month by month against an activity (`basis`: requests or active user-days), each month's change
    split into a volume and an intensity effect, with a bar chart of the two; from the rollups unless `usage`
    is given."""
    kind, column, label = REBOUND_BASES[basis]
    frame = (read_usage(org, window) if usage is None else usage).rows
    rows = frame[frame["usage_kind"] == kind] if not frame.empty else frame
    if rows.empty:
        return {
            "window": window.as_dict(),
            "basis": basis,
            "basis_label": label,
            "months": [],
            "totals": None,
            "chart": None,
        }
    monthly = (
        rows.assign(month=pd.to_datetime(rows["day"]).dt.strftime("%Y-%m"))
        .groupby("month")
        .agg(activity=(column, "sum"), co2e_kg=("co2e_kg", "sum"))
        .reset_index()
    )
    table = calc.rebound_table(monthly)
    months = plain_rows(table)
    totals = {
        "change_kg": float(table["change_kg"].sum()),
        "volume_effect_kg": float(table["volume_effect_kg"].sum()),
        "intensity_effect_kg": float(table["intensity_effect_kg"].sum()),
        "first_to_last": calc.decompose_change(
            months[0]["activity"], months[0]["co2e_kg"], months[-1]["activity"], months[-1]["co2e_kg"]
        ),
    }
    chart = calc.bar_chart(months[1:], ("volume_effect_kg", "intensity_effect_kg")) if len(months) > 1 else None
    return {
        "window": window.as_dict(),
        "basis": basis,
        "basis_label": label,
        "months": months,
        "totals": totals,
        "chart": chart,
    }
