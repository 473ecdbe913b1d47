"""The costs app's background task, sent through apps.connectors.dispatch (a Celery worker or the thread pool)."""

from celery import shared_task


@shared_task(name="costs.warm_caches")
def warm_caches(organisation_id: int) -> dict:
    """Compute an organisation's first-view figures into the shared cache after a change (apps.costs.warm)."""
    from .warm import warm

    return warm(organisation_id)
