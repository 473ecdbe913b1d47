from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "apps.disclosures"
    label = "disclosures"

    def ready(self):
        from apps.footprint.locks import register_locked_ranges

        from .locks import signed_off_ranges

        register_locked_ranges(signed_off_ranges)
