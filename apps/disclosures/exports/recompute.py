#!/usr/bin/env python3
"""Recompute every disclosed figure of an AI Footprint Ledger evidence pack from the pack alone.

Standard library only: `python3 recompute.py` in the unpacked pack, or `python3 recompute.py PACK.zip|DIR`. Prints
each figure with OK or the difference: every file against SHA256SUMS and each source file against its runs' SHA-256;
each record from its activity data, method.json and resolution/ (EcoLogits regressions, seat interactions, measured
kWh x facility PUE, spend x EEIO factor, grid factor, instruments pro rata then the residual mix; embodied GHG,
water, ADPe, PE, the E1-5 split); each datapoint with its range from records.csv and the inputs, its comparative
change, datapoints.csv, each breakdown row and run count. Exit 1 on any difference (relative tolerance 1e-9), else 0.
"""

import csv
import hashlib
import importlib.util
import io
import json
import math
import os
import sys
import zipfile
from collections import defaultdict

words = str.split  # names written as one string
_HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recompute_parts.py")  # shipped beside it
_SPEC = importlib.util.spec_from_file_location("recompute_parts", _HERE)
parts = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(parts)
Ranged = parts.Ranged
REL, NAN = 1e-9, float("nan")
ACTIVITY = words("output_tokens requests input_tokens cached_input_tokens active_user_days measured_energy_kwh cost")
RANGED = words("energy_kwh energy_prefill_kwh co2e_location_kg co2e_market_kg water_l adpe_kgsbeq pe_mj")
SINGLE = words("co2e_embodied_kg grid_gco2e_per_kwh instrument_covered_kwh fossil_kwh nuclear_kwh renewable_kwh")
MIX = ("instrument_covered_kwh", "fossil_kwh", "nuclear_kwh", "renewable_kwh")
# (records.csv column, which records): the ranged sums the datapoints are made of
_S = "energy_kwh:own co2e_location_kg:own co2e_market_kg:own co2e_location_kg:bought co2e_location_kg:all"
STREAMS = [tuple(s.split(":")) for s in words(_S + " co2e_market_kg:all water_l:all adpe_kgsbeq:all pe_mj:all")]


class Pack:
    """The pack's files, from a directory or a zip."""

    def __init__(self, path):
        self.zip, self.dir = (zipfile.ZipFile(path) if os.path.isfile(path) else None), path
        walk = [] if self.zip else [(os.path.relpath(d, path), fs) for d, _dirs, fs in os.walk(path)]
        names = self.zip.namelist() if self.zip else [os.path.join(d, f) for d, fs in walk for f in fs]
        self.names = {os.path.normpath(n).replace(os.sep, "/") for n in names}

    def open(self, name):
        return self.zip.open(name) if self.zip else open(os.path.join(self.dir, *name.split("/")), "rb")

    def rows(self, name):
        with self.open(name) as fh:
            yield from csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8", newline=""))


def num(text):
    """A CSV number (empty: NaN)."""
    return NAN if text in ("", None) else float(text)


def unquote(text):
    """A text cell as it was before the CSV neutralised it (a leading ' before = + - @, tab or CR)."""
    return text[1:] if text[:1] == "'" and text[1:2] and text[1:2] in "=+-@\t\r" else text


def nz(x):
    """NaN (not estimated) counts 0 in a sum."""
    return 0.0 if math.isnan(x) else x


def close(a, b):
    """Equal within REL, NaN equal to NaN (a figure not estimated), None equal to None."""
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=REL, abs_tol=1e-300)


