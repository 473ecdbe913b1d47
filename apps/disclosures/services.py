"""Reporting periods: creating them, their inputs, review, sign-off and restatement.

The figures are computed in apps.disclosures.snapshots and the exports rendered in apps.disclosures.period_exports;
this module is the one callers use (pages, the API, the command, tasks), so it names those too.
"""

import datetime as dt
import gzip
import logging

from django.db import transaction
from django.utils import timezone

from apps.accounts import audit
from apps.accounts.permissions import SIGN_OFF, WRITE, has_permission
from apps.connectors import leases
from apps.connectors.dispatch import dispatch
from apps.core.errors import DomainError
from apps.footprint.locks import wait_for_writers
from apps.footprint.models import FactorSetVersion

from . import e1
from .errors import DisclosureError
from .models import PeriodStatus, ReportingPeriod, Standard
from .period_exports import (
    EXPORT_FORMATS,
    TASK_FORMATS,
    ExportNotReady,
    datapoints_json,
    download,
    export,
    export_file,
    factor_tables,
    queue_all_exports,
    render,
    request_export,
    task_status,
)
from .snapshots import build_snapshot, code_version, estimate_period, latest_version, records_of, snapshot_of
from .tasks import complete_sign_off as complete_sign_off_task

log = logging.getLogger(__name__)

__all__ = [
    "EXPORT_FORMATS",
    "TASK_FORMATS",
    "DisclosureError",
    "ExportNotReady",
    "build_snapshot",
    "code_version",
    "complete_sign_off",
    "create_period",
    "datapoints_json",
    "differences",
    "download",
    "estimate_period",
    "export",
    "export_file",
    "factor_tables",
    "latest_version",
    "records_of",
    "render",
    "reopen",
    "request_export",
    "request_sign_off",
    "sign_off",
    "snapshot_of",
    "submit_for_review",
    "task_status",
    "update_inputs",
]


def create_period(organisation, user, start: dt.date, end: dt.date, **fields) -> ReportingPeriod:
    """A new draft period (version 1); it may not exist already nor overlap another one."""
    if end < start:
        raise DisclosureError("The period must end on or after its start.")
    if latest_version(organisation, start, end):
        raise DisclosureError("This period already exists.")
    overlap = ReportingPeriod.objects.for_org(organisation).filter(start__lte=end, end__gte=start)
    if overlap.exists():
        raise DisclosureError("This period overlaps another reporting period.")
    _check_standard(start, fields.get("standard"))
    period = ReportingPeriod.objects.create(organisation=organisation, start=start, end=end, **fields)
    audit.record(organisation, user, "period.create", f"Reporting period {period} created", period)
    return period


# C(2026) 5010: the revised standards apply to financial years beginning on or after 1 January 2027 (Art. 3);
# for financial years starting in 2026 an undertaking may already apply them (Art. 2). Not before.
REVISED_FIRST_START = dt.date(2026, 1, 1)
REVISED_MANDATORY_START = dt.date(2027, 1, 1)


def _check_standard(start: dt.date, standard: str | None) -> None:
    if standard == Standard.REVISED_2026 and start < REVISED_FIRST_START:
        raise DisclosureError(
            "The revised ESRS (C(2026) 5010) may be applied to financial years starting on or after 1 January 2026 "
            "(Art. 2 and 3); this period starts earlier: report it under ESRS Set 1."
        )


def update_inputs(period: ReportingPeriod, user, **fields) -> ReportingPeriod:
    """Net revenue, internal carbon price, variant, standard: only while the version is not signed off."""
    if period.is_signed_off:
        raise DisclosureError("This period is signed off and cannot change; reopen it to restate.")
    if period.is_signing:
        raise DisclosureError("This period is being signed off and cannot change.")
    _check_standard(period.start, fields.get("standard"))
    for name, value in fields.items():
        setattr(period, name, value)
    period.save()
    audit.record(
        period.organisation,
        user,
        "period.inputs",
        f"Inputs of {period} changed",
        period,
        **{k: str(v) for k, v in fields.items()},
    )
    return period


# ---- workflow ----------------------------------------------------------------------------------


def _require(membership, action, message):
    if not has_permission(membership, action):
        raise DisclosureError(message)


def submit_for_review(period: ReportingPeriod, membership) -> ReportingPeriod:
    _require(membership, WRITE, "Your role cannot submit a period for review.")
    if period.status != PeriodStatus.DRAFT:
        raise DisclosureError("Only a draft can be submitted for review.")
    period.status = PeriodStatus.IN_REVIEW
    period.submitted_by = membership.user
    period.save()
    audit.record(period.organisation, membership.user, "period.review", f"{period} submitted for review", period)
    return period


FOUR_EYES = (
    "Four eyes: {who} submitted this period for review and cannot also sign it off; another officer or an admin "
    "signs off (an admin may allow a single signer on the organisation)."
)
NOT_REVIEWED = (
    "Four eyes: submit the period for review first; another officer or an admin then signs it off (an admin may "
    "allow a single signer on the organisation)."
)


