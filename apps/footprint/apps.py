from django.apps import AppConfig


class FootprintConfig(AppConfig):
    name = "apps.footprint"
    label = "footprint"

    def ready(self):
        # Imported here: both modules load models, which exist only once the app registry is ready.
        from apps.accounts.services import register_deletion_guard

        from .services import refuse_removing_locked_attribution

        register_deletion_guard(refuse_removing_locked_attribution)