class Report:
    """Prints OK or the difference per figure and counts the differences."""

    def __init__(self, out=sys.stdout):
        self.out, self.ok, self.bad, self.columns = out, 0, 0, defaultdict(lambda: [0, []])

    def check(self, name, pack_value, recomputed):
        if not close(pack_value, recomputed):
            diff = "" if None in (pack_value, recomputed) else f" (difference {pack_value - recomputed!r})"
            return self.fail(name, f"pack {pack_value!r}, recomputed {recomputed!r}{diff}")
        self.good(f"{name} = {pack_value!r}")

    def good(self, what):
        self.ok += 1
        print(f"OK   {what}", file=self.out)

    def fail(self, name, why):
        self.bad += 1
        print(f"DIFF {name}: {why}", file=self.out)

    def record(self, r, column, expected, exact=False):
        """A record's figure: counted per column, the first differences kept."""
        if column in r:
            agree = r[column] == expected if exact else close(num(r[column]), expected)
            self.columns[column][0] += agree
            self.columns[column][1] += [] if agree else [(r.get("id", "?"), r[column], expected)]

    def records(self):
        for column, (ok, bad) in sorted(self.columns.items()):
            shown = "; ".join(f"record {i}: pack {p}, recomputed {e!r}" for i, p, e in bad[:3])
            what = f"{len(bad)} of {len(bad) + ok} records differ ({shown})"
            self.fail(f"records.{column}", what) if bad else self.good(f"records.{column}: {ok} records recomputed")


def digest(pack, name):
    sha = hashlib.sha256()
    with pack.open(name) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def check_files(pack, report):
    """Every file against SHA256SUMS; each source file carried against the SHA-256 of the runs that read it."""
    with pack.open("SHA256SUMS") as fh:
        listed = [line.split("  ", 1)[::-1] for line in fh.read().decode("ascii").splitlines()]
    sources = list(pack.rows("sources/SOURCES.csv")) if "sources/SOURCES.csv" in pack.names else []
    runs = {r["sha256"] for r in json.loads(pack.open("snapshot.json").read()).get("runs") or []}
    for name, want in listed + [(s["in_pack"], s["sha256"]) for s in sources if s["in_pack"]]:
        got = digest(pack, name) if name in pack.names else "(missing from the pack)"
        where = f"file {name}"
        report.good(f"{where} sha256 {want}") if got == want else report.fail(where, f"sha256 {got}, expected {want}")
    for s in sources:
        if s["sha256"] not in runs:
            report.fail(f"source {s['filename']}", "its SHA-256 is no run's in snapshot.json")
        elif not s["in_pack"]:
            print(f"NOTE source {s['filename']} not in the pack ({s['note']}): {s['download']}", file=report.out)


# ---- the EcoLogits method for one model (per output token and per request), as method.json's constants name it


def llm_run(active_b, total_b, pue, tps, ttft, m):
    """(energy kWh, embodied kgCO2e, kgSbeq, MJ) per output token and per request of one parameter count and PUE."""
    memory = 1.2 * total_b * m["quantization_bits"] / 8
    gpus = 2 ** math.ceil(math.log2(max(1, math.ceil(memory / m["gpu_memory_gb"]))))
    batch = m["batch_size"]
    gpu_kwh = (m["gpu_energy_alpha"] * math.exp(m["gpu_energy_beta"] * batch) * active_b + m["gpu_energy_gamma"]) / 1000
    per_token_s = 1 / tps if tps else m["latency_alpha"] * active_b + m["latency_beta"] * batch + m["latency_gamma"]
    per_request_s = ttft or 0.0
    server_kwh_s = m["server_power_kw"] * (gpus / m["server_gpus"]) / batch / 3600
    energy = (pue * (gpus * gpu_kwh + per_token_s * server_kwh_s), pue * per_request_s * server_kwh_s)

    def embodied(kind):
        if f"gpu_embodied_{kind}" not in m:
            return (NAN, NAN)
        total = (gpus / m["server_gpus"]) * m[f"server_embodied_{kind}"] + gpus * m[f"gpu_embodied_{kind}"]
        per_s = total / (m["hardware_lifespan_s"] * batch)
        return (per_token_s * per_s, per_request_s * per_s)

    return energy, embodied("gwp_kg"), embodied("adpe_kgsbeq"), embodied("pe_mj")


def spread(*pairs):
    """Bound ratio of a product of independent factors, each (bound, central) or (central, bound) with a ratio >= 1:
    exp(sqrt(sum of ln(ratio)^2)); a factor without a spread (ratio 1, or 0 below) adds nothing."""
    return math.exp(math.sqrt(sum(math.log(a / b) ** 2 for a, b in pairs if b and a / b > 1)))


