from django.apps import AppConfig


class FootprintConfig(AppConfig):
    name = "apps.footprint"
    label = "footprint"

    def ready(self):
        from apps.accounts.services import deletion_guards

        from .services import refuse_removing_locked_attribution

        if refuse_removing_locked_attribution not in deletion_guards:
            deletion_guards.append(refuse_removing_locked_attribution)