def _refuse_sign_off(period: ReportingPeriod, user=None) -> None:
    """The rules every sign-off path applies: state, latest version, and four eyes (reviewer ≠ signer)."""
    if not period.is_signed_off and not period.is_signing and not period.organisation.single_signer_allowed:
        if period.status != PeriodStatus.IN_REVIEW:
            raise DisclosureError(NOT_REVIEWED)
        if user is not None and period.submitted_by_id == user.pk:
            raise DisclosureError(FOUR_EYES.format(who=user.email))
    if period.is_signed_off:
        raise DisclosureError("This period is already signed off.")
    if period.is_signing:
        raise DisclosureError("This period is already being signed off; wait for it to finish.")
    if latest_version(period.organisation, period.start, period.end) != period:
        raise DisclosureError("A newer version of this period exists; sign off that one.")


@transaction.atomic
def sign_off(period: ReportingPeriod, membership, comment: str = "", accept_unverified: bool = False):
    """Freeze the disclosure in the caller (commands, the demo, tests): snapshot, its SHA-256, the records as
    disclosed; lock the period. Pages and the API use request_sign_off, which freezes in a task."""
    _require(membership, SIGN_OFF, "Only a sustainability officer or an admin can sign off.")
    period = ReportingPeriod.objects.select_for_update().select_related("organisation").get(pk=period.pk)
    _refuse_sign_off(period, membership.user)
    if accept_unverified:
        period.unverified_factors_exception = _exception_comment(comment)
    # Writers that found the days open finish first; later ones wait for this transaction and then see it locked.
    wait_for_writers(period.organisation)
    return _freeze(period, membership.user, comment)


@transaction.atomic
def request_sign_off(
    *, period: ReportingPeriod, membership, comment: str = "", accept_unverified: bool = False
) -> ReportingPeriod:
    """Ask for sign-off and answer at once: the period becomes "signing off" (its days lock now, so nothing
    changes under the freeze) and a task freezes it (complete_sign_off). A second request while one runs is
    refused (409). `accept_unverified`: the signer signs off although factors are still to verify, as an explicit
    exception whose comment is required and kept (on the period, in the snapshot and the audit log)."""
    _require(membership, SIGN_OFF, "Only a sustainability officer or an admin can sign off.")
    period = ReportingPeriod.objects.select_for_update().select_related("organisation").get(pk=period.pk)
    _refuse_sign_off(period, membership.user)
    exception = _exception_comment(comment) if accept_unverified else ""
    ReportingPeriod.objects.filter(pk=period.pk).update(
        unverified_factors_exception=exception,
        status=PeriodStatus.SIGNING,
        status_before_sign_off=period.status,
        signed_off_by=membership.user,
        sign_off_comment=comment,
        sign_off_error="",
        heartbeat_at=timezone.now(),  # the task's lease: the reaper sends it again if it is lost
        resends=0,
    )
    audit.record(
        period.organisation, membership.user, "period.sign_off_requested", f"Sign-off of {period} requested", period
    )
    dispatch(complete_sign_off_task, period.pk)
    period.refresh_from_db()
    return period


def complete_sign_off(*, period_id: int) -> str:
    """The sign-off task's body: freeze a period that is signing off. Returns its status afterwards.

    The figures are computed outside any transaction (only reads: the period's days are locked since the
    request, so they cannot move), then written in a short one; on SQLite a long transaction would hold the
    database's one write lock for the whole computation. If freezing fails, the period returns to the status
    it had, unlocked, with the reason on it (shown on its page)."""
    period = ReportingPeriod.objects.filter(pk=period_id).select_related("signed_off_by").first()
    if period is None or not period.is_signing:
        return period.status if period else "missing"  # a second delivery of a finished task
    restored = period.status_before_sign_off or PeriodStatus.DRAFT
    try:
        # The period has been signing since the request committed: a write still in flight found its days open
        # before that and may yet commit. Wait for it, so the snapshot holds every record the period will ever
        # hold; a later write sees the period locked (footprint.locks). Held only for the wait, not the compute.
        with transaction.atomic():
            wait_for_writers(period.organisation)
        with leases.heartbeat(ReportingPeriod.objects.filter(pk=period_id, status=PeriodStatus.SIGNING)):
            frozen = _compute_freeze(period, period.signed_off_by, period.sign_off_comment)
        with transaction.atomic():
            if not ReportingPeriod.objects.select_for_update().filter(pk=period_id, status=PeriodStatus.SIGNING):
                return ReportingPeriod.objects.get(pk=period_id).status
            _store_freeze(period, *frozen)
    except Exception as exc:
        if not isinstance(exc, DomainError):
            log.exception("freezing period %s failed", period_id)
        error = str(exc) if isinstance(exc, DomainError) else "An internal error stopped the sign-off."
        ReportingPeriod.objects.filter(pk=period_id, status=PeriodStatus.SIGNING).update(
            status=restored,
            status_before_sign_off="",
            signed_off_by=None,
            sign_off_error=error,
            unverified_factors_exception="",
        )
        audit.record(
            period.organisation, None, "period.sign_off_failed", f"Sign-off of {period} failed: {error}", period
        )
        return restored
    return PeriodStatus.SIGNED_OFF