def model_coefficients(row, m):
    """Low and high coefficients of a resolution/models.csv row."""
    tps, ttft = (None if math.isnan(num(row[k])) else num(row[k]) for k in ("tps", "ttft_s"))
    lo = llm_run(num(row["active_params_min_b"]), num(row["total_params_min_b"]), num(row["pue_min"]), tps, ttft, m)
    hi = llm_run(num(row["active_params_max_b"]), num(row["total_params_max_b"]), num(row["pue_max"]), tps, ttft, m)
    e_lo, e_hi = lo[0][0], hi[0][0]  # kWh per output token: an input token costs a ratio of it
    c = {t: (num(row[t + "_ratio_low"]) * e_lo, num(row[t + "_ratio_high"]) * e_hi) for t in ("prefill", "cached")}
    generates = row["embedding"] != "1"  # an embedding model is a prefill pass only
    for name, i in (("energy", 0), ("gwp", 1), ("adpe", 2), ("pe", 3)):
        c[f"{name}_tok"] = (lo[i][0], hi[i][0]) if generates else (0.0, 0.0)
        c[f"{name}_req"] = (lo[i][1], hi[i][1]) if generates else (0.0, 0.0)
    return c


class Tables:
    """Per record: resolution/*.csv keyed as the records name things."""

    def __init__(self, pack):
        def table(name, *key):
            return {tuple(r[k] for k in key): r for r in pack.rows(f"resolution/{name}.csv")}

        self.m = {k: c["value"] for k, c in json.loads(pack.open("method.json").read())["constants"].items()}
        models = table("models", "usage_kind", "provider", "model", "model_resolved")
        self.models = {k: model_coefficients(r, self.m) for k, r in models.items()}
        self.providers = table("providers", "provider")
        self.seats = table("seat_tools", "provider", "model")
        self.zones = table("zones", "usage_kind", "provider", "model", "zone")
        self.grid = table("grid", "grid_zone", "year", "scope2_boundary")
        self.spend = table("spend_factors", "usage_kind")
        self.rates = {k[0]: num(r["usd_per_unit"]) for k, r in table("currencies", "currency").items()}
        self.instruments = list(pack.rows("resolution/instruments.csv"))


def activity(r):
    """The activity figures of a record, and whether it is spend-based (a cost, no activity)."""
    a = {k: num(r[k] or "0") for k in ACTIVITY}
    kind, nothing = r["usage_kind"], a["requests"] == 0
    days = a["active_user_days"] if kind == "seat_activity" else a["output_tokens"] if kind == "tokens" else 1
    a["spend"] = nothing and days == 0 and a["cost"] != 0
    a["own"] = r["self_hosted"].lower() == "true" and not a["spend"]
    return a


def energy_of(t, r, a, g):
    """(low, high, central) kWh, (low, high, central) prefill kWh, coefficients (token rows) of a record."""
    kind, zero = r["usage_kind"], (0.0, 0.0, 0.0)
    if a["spend"]:
        return (NAN,) * 3, (NAN,) * 3, None
    if kind == "tokens":
        c = t.models[(kind, r["provider"], r["model"], r["model_resolved"])]
        out, req, inp, cached = a["output_tokens"], a["requests"], a["input_tokens"], a["cached_input_tokens"]
        pre = [inp * c["prefill"][i] + cached * c["cached"][i] for i in (0, 1)]
        eco = [out * c["energy_tok"][i] + req * c["energy_req"][i] for i in (0, 1)]
        low, high = eco[0] + pre[0], eco[1] + pre[1]
        return (low, high, (low + high) / 2), (pre[0], pre[1], (pre[0] + pre[1]) / 2), c
    if kind == "seat_activity":
        s = t.seats[(r["provider"], r["model"])]
        wh = [num(s[f"wh_per_interaction{x}"]) / 1000 for x in ("_low", "_high", "")]
        if a["requests"] > 0:  # the source counted the interactions
            return tuple(a["requests"] * w for w in wh), zero, None
        ipd = [num(s[f"interactions_per_day{x}"]) for x in ("_low", "_high", "")]
        per_day = [d * w for d, w in zip(ipd, wh, strict=True)]  # both at their extreme (sets before seat_range)
        if t.m.get("seat_range") == "log_quadrature":  # independent factors: log bound ratios in quadrature
            lo = spread((ipd[2], ipd[0]), (wh[2], wh[0]))
            hi = spread((ipd[1], ipd[2]), (wh[1], wh[2]))
            per_day = [per_day[2] / lo, per_day[2] * hi, per_day[2]]
        return tuple(a["active_user_days"] * d for d in per_day), zero, None
    if kind == "measured_energy":
        pue = num(g["facility_pue"])
        kwh = a["measured_energy_kwh"] * (t.m["measured_energy_pue"] if math.isnan(pue) else pue)
        return (kwh, kwh, kwh), zero, None
    return zero, zero, None


