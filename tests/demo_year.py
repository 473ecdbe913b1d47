"""The demo year, seeded once for a module's tests to share."""

from contextlib import contextmanager

from django.conf import settings


@contextmanager
def demo_year_loaded(django_db_blocker, media, *, scale: float, year: int = 2025):
    """The demo organisation with `scale` of its year of usage and its cost inputs, for a module's tests to
    share (seeding takes seconds); uploads go to `media`; everything is rolled back at the end."""
    from django.db import transaction

    from apps.accounts.demo import seed_demo_accounts
    from apps.demo import loader
    from apps.demo.costs import seed_demo_costs

    old = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = media
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            org, _ = seed_demo_accounts(password="demo-password-for-tests")
            loader.seed_demo_people(org)
            loader.load_demo_usage(org, scale=scale, year=year)
            seed_demo_costs(org)
            yield org
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            settings.MEDIA_ROOT = old
