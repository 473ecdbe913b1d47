"""The disclosures' pass of the reaper (apps.connectors.reaper): sign-offs and exports whose task was lost.

A sign-off stuck "signing" (its lease older than TASK_LEASE_SECONDS) and an export stuck queued (older than
TASK_QUEUED_SECONDS) or rendering (lease older than TASK_LEASE_SECONDS) are sent again: both tasks are safe to
run twice (the freeze stores only while the period is signing, an export is claimed only while queued). After
TASK_MAX_RESENDS re-sends they are failed instead, with the reason: the period returns to the status it had,
the export is marked failed and can be requested again."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.connectors import leases
from apps.connectors.dispatch import dispatch

from .models import ExportState, PeriodExport, PeriodStatus, ReportingPeriod

log = logging.getLogger(__name__)

LOST = "the task {what} was lost {n} times (its worker was killed or the task queue lost it)"


def _expired(seconds: int) -> Q:
    return Q(heartbeat_at__lt=leases.stale_before(seconds)) | Q(heartbeat_at__isnull=True)


def stale_sign_offs() -> Q:
    return Q(status=PeriodStatus.SIGNING) & _expired(leases.lease_seconds())


def stale_exports() -> Q:
    queued = Q(state=ExportState.QUEUED) & _expired(leases.queued_seconds())
    rendering = Q(state=ExportState.RENDERING) & _expired(leases.lease_seconds())
    return queued | rendering


def _reap_sign_off(period: ReportingPeriod) -> str | None:
    from .tasks import complete_sign_off

    with transaction.atomic():
        locked = ReportingPeriod.objects.select_for_update(skip_locked=True).filter(stale_sign_offs(), pk=period.pk)
        if not locked.exists():
            return None
        if period.resends >= settings.TASK_MAX_RESENDS:
            reason = LOST.format(what="freezing this period", n=period.resends + 1)
            locked.update(
                status=period.status_before_sign_off or PeriodStatus.DRAFT,
                status_before_sign_off="",
                signed_off_by=None,
                sign_off_error=f"The sign-off did not complete: {reason}. Sign off again.",
            )
            return "failed"
        locked.update(heartbeat_at=timezone.now(), resends=period.resends + 1)
        dispatch(complete_sign_off, period.pk)
        return "resent"


def _reap_export(row: PeriodExport) -> str | None:
    from .tasks import render_export

    with transaction.atomic():
        locked = PeriodExport.objects.select_for_update(skip_locked=True).filter(stale_exports(), pk=row.pk)
        if not locked.exists():
            return None
        if row.resends >= settings.TASK_MAX_RESENDS:
            reason = LOST.format(what=f"rendering the {row.format.upper()}", n=row.resends + 1)
            locked.update(
                state=ExportState.FAILED, error=f"{reason[0].upper()}{reason[1:]}.", finished_at=timezone.now()
            )
            return "failed"
        locked.update(state=ExportState.QUEUED, heartbeat_at=timezone.now(), resends=row.resends + 1)
        dispatch(render_export, row.pk)
        return "resent"


def reap_tasks() -> dict:
    """Re-send or fail lost sign-offs and exports. Returns counts by kind and outcome."""
    done = {"sign_offs_resent": 0, "sign_offs_failed": 0, "exports_resent": 0, "exports_failed": 0}
    for period in ReportingPeriod.objects.filter(stale_sign_offs()).order_by("pk")[:100]:
        if outcome := _reap_sign_off(period):
            done[f"sign_offs_{outcome}"] += 1
            log.warning("reaper: sign-off of period %s %s", period.pk, outcome)
    for row in PeriodExport.objects.filter(stale_exports()).order_by("pk")[:500]:
        if outcome := _reap_export(row):
            done[f"exports_{outcome}"] += 1
            log.warning("reaper: export %s (%s) %s", row.pk, row.state, outcome)
    return done


def stuck_tasks() -> dict:
    """Sign-offs and exports stuck now (for /healthz)."""
    return {
        "sign_offs": ReportingPeriod.objects.filter(stale_sign_offs()).count(),
        "exports": PeriodExport.objects.filter(stale_exports()).count(),
    }