def impacts(t, r, a, g, energy, c):
    """Expected per-record figures but the market-based ones and the energy mix."""
    e_lo, e_hi, e_c = energy
    tokens, out, req = r["usage_kind"] == "tokens", a["output_tokens"], a["requests"]
    grid = num(g["gco2e_per_kwh"])
    if a["spend"]:
        usd = 1.0 if not r["currency"] else t.rates.get(r["currency"].upper(), NAN)
        kg = a["cost"] * usd * num(t.spend[(r["usage_kind"],)]["kgco2e_per_usd"])
        location = (kg * t.m["spend_low_factor"], kg * t.m["spend_high_factor"], kg)
    else:
        location = (e_lo * grid / 1000, e_hi * grid / 1000, e_c * grid / 1000)

    def lin(name):
        return tuple(out * c[f"{name}_tok"][i] + req * c[f"{name}_req"][i] for i in (0, 1)) if c else (0.0, 0.0)

    p = t.providers.get((r["provider"],))
    onsite = (num(p["onsite_water_l_per_kwh_low"]), num(p["onsite_water_l_per_kwh_high"])) if p else (NAN, NAN)
    wue, f = num(g["wue_l_per_kwh"]), {"co2e_location_kg": location, "grid_gco2e_per_kwh": grid}

    def combine(k_lo, k_hi, k_c, emb):
        lo, hi = e_lo * k_lo + emb[0], e_hi * k_hi + emb[1]
        return (lo, hi, (lo + hi) * 0.5 if tokens else e_c * k_c + (emb[0] + emb[1]) / 2)

    f["water_l"] = combine(onsite[0] + wue, onsite[1] + wue, (onsite[0] + onsite[1]) / 2 + wue, (0.0, 0.0))
    for name, col in (("adpe", "adpe_kgsbeq"), ("pe", "pe_mj")):
        k = num(g[f"{col}_per_kwh"])
        f[col] = combine(k, k, k, lin(name))
    f["co2e_embodied_kg"] = (out * sum(c["gwp_tok"]) / 2 + req * sum(c["gwp_req"]) / 2) if c else 0.0
    return f


def allocate(t, own_rows):
    """Contractual instruments over the self-hosted kWh of their zone and period, pro rata, in the pack's order:
    per row index, covered kWh, kg at the instruments' rates and kWh per energy source."""
    remaining = {i: e for i, (_day, _zone, e) in own_rows.items()}
    cover = defaultdict(lambda: {"kwh": 0.0, "kg": 0.0, "renewable": 0.0, "nuclear": 0.0, "fossil": 0.0})
    for inst in t.instruments:
        start, end, zone = inst["period_start"], inst["period_end"], inst["grid_zone"]
        rows = [i for i, (day, z, _e) in own_rows.items() if z == zone and start <= day <= end and remaining[i] > 0]
        need, avail = sum(remaining[i] for i in rows), num(inst["mwh"]) * 1000.0
        if need <= 0 or avail <= 0:
            continue
        share = min(1.0, avail / need)
        for i in rows:
            take = remaining[i] * share
            remaining[i] -= take
            cover[i]["kwh"] += take
            cover[i]["kg"] += take * num(inst["gco2e_per_kwh"]) / 1000.0
            cover[i][inst["energy_source"]] += take
    return cover


