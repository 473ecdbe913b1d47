"""The days an API price starts, told to the person rollup (apps.footprint.rollups), which cuts its months at
them so that every token of a person is priced at its own day's price; a price added, moved or removed sums
the months concerned again, in the transaction that saves it."""

from __future__ import annotations

from apps.footprint import rollups

from .models import ModelPrice


def price_change_days_of(organisation_id: int) -> set:
    """The days a price of the organisation starts on (cost.price_change_days, by organisation id)."""
    return set(ModelPrice.objects.filter(organisation_id=organisation_id).values_list("valid_from", flat=True))


def remember_price_day(sender, instance, **kwargs) -> None:
    """pre_save of a ModelPrice: the day it started on before (a moved price uncuts that month)."""
    old = (
        ModelPrice.objects.filter(pk=instance.pk).values_list("valid_from", flat=True).first() if instance.pk else None
    )
    instance._old_valid_from = old


def refresh_price_months(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a ModelPrice: the months its old and new first days fall in, summed again
    (a price starting on the 1st cuts nothing, but its month is refreshed all the same: cheap and simple)."""
    days = {instance.valid_from, getattr(instance, "_old_valid_from", None)} - {None}
    rollups.refresh_people(instance.organisation_id, {rollups.month_start(day) for day in days})
