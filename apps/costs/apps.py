from django.apps import AppConfig

from apps.connectors.run_panels import register_run_panel
from apps.disclosures.assumptions import register_assumptions


class CostsConfig(AppConfig):
    name = "apps.costs"
    label = "costs"

    def ready(self):
        from .frugality import frugality_for_methodology  # models are loaded only once the registry is ready
        from .reconciliation import run_panel

        register_assumptions(frugality_for_methodology)
        register_run_panel(run_panel)