def market_and_mix(a, g, energy, location, cov):
    """Market-based CO2e (Scope 2 rows: instruments, then the residual mix) and the E1-5 split of a record."""
    e_lo, e_hi, e_c = energy
    if not a["own"]:  # Scope 3 (and spend-based) rows: market = location, no E1-5 energy
        return {"co2e_market_kg": location, **dict.fromkeys(MIX, 0.0)}
    covered = cov["kwh"] if cov else 0.0
    fraction = covered / e_c if e_c > 0 else 0.0
    rate = cov["kg"] / covered if covered > 0 else 0.0
    kg_per_kwh = fraction * rate + (1 - fraction) * num(g["residual_gco2e_per_kwh"]) / 1000
    nuc, uncovered = num(g["nuclear_fraction_of_non_renewable"]), e_c - covered
    by = cov or {"renewable": 0.0, "nuclear": 0.0, "fossil": 0.0}
    mix = (covered, uncovered * (1 - nuc) + by["fossil"], uncovered * nuc + by["nuclear"], by["renewable"])
    market = (e_lo * kg_per_kwh, e_hi * kg_per_kwh, e_c * kg_per_kwh)
    return {"co2e_market_kg": market, **dict(zip(MIX, mix, strict=True))}


def check_records(pack, report):
    """Every record's figures from its activity data and resolution/ (a first pass allocates the instruments)."""
    t, own_rows, failed = Tables(pack), {}, set()

    def derived():
        for i, r in enumerate(pack.rows("records.csv")):
            a = activity(r)
            try:
                zone = t.zones[(r["usage_kind"], r["provider"], r["model"], r["zone"])]["grid_zone"]
                g = t.grid[(zone, str(int(r["day"][:4])), str(int(a["own"])))]
                yield (i, r, a, zone, g, *energy_of(t, r, a, g))
            except KeyError as missing:  # a name the resolution tables do not hold
                failed.add(str(missing))

    for i, r, a, zone, _g, energy, _prefill, _c in derived():
        if a["own"]:
            own_rows[i] = (r["day"][:10], zone, nz(energy[2]))
    cover = allocate(t, own_rows)
    for i, r, a, zone, g, energy, prefill, c in derived():
        f = impacts(t, r, a, g, energy, c)
        f.update(market_and_mix(a, g, energy, f["co2e_location_kg"], cover.get(i)))
        f.update(energy_kwh=energy, energy_prefill_kwh=prefill)
        for column in RANGED:
            for suffix, value in zip(("_low", "_high", ""), f[column], strict=True):
                report.record(r, column + suffix, value)
        for column in SINGLE:
            report.record(r, column, f[column])
        report.record(r, "grid_zone", zone, exact=True)
        report.record(r, "scope", "scope2" if r["self_hosted"].lower() == "true" else "scope3_cat1", exact=True)
    for missing in sorted(failed):
        report.fail("resolution", f"no row for {missing} in resolution/")
    report.records()


# ---- the disclosed figures, from records.csv


BREAKDOWNS = ("by_month", "by_source", "by_provider", "by_model", "by_team", "by_scope")


def aggregate(pack, families, no_team, primary):
    """One pass over records.csv: the ranged sums, the plain sums, the breakdowns and the counts per run."""
    sums = {s: Ranged() for s in STREAMS}
    plain = defaultdict(float)
    breakdowns = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0.0, 0, 0]))
    runs = defaultdict(int)
    for r in pack.rows("records.csv"):
        kind, quality = r["usage_kind"], r.get("data_quality", "")
        group = f"tokens|{r['provider']}|{r['model']}" if kind == "tokens" else kind
        group = "spend_based" if quality == "spend_based" else group
        where = {"own": r["scope"] == "scope2", "bought": r["scope"] == "scope3_cat1"}
        where["all"] = where["own"] or where["bought"]
        for column, mask in STREAMS:
            if where[mask] and column in r:
                sums[(column, mask)].add(group, *(num(r[column + x]) for x in ("", "_low", "_high")))
        if where["own"]:
            for column in ("fossil_kwh", "nuclear_kwh", "renewable_kwh"):
                plain[column] += nz(num(r[column]))
        if where["bought"] and quality in primary:
            plain["primary_kg"] += nz(num(r["co2e_location_kg"]))
        values = [num(r[c]) for c in ("energy_kwh", "co2e_location_kg", "co2e_market_kg")]
        family = families.get(r["model"]) if families is not None else None
        source, provider, team = (unquote(r[c]) for c in ("source", "provider", "team"))  # as snapshot.json spells
        keys = (r["day"][:7], source, provider, family, team or no_team, r["scope"])
        for name, key in zip(BREAKDOWNS, keys, strict=True):
            if key is None:
                continue
            row = breakdowns[name][key]
            for j, v in enumerate(values):
                row[j] += nz(v)
            row[3] += 1
            row[4] += int(num(r["requests"] or "0"))
        runs[r["run_id"]] += 1
    return sums, plain, breakdowns, runs


