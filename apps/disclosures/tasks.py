"""The disclosures' background tasks, sent through apps.connectors.dispatch (a Celery worker or the thread pool).

Thin: the work and its state transitions live in services (sign-off) and period_exports (exports), imported
when the task runs, because those modules send these tasks."""

from celery import shared_task


@shared_task(name="disclosures.complete_sign_off", acks_late=True)
def complete_sign_off(period_id: int) -> str:
    """Freeze a period whose sign-off was requested; returns its status afterwards."""
    from .services import complete_sign_off as freeze

    return freeze(period_id=period_id)


@shared_task(name="disclosures.render_export", acks_late=True)
def render_export(export_id: int) -> str:
    """Render one requested export and keep it; returns its state afterwards."""
    from .period_exports import run_export

    return run_export(export_id=export_id)
