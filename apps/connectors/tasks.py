import logging

from celery import shared_task
from django.contrib.auth import get_user_model

from .ingestion import execute_run
from .models import VendorCredential
from .pull import PullError
from .pull.service import pull

log = logging.getLogger(__name__)


@shared_task(name="connectors.ingest_run", bind=True, acks_late=True, reject_on_worker_lost=True)
def ingest_run(self, run_id: int) -> str:
    """Load one ingestion run. Re-delivered after a killed worker, re-sent by the reaper; execute_run makes both
    safe (the delivery's id tells a redelivery from a second message)."""
    return execute_run(run_id, task_id=self.request.id or "").status


@shared_task(name="connectors.reap")
def reap() -> dict:
    """One pass of the reaper (apps.connectors.reaper), sent by dispatch now and then."""
    from .reaper import reap as reap_once

    return reap_once()


@shared_task(name="connectors.pull_credential", acks_late=True, reject_on_worker_lost=True)
def pull_credential(credential_id: int, days: int = 3, user_id: int | None = None) -> dict:
    """Pull one enabled credential's last `days` days; `user_id` (who pressed "pull now") is recorded on
    the runs. Pulls are idempotent (natural keys), so a re-delivered task is harmless; vendor failures are
    kept on the credential, not retried here (the client already retried rate limits, and the next daily
    pull reaches back over the gap)."""
    credential = VendorCredential.objects.select_related("organisation").filter(pk=credential_id).first()
    if credential is None or not credential.enabled:
        return {"credential": credential_id, "skipped": True}
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        runs = pull(credential, days=days, user=user)
    except PullError as exc:
        return {"credential": credential_id, "error": str(exc)}
    except Exception:
        log.exception("pull of credential %s failed", credential_id)
        VendorCredential.objects.filter(pk=credential_id).update(
            last_error="internal error while pulling; see the server logs"
        )
        return {"credential": credential_id, "error": "internal error"}
    return {"credential": credential_id, "runs": [run.pk for run in runs]}


@shared_task(name="connectors.pull_all_credentials")
def pull_all_credentials(days: int = 3) -> list[int]:
    """Queue a pull of every enabled credential of every organisation (the daily beat task); one task
    each, so one vendor's failure or slowness does not hold up the others. Returns the ids queued."""
    ids = list(VendorCredential.objects.filter(enabled=True).order_by("pk").values_list("pk", flat=True))
    for credential_id in ids:
        pull_credential.delay(credential_id, days=days)
    return ids
