from celery import shared_task

from .models import ReportingPeriod
from .period_exports import EXPORT_FORMATS, export


@shared_task(name="disclosures.render_exports", acks_late=True)
def render_exports(period_id: int) -> list[str]:
    """Render and keep every export of a signed-off version, so downloads never wait on rendering."""
    period = ReportingPeriod.objects.get(pk=period_id)
    if not period.is_signed_off:
        return []
    done = []
    for fmt in EXPORT_FORMATS:
        if not period.exports.filter(format=fmt).exists():
            export(period, fmt, user=None, log=False)
            done.append(fmt)
    return done
