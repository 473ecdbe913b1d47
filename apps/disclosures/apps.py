from django.apps import AppConfig

from apps.footprint.locks import register_locked_ranges


class DisclosuresConfig(AppConfig):
    name = "apps.disclosures"
    label = "disclosures"

    def ready(self):
        from .locks import signed_off_ranges  # models are loaded only once the registry is ready

        register_locked_ranges(signed_off_ranges)
