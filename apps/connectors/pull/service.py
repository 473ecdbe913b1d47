"""Pulling a credential's recent usage and loading it through the ordinary ingestion.

Each pulled document goes through store_upload + create_run + execute_run, exactly like an uploaded
file: it is stored once by SHA-256 (an identical answer is recognised and stores nothing), the run
and the records carry that file, and records are upserted by their natural key, so re-pulling
overlapping days replaces rows instead of adding them again.
"""

from __future__ import annotations

import io
import logging
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from apps.connectors import ingestion
from apps.connectors.errors import IngestionRefused
from apps.connectors.models import IngestionRun, RunStatus, Vendor, VendorCredential
from apps.connectors.storage import store_upload

from . import COST_CLIENTS, Access, PartialPull, PullError, fetch, fetch_costs
from .aws_bedrock_logs import pack_secret
from .crypto import SecretUnreadable

log = logging.getLogger(__name__)

DEFAULT_DAYS = 3
MAX_DAYS = 366


def add_credential(
    organisation,
    *,
    vendor: str,
    label: str,
    secret: str,
    base_url: str = "",
    github_org: str = "",
    user=None,
    aws_access_key_id: str = "",
    aws_session_token: str = "",
    aws_region: str = "",
    log_group: str = "",
) -> VendorCredential:
    """Create an enabled credential with its secret encrypted. For Amazon Bedrock `secret` is the secret access
    key, stored encrypted together with the access key id and the optional session token."""
    credential = VendorCredential(
        organisation=organisation,
        vendor=vendor,
        label=label,
        base_url=base_url,
        github_org=github_org,
        aws_region=aws_region if vendor == Vendor.AWS_BEDROCK else "",
        log_group=log_group if vendor == Vendor.AWS_BEDROCK else "",
        created_by=user,
    )
    if vendor == Vendor.AWS_BEDROCK:
        credential.set_secret(pack_secret(aws_access_key_id, secret, aws_session_token), shown=secret)
    else:
        credential.set_secret(secret)
    with transaction.atomic():
        credential.save()
    return credential


def period(days: int = DEFAULT_DAYS, today: date | None = None) -> tuple[date, date]:
    """The UTC days a pull of the last `days` days covers: today and the days-1 before it. Today is
    partial; the next pull replaces it (natural key), which is why a daily pull reaches back."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}, got {days}")
    today = today or timezone.now().date()
    return today - timedelta(days=days - 1), today


def pull(
    credential: VendorCredential, days: int = DEFAULT_DAYS, today: date | None = None, user=None
) -> list[IngestionRun]:
    """Pull the last `days` days of `credential`'s usage (and, for OpenAI and Anthropic, their bill) and load each
    document; returns the runs
    (finished: succeeded, failed, or succeeded as a duplicate of an earlier identical file).

    Raises PullError when the vendor could not be read; the message is also kept in
    credential.last_error. A run that fails, or a part of the pull that failed while the rest was
    read (PartialPull), is reported in last_error too, without raising."""
    start_day, end_day = period(days, today)
    organisation = credential.organisation
    partial = ""
    try:
        access = Access(
            secret=credential.get_secret(),
            base_url=credential.base_url,
            github_org=credential.github_org,
            aws_region=credential.aws_region,
            log_group=credential.log_group,
        )
        documents = fetch(credential.vendor, access, start_day, end_day)
    except PartialPull as exc:
        documents, partial = exc.documents, str(exc)
    except SecretUnreadable as exc:
        _record(credential, error=str(exc), pulled=False)
        raise PullError(str(exc)) from None
    except PullError as exc:
        _record(credential, error=str(exc), pulled=False)
        raise
    if credential.vendor in COST_CLIENTS:
        # The bill, for the reconciliation: its failure leaves the usage read, and is reported like a partial pull.
        try:
            documents = [*documents, *fetch_costs(credential.vendor, access, start_day, end_day)]
        except PullError as exc:
            partial = "; ".join(p for p in (partial, f"the bill could not be read: {exc}") if p)
    runs = []
    for document in documents:
        try:
            source_file = store_upload(organisation, io.BytesIO(document.content), document.filename, user=user)
            run = ingestion.create_run(organisation, document.source_key, source_file, user=user)
        except IngestionRefused as exc:
            _record(credential, error=str(exc), pulled=True)
            raise PullError(str(exc)) from None
        if not run.is_finished:
            run = ingestion.execute_run(run.pk)
        runs.append(run)
    problems = [partial] if partial else []
    problems += [
        f"run {run.pk} ({run.source_key}) failed: {_first_error(run)}" for run in runs if run.status == RunStatus.FAILED
    ]
    _record(credential, error="; ".join(problems), pulled=True)
    log.info(
        "pulled %s credential %s for %s..%s: %d document(s), runs %s",
        credential.vendor,
        credential.pk,
        start_day,
        end_day,
        len(documents),
        [run.pk for run in runs],
    )
    return runs


def _first_error(run: IngestionRun) -> str:
    return run.errors[0]["message"] if run.errors else "see the run's page"


def _record(credential: VendorCredential, *, error: str, pulled: bool) -> None:
    """Keep the outcome on the credential without overwriting fields edited meanwhile."""
    fields = {"last_error": error[:2000]}
    if pulled:
        fields["last_pulled_at"] = timezone.now()
    with transaction.atomic():
        VendorCredential.objects.filter(pk=credential.pk).update(**fields)
    for name, value in fields.items():
        setattr(credential, name, value)
