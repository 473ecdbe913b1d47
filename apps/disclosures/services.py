"""Reporting periods: creating them, their inputs, review, sign-off and restatement.

The figures are computed in apps.disclosures.snapshots and the exports rendered in apps.disclosures.period_exports;
this module is the one callers use (pages, the API, the command, tasks), so it names those too.
"""

import datetime as dt
import gzip

from django.db import transaction
from django.utils import timezone

from apps.accounts import audit
from apps.accounts.permissions import SIGN_OFF, WRITE, has_permission
from apps.footprint.models import FactorSetVersion

from . import e1
from .errors import DisclosureError
from .models import PeriodStatus, ReportingPeriod
from .period_exports import EXPORT_FORMATS, datapoints_json, export, export_file, factor_tables, render
from .snapshots import build_snapshot, code_version, estimate_period, latest_version, records_of, snapshot_of
from .tasks import render_exports

__all__ = [
    "EXPORT_FORMATS",
    "DisclosureError",
    "build_snapshot",
    "code_version",
    "create_period",
    "datapoints_json",
    "differences",
    "estimate_period",
    "export",
    "export_file",
    "factor_tables",
    "latest_version",
    "records_of",
    "render",
    "reopen",
    "sign_off",
    "snapshot_of",
    "submit_for_review",
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
    period = ReportingPeriod.objects.create(organisation=organisation, start=start, end=end, **fields)
    audit.record(organisation, user, "period.create", f"Reporting period {period} created", period)
    return period


def update_inputs(period: ReportingPeriod, user, **fields) -> ReportingPeriod:
    """Net revenue, internal carbon price, variant: only while the version is not signed off."""
    if period.is_signed_off:
        raise DisclosureError("This period is signed off and cannot change; reopen it to restate.")
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
    period.save()
    audit.record(period.organisation, membership.user, "period.review", f"{period} submitted for review", period)
    return period


@transaction.atomic
def sign_off(period: ReportingPeriod, membership, comment: str = "") -> ReportingPeriod:
    """Freeze the disclosure: snapshot, its SHA-256, the records as disclosed; lock the period."""
    _require(membership, SIGN_OFF, "Only a sustainability officer or an admin can sign off.")
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_signed_off:
        raise DisclosureError("This period is already signed off.")
    if latest_version(period.organisation, period.start, period.end) != period:
        raise DisclosureError("A newer version of this period exists; sign off that one.")
    now = timezone.now().replace(microsecond=0)
    period.status, period.signed_off_by, period.signed_off_at = PeriodStatus.SIGNED_OFF, membership.user, now
    period.sign_off_comment = comment
    snapshot, records, version = build_snapshot(period, generated_at=now.isoformat())
    period.snapshot = snapshot
    period.snapshot_sha256 = e1.snapshot_sha256(snapshot)
    period.frozen_records = gzip.compress(records.to_csv(index=False).encode("utf-8"), mtime=0)
    ReportingPeriod.objects.filter(pk=period.pk).update(
        status=period.status,
        signed_off_by=period.signed_off_by,
        signed_off_at=now,
        sign_off_comment=comment,
        snapshot=snapshot,
        snapshot_sha256=period.snapshot_sha256,
        frozen_records=period.frozen_records,
    )
    FactorSetVersion.objects.filter(pk=version.pk, locked_at__isnull=True).update(locked_at=now)
    audit.record(
        period.organisation,
        membership.user,
        "period.sign_off",
        f"{period} signed off; snapshot {period.snapshot_sha256[:12]}",
        period,
        snapshot_sha256=period.snapshot_sha256,
        comment=comment,
    )
    # Render every export once, in the background, from the frozen inputs: downloads are then instant.
    transaction.on_commit(lambda: render_exports.delay(period.pk))
    return period


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
    """Figure by figure: old value, new value, change and % change."""
    before = {dp["id"]: dp for dp in old["datapoints"]}
    rows = []
    for dp in new["datapoints"]:
        previous = before.get(dp["id"], {}).get("value")
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
