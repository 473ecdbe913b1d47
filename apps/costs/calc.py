"""Cost, ROI, right-sizing and rebound arithmetic: numbers or DataFrames in, numbers out. No Django here.

Every function is small enough to check by hand; tests/costs/test_calc.py does exactly that.
Units are in the names: *_eur, *_kwh, *_kg, *_month(s), *_per_request.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from apps.footprint.model_names import model_family

DAYS_PER_MONTH = 365.25 / 12  # a payback in months told in days
IDLE_DAYS = 28  # a seat with no activity in the 28 days before the report date is idle (GitHub uses 28 days)

# ---- equivalences for non-specialists (each with its source) ----------------------------------------

WEB_SEARCH_WH = 0.3
WEB_SEARCH_SOURCE = "IEA (Electricity 2024): a web search ≈ 0.3 Wh"
CAR_GCO2_PER_KM = 106.6
CAR_SOURCE = (
    "EEA, new passenger cars registered in the EU, Iceland and Norway in 2023: 106.6 gCO2/km "
    "(type-approval WLTP, tailpipe only; real-world and life-cycle figures are higher)"
)


def equivalences(energy_kwh: float, co2e_kg: float) -> list[dict]:
    """The same energy and CO2e told as web searches and km by car, each with its source."""
    return [
        {
            "key": "web_searches",
            "value": energy_kwh * 1000 / WEB_SEARCH_WH,
            "unit": "web searches",
            "of": "energy_kwh",
            "source": WEB_SEARCH_SOURCE,
        },
        {
            "key": "car_km",
            "value": co2e_kg * 1000 / CAR_GCO2_PER_KM,
            "unit": "km by car",
            "of": "co2e_kg",
            "source": CAR_SOURCE,
        },
    ]


# ---- time -------------------------------------------------------------------------------------------


def overlap(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days two inclusive date ranges share, or None."""
    start, end = max(a_start, b_start), min(a_end, b_end)
    return (start, end) if start <= end else None


def months_in(start: dt.date, end: dt.date) -> float:
    """Calendar months in an inclusive date range, partial months pro rata by their own length.

    1 Jan - 31 Dec is exactly 12; 1-15 April is 0.5."""
    if end < start:
        return 0.0
    total = 0.0
    cursor = start
    while cursor <= end:
        days_in_month = calendar.monthrange(cursor.year, cursor.month)[1]
        month_end = dt.date(cursor.year, cursor.month, days_in_month)
        last = min(month_end, end)
        total += ((last - cursor).days + 1) / days_in_month
        cursor = month_end + dt.timedelta(days=1)
    return total


