from django.apps import AppConfig

from apps.disclosures.assumptions import register_assumptions


class CostsConfig(AppConfig):
    name = "apps.costs"
    label = "costs"

    def ready(self):
        from .frugality import frugality_for_methodology  # models are loaded only once the registry is ready

        register_assumptions(frugality_for_methodology)
