from django.apps import AppConfig

from apps.connectors.run_panels import register_run_panel
from apps.disclosures.assumptions import register_assumptions


class CostsConfig(AppConfig):
    name = "apps.costs"
    label = "costs"

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from apps.footprint.models import FactorSetVersion, RollupStamp
        from apps.footprint.rollups import register_split_days

        from . import prices_rollups, warm
        from .frugality import frugality_for_methodology  # models are loaded only once the registry is ready
        from .models import ModelPrice
        from .reconciliation import run_panel

        register_assumptions(frugality_for_methodology)
        register_run_panel(run_panel)
        # The person rollup cuts its months at the days a price starts, and is summed again when they change.
        register_split_days(prices_rollups.price_change_days_of)
        pre_save.connect(prices_rollups.remember_price_day, sender=ModelPrice, dispatch_uid="price-day-old")
        post_save.connect(prices_rollups.refresh_price_months, sender=ModelPrice, dispatch_uid="price-day-saved")
        post_delete.connect(prices_rollups.refresh_price_months, sender=ModelPrice, dispatch_uid="price-day-gone")
        # After a change, one task computes the first views' figures into the shared cache (apps.costs.warm).
        post_save.connect(warm.on_generation, sender=RollupStamp, dispatch_uid="warm-after-generation")
        post_save.connect(warm.on_factor_set, sender=FactorSetVersion, dispatch_uid="warm-after-factor-set")
