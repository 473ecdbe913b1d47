"""Writes for the cost app: licences, versioned model prices, ROI inputs and frugality assessments.
Each change is recorded in the audit log."""

from __future__ import annotations

from django.db import transaction

from apps.accounts.audit import record
from apps.core.errors import DomainError

from . import calc
from .models import FrugalityAssessment, Licence, ModelPrice, RoiAssumption


class CostInputError(DomainError, ValueError):
    """A cost input the app refuses (a licence ending before it starts, a duplicate price...), told to the user."""


def save_licence(org, user, licence: Licence | None = None, **fields) -> Licence:
    """Create or update a licence (its period must not end before it starts); audited."""
    if fields["period_end"] < fields["period_start"]:
        raise CostInputError("The licence period ends before it starts.")
    licence = licence or Licence(organisation=org)
    for key, value in fields.items():
        setattr(licence, key, value)
    licence.save()
    record(
        org,
        user,
        "licence.save",
        f"Licence {licence}",
        licence,
        seats=licence.seats_bought,
        price=str(licence.price_per_seat_month),
        currency=licence.currency,
    )
    return licence


def add_model_price(org, user, **fields) -> ModelPrice:
    """A new price row (prices are versioned: an existing row is never changed)."""
    if (
        ModelPrice.objects.for_org(org)
        .filter(provider=fields["provider"], model=fields["model"], valid_from=fields["valid_from"])
        .exists()
    ):
        raise CostInputError("A price for this model from this date exists already: use a later date.")
    price = ModelPrice.objects.create(organisation=org, created_by=user, **fields)
    record(
        org,
        user,
        "model_price.add",
        f"Price {price}",
        price,
        input=str(price.input_eur_per_mtok),
        output=str(price.output_eur_per_mtok),
        cached=str(price.cached_eur_per_mtok),
    )
    return price


def save_roi_assumption(org, user, tool: str, team=None, **fields) -> RoiAssumption:
    """Store the ROI inputs of a tool (and team); low <= central <= high or CostInputError; audited."""
    lows = (fields["minutes_saved_low"], fields["hourly_cost_low_eur"])
    mids = (fields["minutes_saved_central"], fields["hourly_cost_central_eur"])
    highs = (fields["minutes_saved_high"], fields["hourly_cost_high_eur"])
    if any(not (lo <= mid <= hi) for lo, mid, hi in zip(lows, mids, highs, strict=True)):
        raise CostInputError("Low, central and high must be in order (low <= central <= high).")
    with transaction.atomic():
        row, _ = RoiAssumption.objects.update_or_create(
            organisation=org, tool=tool, team=team, defaults={**fields, "updated_by": user}
        )
    record(
        org,
        user,
        "roi_assumption.save",
        f"ROI inputs for {row}",
        row,
        **{k: str(v) for k, v in fields.items() if not k.endswith("source")},
    )
    return row


def add_frugality_assessment(org, user, **fields) -> FrugalityAssessment:
    """Record a dated frugality assessment with its AFNOR Spec 2314 score and reasons; audited."""
    answers = {key: fields[key] for key, _ in calc.FRUGALITY_QUESTIONS}
    score, reasons = calc.frugality_score(answers)
    assessment = FrugalityAssessment.objects.create(
        organisation=org, created_by=user, score=score, reasons=reasons, **fields
    )
    record(org, user, "frugality.add", f"Frugality assessment {assessment}", assessment, score=score)
    return assessment
