from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(using="default", **kwargs) -> None:
    """After `migrate`: the database cache's table (settings.CACHES without Redis), when it is missing."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self):
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="accounts.create_cache_table")