def figures(sums, plain, inputs, cat3=(0.0, 0.0, 0.0)):
    """Datapoint (or figure) id -> (value, low, high), as the snapshot's catalogue names them; `cat3`, Scope 3
    category 3 in tCO2e, adds to Scope 3 and the totals."""

    def pct(part, whole):
        return 100.0 * part / whole if whole else None

    revenue, price = inputs.get("net_revenue_eur"), inputs.get("internal_carbon_price_eur_per_t")
    energy = sums[("energy_kwh", "own")].tonnes()
    fossil, nuclear, renewable = (plain[c] / 1000 for c in ("fossil_kwh", "nuclear_kwh", "renewable_kwh"))
    s2_loc, s2_mkt = sums[("co2e_location_kg", "own")].tonnes(), sums[("co2e_market_kg", "own")].tonnes()
    s3_cat1 = sums[("co2e_location_kg", "bought")].tonnes()
    s3, total_loc, total_mkt = (parts.plus(sums[(c, m)].tonnes(), cat3) for c, m in STREAMS[3:6])

    def per_revenue(t):
        return tuple(x / revenue for x in t) if revenue else (None, None, None)

    one = (fossil, nuclear, pct(nuclear, energy[0]), renewable, renewable, pct(renewable, energy[0]))
    one += (pct(fossil, energy[0]), pct(plain["primary_kg"] / 1000, s3[0]), revenue)
    ids = words("E1-5_02 E1-5_03 E1-5_04 E1-5_05 E1-5_07 E1-5_09 E1-5_15 E1-6_25 E1-6_34")
    out = {k: (v, None, None) for k, v in zip(ids, one, strict=True)}
    ranged = (energy, s2_loc, s2_mkt, s3, s3_cat1, s3_cat1, cat3, total_loc, total_mkt)
    ranged += (per_revenue(total_loc), per_revenue(total_mkt))
    ids = "E1-5_01 E1-6_09 E1-6_10 E1-6_11 E1-6_11/cat1 E1-6_11/cloud E1-6_11/cat3 E1-6_12 E1-6_13 E1-6_30 E1-6_31"
    ids = words(ids)
    out.update(zip(ids, ranged, strict=True))
    # VSME B3: the same sums; its intensity is Scope 1 + 2 (AI Scope 1 nil) per turnover, without Scope 3
    ids = words("B3_energy_total_MWh B3_scope2_location_tCO2e B3_scope2_market_tCO2e B3_scope3_tCO2e B3_intensity")
    out.update(zip(ids, (energy, s2_loc, s2_mkt, s3, per_revenue(s2_loc)), strict=True))
    out["E3-4_AI_water"] = sums[("water_l", "all")].tonnes()  # litres -> m3
    out["E5-4_AI_adpe"] = sums[("adpe_kgsbeq", "all")].tonnes(scale=1)
    out["E5-4_AI_pe"] = sums[("pe_mj", "all")].tonnes()  # MJ -> GJ
    if price is not None:
        out["E1-8_04"] = (price, None, None)
        out["E1-8_07"] = (pct(s2_mkt[0], s2_mkt[0]), None, None)
        out["E1-8_08"] = (pct(s3[0], s3[0]), None, None)
    return out


