"""Multi-criteria impacts as EcoLogits computes them: water consumption (L), abiotic depletion (kgSbeq) and
primary energy (MJ), per row with its low/high range, whatever the usage kind.

* Water (ecologits request_usage_wcf): IT energy x (data-centre WUE + PUE x the mix's water per kWh), that is
  energy at the meter x (WUE / PUE + the mix's L/kWh): on-site cooling water plus the water of generating the
  electricity off site. Low with the low PUE and WUE, high with the high ones, as EcoLogits pairs them.
* ADPe and PE: energy x the mix's factor (request_usage_adpe / _pe) plus the embodied share of the hardware
  (request_embodied_adpe / _pe, token rows only, as embodied GHG).

The data-centre PUE and WUE are the provider's (ecologits' PROVIDER_CONFIG_MAP), else the range of all
providers (seat tools, own hardware: their site WUE is not known). No Django."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..factor_set import FactorSet
from .ranges import RangeValue


class ZoneMix(NamedTuple):
    """Per row: the zone's mix impacts per kWh (NaN when the set has none)."""

    adpe_kgsbeq_per_kwh: np.ndarray
    pe_mj_per_kwh: np.ndarray
    wue_l_per_kwh: np.ndarray


class MultiCriteria(NamedTuple):
    """Per row, with ranges."""

    water_l: RangeValue
    adpe_kgsbeq: RangeValue
    pe_mj: RangeValue


def onsite_water_per_kwh(fs: FactorSet, keys: list[tuple], key_id: np.ndarray) -> RangeValue:
    """Per row, from its distinct (kind, provider, model) key: data-centre litres per kWh at the meter
    (WUE / PUE), low and high; the range over all providers when the provider has no data-centre row."""
    rows = fs.tables["provider_datacenters"].records()
    every = (min(r["wue_min"] / r["pue_min"] for r in rows), max(r["wue_max"] / r["pue_max"] for r in rows))
    low, high = np.zeros(len(keys)), np.zeros(len(keys))
    for i, (_, provider, _) in enumerate(keys):
        dc = fs.datacenter(provider)
        low[i], high[i] = (dc["wue_min"] / dc["pue_min"], dc["wue_max"] / dc["pue_max"]) if dc else every
    return RangeValue(low[key_id], high[key_id])


def zone_mix(fs: FactorSet, zone_names: list[str], zone_id: np.ndarray) -> ZoneMix:
    """The mix impacts of each row's grid zone, looked up once per distinct zone key."""
    nan = {"adpe_kgsbeq_per_kwh": np.nan, "pe_mj_per_kwh": np.nan, "wue_l_per_kwh": np.nan}
    found = [fs.electricity_impacts(z) or nan for z in zone_names]
    per_key = {name: np.array([float(f[name]) for f in found] or [np.nan]) for name in nan}
    return ZoneMix(*(per_key[name][zone_id] for name in ZoneMix._fields))


def multi_criteria(
    energy_kwh: RangeValue,
    onsite_l_per_kwh: RangeValue,
    mix: ZoneMix,
    embodied_adpe_kgsbeq: RangeValue,
    embodied_pe_mj: RangeValue,
    central_is_mean: np.ndarray,
) -> MultiCriteria:
    """Water, ADPe and PE of each row from its energy (kWh at the meter, usage phase) and embodied shares.

    The central figure is the mean of low and high where the energy's is (token rows, as EcoLogits' RangeValue),
    else the central energy times the central factors."""

    energy_central = energy_kwh.value  # computed once: 1M-row arrays, in place below where possible

    def combine(per_kwh_low, per_kwh_high, per_kwh_central, embodied: RangeValue | None) -> RangeValue:
        low = energy_kwh.low * per_kwh_low
        high = energy_kwh.high * per_kwh_high
        central = energy_central * per_kwh_central
        if embodied is not None:
            low += embodied.low
            high += embodied.high
            central += embodied.value
        mean = low + high
        mean *= 0.5
        return RangeValue(low, high, np.where(central_is_mean, mean, central))

    water = combine(
        onsite_l_per_kwh.low + mix.wue_l_per_kwh,
        onsite_l_per_kwh.high + mix.wue_l_per_kwh,
        onsite_l_per_kwh.value + mix.wue_l_per_kwh,
        None,
    )
    adpe = combine(mix.adpe_kgsbeq_per_kwh, mix.adpe_kgsbeq_per_kwh, mix.adpe_kgsbeq_per_kwh, embodied_adpe_kgsbeq)
    pe = combine(mix.pe_mj_per_kwh, mix.pe_mj_per_kwh, mix.pe_mj_per_kwh, embodied_pe_mj)
    return MultiCriteria(water, adpe, pe)