def _exception_comment(comment: str) -> str:
    if not comment.strip():
        raise DisclosureError(
            "Signing off with factors still to verify is an explicit exception: say why in the comment."
        )
    return comment.strip()


def _refuse_unverified(period: ReportingPeriod, snapshot: dict) -> None:
    """Factors marked to_verify used by the figures: refuse, unless the signer recorded an exception."""
    unverified = snapshot.get("unverified_factors") or {}
    if unverified.get("records") and not period.unverified_factors_exception:
        raise DisclosureError(
            f"{unverified['records']} records use factors still marked to_verify ({unverified['what']}). Verify "
            "them, or sign off with an explicit exception and a comment saying why."
        )


def _freeze(period: ReportingPeriod, user, comment: str) -> ReportingPeriod:
    """Snapshot, its SHA-256 and the records as disclosed, stored on the period; exports queued."""
    _store_freeze(period, *_compute_freeze(period, user, comment))
    return period


def _compute_freeze(period: ReportingPeriod, user, comment: str):
    """The figures to freeze (reads only): sets the sign-off fields on `period`, returns (its time, version)."""
    now = timezone.now().replace(microsecond=0)
    period.status, period.signed_off_by, period.signed_off_at = PeriodStatus.SIGNED_OFF, user, now
    period.sign_off_comment = comment
    snapshot, records, version = build_snapshot(period, generated_at=now.isoformat())
    _refuse_unverified(period, snapshot)
    if period.unverified_factors_exception:
        snapshot["unverified_factors"]["exception"] = period.unverified_factors_exception
    period.snapshot = snapshot
    period.snapshot_sha256 = e1.snapshot_sha256(snapshot)
    period.frozen_records = gzip.compress(records.to_csv(index=False).encode("utf-8"), mtime=0)
    period.status_before_sign_off = period.sign_off_error = ""
    return now, version


def _store_freeze(period: ReportingPeriod, now, version) -> None:
    ReportingPeriod.objects.filter(pk=period.pk).update(
        status=period.status,
        signed_off_by=period.signed_off_by,
        signed_off_at=now,
        sign_off_comment=period.sign_off_comment,
        unverified_factors_exception=period.unverified_factors_exception,
        snapshot=period.snapshot,
        snapshot_sha256=period.snapshot_sha256,
        frozen_records=period.frozen_records,
        status_before_sign_off="",
        sign_off_error="",
    )
    FactorSetVersion.objects.filter(pk=version.pk, locked_at__isnull=True).update(locked_at=now)
    audit.record(
        period.organisation,
        period.signed_off_by,
        "period.sign_off",
        f"{period} signed off; snapshot {period.snapshot_sha256[:12]}",
        period,
        snapshot_sha256=period.snapshot_sha256,
        comment=period.sign_off_comment,
        unverified_factors_exception=period.unverified_factors_exception,
    )
    # Every export rendered once, by tasks, from the frozen inputs: downloads are then instant.
    queue_all_exports(period)


@transaction.atomic
def reopen(period: ReportingPeriod, membership, reason: str) -> ReportingPeriod:
    """A restatement: a new draft version; the signed-off one and its exports stay as they were."""
    _require(membership, SIGN_OFF, "Only a sustainability officer or an admin can reopen a period.")
    if not reason.strip():
        raise DisclosureError("Say why the period is reopened: the reason is part of the restatement.")
    if not period.is_signed_off:
        raise DisclosureError("Only a signed-off period can be reopened.")
    if latest_version(period.organisation, period.start, period.end) != period:
        raise DisclosureError("This version was already reopened.")
    new = ReportingPeriod.objects.create(
        organisation=period.organisation,
        start=period.start,
        end=period.end,
        version=period.version + 1,
        variant=period.variant,
        standard=period.standard,
        net_revenue_eur=period.net_revenue_eur,
        internal_carbon_price_eur_per_t=period.internal_carbon_price_eur_per_t,
        restatement_of=period,
        restatement_reason=reason.strip(),
    )
    audit.record(
        period.organisation,
        membership.user,
        "period.reopen",
        f"{period} reopened as version {new.version}: {reason.strip()}",
        new,
        reason=reason.strip(),
    )
    return new


def differences(old: dict, new: dict) -> list[dict]:
    """Figure by figure: old value, new value, change and % change (matched on the figure, so a restatement
    under another ESRS version compares the same figures)."""
    before = {dp.get("figure") or dp["id"]: dp for dp in old["datapoints"]}
    rows = []
    for dp in new["datapoints"]:
        previous = before.get(dp.get("figure") or dp["id"], {}).get("value")
        value = dp["value"]
        change = value - previous if value is not None and previous is not None else None
        pct = 100.0 * change / previous if change is not None and previous else None
        rows.append(
            {
                "id": dp["id"],
                "label": dp["label"],
                "unit": dp["unit"],
                "old": previous,
                "new": value,
                "change": change,
                "change_pct": pct,
            }
        )
    return rows