def calendar_months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Each calendar month an inclusive date range touches, cut to the range: (first day, last day)."""
    out, cursor = [], start
    while cursor <= end:
        last = dt.date(cursor.year, cursor.month, calendar.monthrange(cursor.year, cursor.month)[1])
        out.append((cursor, min(last, end)))
        cursor = last + dt.timedelta(days=1)
    return out


# ---- seats --------------------------------------------------------------------------------------------


def classify_seats(seats: pd.DataFrame, as_of: dt.date, idle_days: int = IDLE_DAYS) -> pd.DataFrame:
    """Add `active` (last activity in the `idle_days` days up to and including `as_of`) and
    `days_since_activity` (None when never used) to a seat table with a `last_activity_at` column."""
    out = seats.copy()
    last = pd.to_datetime(out["last_activity_at"]).dt.normalize()
    day = pd.Timestamp(as_of)
    cutoff = day - pd.Timedelta(days=idle_days - 1)
    out["active"] = ((last >= cutoff) & (last <= day)).fillna(False).astype(bool)
    since = (day - last).dt.days
    out["days_since_activity"] = since.astype("Int64")
    return out


def seat_figures(seats_bought: int, price_per_seat_month_eur: float, assigned: int, active: int) -> dict:
    """Monthly licence cost, cost per active seat and what reclaiming idle and unassigned seats saves."""
    monthly = seats_bought * price_per_seat_month_eur
    idle = max(assigned - active, 0)
    unassigned = max(seats_bought - assigned, 0)
    return {
        "seats_bought": seats_bought,
        "assigned": assigned,
        "active": active,
        "idle": idle,
        "unassigned": unassigned,
        "active_share": active / seats_bought if seats_bought else None,
        "licence_cost_month_eur": monthly,
        "cost_per_active_seat_month_eur": monthly / active if active else None,
        "idle_saving_month_eur": idle * price_per_seat_month_eur,
        "unassigned_saving_month_eur": unassigned * price_per_seat_month_eur,
        "reclaim_saving_month_eur": (idle + unassigned) * price_per_seat_month_eur,
    }


# ---- money ------------------------------------------------------------------------------------------


def to_eur(amount, currency: str, usd_per_unit: Mapping):
    """Convert with a USD-per-unit table (the factor set's currency_rates). Blank currency = EUR.

    Works on floats or on Decimals (amount and rates of one kind)."""
    currency = (currency or "EUR").upper()
    if currency == "EUR":
        return amount
    return amount * usd_per_unit[currency] / usd_per_unit["EUR"]


def token_cost_eur(uncached_tokens, cached_tokens, output_tokens, price) -> object:
    """The list price of some tokens: uncached input, cached input and output tokens times the model's EUR per
    million tokens (`price` has input_eur_per_mtok, cached_eur_per_mtok, output_eur_per_mtok). Numbers or
    columns; integer tokens and Decimal prices give an exact Decimal."""
    return (
        uncached_tokens * price["input_eur_per_mtok"]
        + cached_tokens * price["cached_eur_per_mtok"]
        + output_tokens * price["output_eur_per_mtok"]
    ) / 1_000_000


def api_cost_eur(usage: pd.DataFrame, prices: pd.DataFrame) -> pd.Series:
    """Cost in EUR of each token row from its tokens and the model price valid on its day.

    usage: day, model_key, input_tokens, cached_input_tokens, output_tokens (input includes cached).
    prices: model_key, valid_from, input_eur_per_mtok, output_eur_per_mtok, cached_eur_per_mtok (floats, or
    Decimals for an exact Decimal cost). Rows with no price valid on their day get NaN (the caller says which
    models lack a price)."""
    if usage.empty:
        return pd.Series(dtype=float, index=usage.index)
    if prices.empty:
        return pd.Series(np.nan, index=usage.index)
    left = usage.assign(_row=np.arange(len(usage)), day=pd.to_datetime(usage["day"])).sort_values("day")
    right = prices.assign(valid_from=pd.to_datetime(prices["valid_from"])).sort_values("valid_from")
    merged = pd.merge_asof(left, right, left_on="day", right_on="valid_from", by="model_key", direction="backward")
    priced = merged[merged["valid_from"].notna()]  # only these: a Decimal price and a NaN do not add up
    uncached = (priced["input_tokens"] - priced["cached_input_tokens"]).clip(lower=0)
    cost = token_cost_eur(uncached, priced["cached_input_tokens"], priced["output_tokens"], priced)
    exact = prices["input_eur_per_mtok"].dtype == object  # Decimals
    result = pd.Series(np.nan, index=np.arange(len(usage)), dtype=object if exact else float)
    result[priced["_row"].to_numpy()] = cost.to_numpy()
    result.index = usage.index
    return result


# ---- ROI ----------------------------------------------------------------------------------------------


def roi(
    active_user_days: float,
    minutes_saved_per_active_day: float,
    loaded_hourly_cost_eur: float,
    licence_cost_eur: float,
    api_spend_eur: float,
    co2e_kg: float,
    carbon_price_eur_per_t: float | None,
    months: float,
) -> dict:
    """value = active user-days x minutes saved / 60 x loaded hourly cost;
    cost = licences + API spend + internal carbon fee (tCO2e x internal carbon price, when set).
    ROI % = (value - cost) / cost x 100; payback = cost / monthly value (None when nothing is gained), also in
    days; the multiple = value / cost. Break-even: the minutes saved per active user-day at which value equals
    cost (cost / active user-days / hourly cost x 60): the figure to hold against measured time savings."""
    value = active_user_days * minutes_saved_per_active_day / 60 * loaded_hourly_cost_eur
    fee = co2e_kg / 1000 * (carbon_price_eur_per_t or 0)
    cost = licence_cost_eur + api_spend_eur + fee
    value_per_month = value / months if months else 0.0
    per_minute_eur = active_user_days * loaded_hourly_cost_eur / 60  # value of one minute a day, over the days
    return {
        "break_even_minutes_per_active_day": cost / per_minute_eur if per_minute_eur > 0 else None,
        "value_multiple": value / cost if cost else None,
        "payback_days": cost / value_per_month * DAYS_PER_MONTH if value_per_month > 0 else None,
        "value_eur": value,
        "licence_cost_eur": licence_cost_eur,
        "api_spend_eur": api_spend_eur,
        "carbon_fee_eur": fee,
        "cost_eur": cost,
        "net_eur": value - cost,
        "roi_pct": (value - cost) / cost * 100 if cost else None,
        "payback_months": cost / value_per_month if value_per_month > 0 else None,
    }


def roi_band(
    active_user_days: float,
    minutes: tuple[float, float, float],
    hourly_eur: tuple[float, float, float],
    licence_cost_eur: float,
    api_spend_eur: float,
    co2e_kg: float,
    carbon_price_eur_per_t: float | None,
    months: float,
) -> dict:
    """ROI at low, central and high inputs (low minutes with low hourly cost, and so on)."""
    return {
        name: roi(active_user_days, m, h, licence_cost_eur, api_spend_eur, co2e_kg, carbon_price_eur_per_t, months)
        for name, m, h in zip(("low", "central", "high"), minutes, hourly_eur, strict=True)
    }


# ---- right-sizing ---------------------------------------------------------------------------------------

# Same provider and family, one size down. Sources: the providers' own model pages, which present each
# pair as the larger and the smaller/faster/cheaper tier of one family (OpenAI "GPT-4o mini", "GPT-4.1 mini";
# Anthropic Claude Haiku vs Sonnet; Google Gemini Flash vs Pro; Mistral Small vs Large).
SMALLER_MODEL = {
    ("openai", "gpt-4o"): "gpt-4o-mini",
    ("openai", "gpt-4.1"): "gpt-4.1-mini",
    ("openai", "gpt-4.1-mini"): "gpt-4.1-nano",
    ("openai", "gpt-4-turbo"): "gpt-4o-mini",
    ("anthropic", "claude-3-5-sonnet"): "claude-3-5-haiku",
    ("anthropic", "claude-3-7-sonnet"): "claude-3-5-haiku",
    ("anthropic", "claude-sonnet-4"): "claude-3-5-haiku",
    ("anthropic", "claude-sonnet-4-5"): "claude-haiku-4-5",
    ("anthropic", "claude-3-opus"): "claude-3-5-sonnet",
    ("google", "gemini-1.5-pro"): "gemini-1.5-flash",
    ("google", "gemini-2.0-pro"): "gemini-2.0-flash",
    ("google", "gemini-2.5-pro"): "gemini-2.5-flash",
    ("google", "gemini-2.5-flash"): "gemini-2.5-flash-lite",
    ("mistralai", "mistral-large"): "mistral-small",
    ("mistralai", "mistral-medium"): "mistral-small",
}
SMALLER_MODEL_SOURCE = (
    "Same provider and family, one tier down, as each provider presents its models "
    "(OpenAI mini/nano, Anthropic Haiku, Google Flash, Mistral Small)."
)
PROVIDER_FAMILY = {
    "openai": "openai",
    "azure": "openai",
    "azure_openai": "openai",
    "anthropic": "anthropic",
    "bedrock": "anthropic",
    "google": "google",
    "vertex_ai": "google",
    "gemini": "google",
    "mistral": "mistralai",
    "mistralai": "mistralai",
}
_SUFFIX = re.compile(r"^(-latest|-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{4}|-\d{2}-\d{4}|-preview.*|-\d{3,4}.*)?$")


def model_key(model: str, known: Iterable[str] = ()) -> str:
    """The family name of a model as the mapping and prices know it: lower case, spaces to dashes, a date or
    version suffix dropped ('gpt-4o-2024-08-06' -> 'gpt-4o', 'gpt 4.1' -> 'gpt-4.1',
    'claude-sonnet-4-5-20250929' -> 'claude-sonnet-4-5'). The longest known name the model starts with wins."""
    name = re.sub(r"\s+", "-", (model or "").strip().lower())
    names = set(known) | {m for _, m in SMALLER_MODEL} | set(SMALLER_MODEL.values())
    # The name as written, then its family (gateway prefix, Bedrock id, Vertex tag and date dropped): one
    # family per model on every page (apps.footprint.model_names.model_family).
    family = model_family(name)
    for spelling in (name, family):
        best = ""
        for candidate in names:
            rest = spelling[len(candidate) :]
            if spelling.startswith(candidate) and len(candidate) > len(best) and _SUFFIX.match(rest):
                best = candidate
        if best:
            return best
    return family or name


def smaller_model(provider: str, model: str) -> str | None:
    """The next smaller model of the same provider family (SMALLER_MODEL), or None."""
    family = PROVIDER_FAMILY.get((provider or "").lower(), (provider or "").lower())
    return SMALLER_MODEL.get((family, model_key(model)))


def right_sizing_saving(
    requests: float, share: float, current: Mapping[str, float | None], smaller: Mapping[str, float | None]
) -> dict:
    """What moving `share` (0..1) of `requests` to the smaller model saves, from per-request figures
    (kwh_per_request, co2e_kg_per_request, eur_per_request; a None gives a None saving)."""
    moved = requests * share

    def saving(key):
        a, b = current.get(key), smaller.get(key)
        return None if a is None or b is None else moved * (a - b)

    return {
        "moved_requests": moved,
        "energy_kwh": saving("kwh_per_request"),
        "co2e_kg": saving("co2e_kg_per_request"),
        "cost_eur": saving("eur_per_request"),
    }


# ---- rebound: volume and intensity effects --------------------------------------------------------------


def decompose_change(activity_0: float, co2e_0: float, activity_1: float, co2e_1: float) -> dict:
    """Split the change in CO2e between two periods into a volume and an intensity effect, exactly.

    C = A x I (activity x CO2e per unit of activity). Midpoint (Shapley) split:
    volume = (A1 - A0) x (I0 + I1) / 2, intensity = (I1 - I0) x (A0 + A1) / 2; they sum to C1 - C0.
    A period with no activity takes the other period's intensity (its own is undefined)."""
    i0 = co2e_0 / activity_0 if activity_0 else None
    i1 = co2e_1 / activity_1 if activity_1 else None
    if i0 is None and i1 is None:
        i0 = i1 = 0.0
    i0 = i1 if i0 is None else i0
    i1 = i0 if i1 is None else i1
    volume = (activity_1 - activity_0) * (i0 + i1) / 2
    intensity = (i1 - i0) * (activity_0 + activity_1) / 2
    return {
        "change_kg": co2e_1 - co2e_0,
        "volume_effect_kg": volume,
        "intensity_effect_kg": intensity,
        "intensity_0": i0,
        "intensity_1": i1,
    }


def rebound_table(monthly: pd.DataFrame) -> pd.DataFrame:
    """monthly: month (sortable), activity, co2e_kg. Adds per month (vs the previous one): intensity
    (kg per unit), change_kg, volume_effect_kg, intensity_effect_kg (0 for the first month)."""
    frame = monthly.sort_values("month").reset_index(drop=True)
    rows = []
    previous = None
    for rec in frame.itertuples(index=False):
        a, c = float(rec.activity), float(rec.co2e_kg)
        if previous is None:
            split = {"change_kg": 0.0, "volume_effect_kg": 0.0, "intensity_effect_kg": 0.0}
        else:
            split = decompose_change(previous[0], previous[1], a, c)
        rows.append(
            {
                "month": rec.month,
                "activity": a,
                "co2e_kg": c,
                "intensity_kg": c / a if a else None,
                "change_kg": split["change_kg"],
                "volume_effect_kg": split["volume_effect_kg"],
                "intensity_effect_kg": split["intensity_effect_kg"],
            }
        )
        previous = (a, c)
    return pd.DataFrame(
        rows,
        columns=[
            "month",
            "activity",
            "co2e_kg",
            "intensity_kg",
            "change_kg",
            "volume_effect_kg",
            "intensity_effect_kg",
        ],
    )


def bar_chart(rows: list[dict], keys: tuple[str, str], width: int = 720, height: int = 220) -> dict:
    """Geometry of a grouped bar chart (two bars per month around a zero line), for an inline SVG."""
    values = [abs(float(r[k] or 0)) for r in rows for k in keys]
    top = max([*values, 1e-12])
    mid = height / 2
    step = width / max(len(rows), 1)
    bar = max(step / 2 - 2, 1)
    bars = []
    for i, r in enumerate(rows):
        for j, k in enumerate(keys):
            v = float(r[k] or 0)
            h = abs(v) / top * (mid - 10)
            bars.append(
                {
                    "x": round(i * step + 1 + j * (bar + 1), 2),
                    "y": round(mid - h if v >= 0 else mid, 2),
                    "w": round(bar, 2),
                    "h": round(h, 2),
                    "series": j,
                    "label": f"{r['month']} {k}: {v:.4g}",
                }
            )
    labels = [{"x": round(i * step + step / 2, 2), "text": str(r["month"])[-2:]} for i, r in enumerate(rows)]
    return {
        "width": width,
        "height": height + 16,
        "mid": mid,
        "bars": bars,
        "labels": labels,
        "label_y": height + 12,
        "max_abs": top,
    }


# ---- frugality (AFNOR Spec 2314) ---------------------------------------------------------------------------

FRUGALITY_QUESTIONS = (
    (
        "need_for_ai",
        "The need for AI was demonstrated against simpler, less resource-hungry means (rules, search, "
        "templates, classic ML).",
    ),
    ("model_size", "The model size was chosen for the task (the smallest model that meets the quality bar)."),
    (
        "good_practices",
        "Good practices are applied (short prompts and outputs, caching, batching, no needless "
        "regeneration; AFNOR Spec 2314 good-practice sheets).",
    ),
    ("measurement", "Energy and GHG of the use case are measured or estimated, with a method and its version."),
    ("usage_caps", "Usage is capped (quotas, rate limits, budgets) and the caps are reviewed."),
    ("rebound", "Rebound is watched: growth in volume is compared with gains in efficiency."),
)
FRUGALITY_POINTS = {"yes": 2, "partly": 1, "no": 0}


def frugality_score(answers: Mapping[str, str]) -> tuple[float, list[str]]:
    """Score 0-100 (yes = 2, partly = 1, no = 0 points per question) and a reason for each short answer.

    AFNOR Spec 2314 calls a service frugal only when the need for AI is demonstrated: a 'no' there caps the
    score at 50 whatever the other answers."""
    points = sum(FRUGALITY_POINTS[answers.get(key, "no")] for key, _ in FRUGALITY_QUESTIONS)
    score = points / (2 * len(FRUGALITY_QUESTIONS)) * 100
    reasons = []
    for key, text in FRUGALITY_QUESTIONS:
        answer = answers.get(key, "no")
        if answer != "yes":
            reasons.append(f"{'Not' if answer == 'no' else 'Only partly'}: {text}")
    if answers.get("need_for_ai", "no") == "no":
        score = min(score, 50.0)
        reasons.insert(0, "Not frugal in the AFNOR Spec 2314 sense: the need for AI is not demonstrated.")
    return score, reasons