def check_figures(pack, report):
    """snapshot.json's datapoints, breakdowns and runs against records.csv; datapoints.csv against snapshot.json."""
    snapshot = json.loads(pack.open("snapshot.json").read())
    name = "resolution/model_families.csv"
    families = {r["model"]: unquote(r["family"]) for r in pack.rows(name)} if name in pack.names else None
    rules = (json.loads(pack.open("method.json").read()) if "method.json" in pack.names else {}).get("rules") or {}
    primary = set(rules.get("primary_data_quality") or ("measured", "measured_it"))
    sums, plain, breakdowns, runs = aggregate(pack, families, rules.get("no_team_label", "(no team)"), primary)
    cat3 = parts.check(pack, snapshot, report, num, nz)  # Scope 3 category 3, from Scope 2's kWh per zone
    expected = figures(sums, plain, snapshot.get("inputs") or {}, cat3)
    for dp in snapshot.get("datapoints") or []:
        figure = dp.get("figure") or dp["id"]
        if figure not in expected:
            report.fail(f"datapoint {dp['id']}", f"no formula for figure {figure!r}")
            continue
        for key, value in zip(("value", "low", "high"), expected[figure], strict=True):
            if value is not None or dp.get(key) is not None:
                report.check(f"datapoint {dp['id']} {key}", dp.get(key), value)
        previous, value = dp.get("comparative"), dp.get("value")
        change = 100.0 * (value - previous) / previous if previous and value is not None else None
        if change is not None or dp.get("change_pct") is not None:
            report.check(f"datapoint {dp['id']} change_pct", dp.get("change_pct"), change)
    for row in snapshot.get("not_carried") or []:  # figures the period's standard does not ask for, listed beside it
        report.check(f"not carried {row['figure']} value", row["value"], expected.get(row["figure"], (None,))[0])
    by_id = {dp["id"]: dp for dp in snapshot.get("datapoints") or []}
    for row in pack.rows("datapoints.csv") if "datapoints.csv" in pack.names else []:  # the same figures, as a table
        for key in ("value", "low", "high", "comparative", "change_pct"):
            want = by_id.get(row["id"].lstrip("'"), {}).get(key)
            if want is not None or row[key]:
                report.check(f"datapoints.csv {row['id']} {key}", None if row[key] == "" else float(row[key]), want)
    for name, rows in (snapshot.get("breakdowns") or {}).items():
        if name == "by_model" and families is None:
            print("NOTE breakdown by_model not checked: the pack has no resolution/model_families.csv", file=report.out)
            continue
        if {r["key"] for r in rows} != set(breakdowns[name]):
            report.fail(
                f"breakdown {name}", f"keys {sorted(r['key'] for r in rows)}, records: {sorted(breakdowns[name])}"
            )
        for row in rows:
            values = breakdowns[name].get(row["key"], [0.0, 0.0, 0.0, 0, 0])
            for j, column in enumerate(("energy_kwh", "co2e_location_kg", "co2e_market_kg", "records", "requests")):
                report.check(f"breakdown {name} {row['key']} {column}", row[column], values[j])
    for run in [r for r in snapshot.get("runs") or [] if "records_in_period" in r]:  # older snapshots lack it
        inside = runs.get(str(run["id"]), 0)
        report.check(f"run {run['id']} records_in_period", run.get("records_in_period"), inside)
        outside = max(run["records"] - inside, 0)  # the run's file also covers days outside the period
        report.check(f"run {run['id']} records_outside_period", run.get("records_outside_period"), outside)


def main(argv):
    """Check the pack at argv[1] (a zip or a directory; default: this script's directory)."""
    path = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    pack, report = Pack(path), Report()
    if "SHA256SUMS" in pack.names:
        check_files(pack, report)
    if "method.json" in pack.names and "resolution/models.csv" in pack.names:
        check_records(pack, report)
    else:
        print("NOTE no method.json / resolution/: per-record figures not re-derived", file=report.out)
    check_figures(pack, report)
    print(f"{report.ok} figures OK, {report.bad} differ", file=report.out)
    return 1 if report.bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
