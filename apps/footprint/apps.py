from django.apps import AppConfig


class FootprintConfig(AppConfig):
    name = "apps.footprint"
    label = "footprint"

    def ready(self):
        # Imported here: both modules load models, which exist only once the app registry is ready.
        from django.db.models.signals import post_delete, pre_delete

        from apps.accounts.models import Person, Team
        from apps.accounts.services import register_deletion_guard

        from . import rollups
        from .services import refuse_removing_locked_attribution

        register_deletion_guard(refuse_removing_locked_attribution)
        # A removed team's records lose it (SET_NULL): the rollups of their days are summed again.
        pre_delete.connect(rollups.remember_team_days, sender=Team, dispatch_uid="rollups-team-days")
        post_delete.connect(rollups.refresh_team_days, sender=Team, dispatch_uid="rollups-team-refresh")
        # A removed person's records lose them too: the person rollups of those days are summed again.
        pre_delete.connect(rollups.remember_team_days, sender=Person, dispatch_uid="rollups-person-days")
        post_delete.connect(rollups.refresh_team_days, sender=Person, dispatch_uid="rollups-person-refresh")
