import json

from django.core.management.base import BaseCommand, CommandError

from apps.footprint.calculator import estimate_request
from apps.footprint.factors import FactorLookupError
from apps.footprint.services import default_factor_set_version, load_factor_set


class Command(BaseCommand):
    help = "Energy and CO2e of LLM requests with the built-in factor set (EcoLogits method)."

    def add_arguments(self, parser):
        parser.add_argument("--provider", required=True)
        parser.add_argument("--model", required=True)
        parser.add_argument("--output-tokens", type=int, required=True)
        parser.add_argument("--input-tokens", type=int, default=0, help="uncached prompt tokens")
        parser.add_argument("--cached-input-tokens", type=int, default=0, help="prompt tokens read from cache")
        parser.add_argument("--requests", type=int, default=1)
        parser.add_argument("--zone", help="country (FR, FRA) or provider:region; default: the provider's")
        parser.add_argument("--year", type=int, help="grid year; default: the latest data")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, **o):
        factor_set = load_factor_set(default_factor_set_version())
        try:
            result = estimate_request(
                o["provider"],
                o["model"],
                o["output_tokens"],
                o["input_tokens"],
                o["requests"],
                o["zone"],
                o["year"],
                factor_set=factor_set,
                cached_input_tokens=o["cached_input_tokens"],
            )
        except (FactorLookupError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if o["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"{result['provider']}/{result['model']}: {result['energy_kwh'] * 1000:.3f} Wh "
            f"({result['energy_kwh_low'] * 1000:.3f}–{result['energy_kwh_high'] * 1000:.3f}), "
            f"{result['co2e_kg'] * 1000:.3f} gCO2e in {result['zone']} "
            f"at {result['grid_gco2e_per_kwh']:.0f} gCO2e/kWh, {result['water_l']:.4f} L water, "
            f"{result['pe_mj']:.4f} MJ primary energy, {result['adpe_kgsbeq']:.3g} kgSbeq "
            f"[{result['method_version']}]"
        )
