from django.apps import AppConfig

from apps.footprint.locks import register_locked_ranges


class DisclosuresConfig(AppConfig):
    name = "apps.disclosures"
    label = "disclosures"

    def ready(self):
        from apps.connectors.reaper import register

        from .locks import signed_off_ranges  # models are loaded only once the registry is ready
        from .reaper import reap_tasks, stuck_tasks

        register_locked_ranges(signed_off_ranges)
        register("disclosures", reap_tasks, stuck_tasks)
