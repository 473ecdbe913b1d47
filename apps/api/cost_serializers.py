"""Serializers of the cost endpoints (apps.api.views.costs): the query and body they read, and the answers they give.

The answers are the dicts the apps.costs read modules build for the cost pages, typed here field by field so the schema
says what each figure is (money in EUR, energy in kWh, CO2e in kg); tests/api/test_costs.py checks that each
serializer gives back exactly what the selector built (same keys, same values)."""

from decimal import Decimal

from rest_framework import serializers

from apps.costs.calc import FRUGALITY_QUESTIONS
from apps.costs.models import Answer

from .not_defined import COST_IS_ZERO, NEVER_PAYS_BACK, NO_BILL, NO_BREAK_EVEN, NO_SEAT_FILE, Explained, Sentence
from .serializers import JsonStringField

# ---- What the endpoints read ---------------------------------------------------------------------------------------


class WindowQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


class FrugalitySerializer(serializers.Serializer):
    use_case = JsonStringField(max_length=200)
    team = JsonStringField(required=False, allow_blank=True, default="")
    assessed_on = serializers.DateField(required=False)
    notes = JsonStringField(required=False, allow_blank=True, default="")

    def get_fields(self):
        fields = super().get_fields()
        for key, _ in FRUGALITY_QUESTIONS:
            fields[key] = serializers.ChoiceField(choices=Answer.values)
        return fields


# ---- Shared pieces ---------------------------------------------------------------------------------------------------


class CostWindowSerializer(serializers.Serializer):
    """The days every figure covers, and the internal carbon price of the period covering its end."""

    start = serializers.DateField()
    end = serializers.DateField()
    months = serializers.FloatField()
    period_id = serializers.IntegerField(allow_null=True)
    carbon_price_eur_per_t = serializers.FloatField(allow_null=True)


# ---- Summary -------------------------------------------------------------------------------------------------------


class CostTotalsSerializer(serializers.Serializer):
    energy_kwh = serializers.FloatField()
    co2e_kg = serializers.FloatField()
    api_spend_eur = serializers.FloatField()
    licence_cost_eur = serializers.FloatField()
    total_cost_eur = serializers.FloatField()
    reported_cost_eur = serializers.FloatField()


class EquivalenceSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.FloatField()
    unit = serializers.CharField()
    of = serializers.CharField()
    source = serializers.CharField()


class MonthCostSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM; every month the window touches")
    api_spend_eur = serializers.FloatField()
    licence_cost_eur = serializers.FloatField(help_text="seats bought x price x the share of the month licensed")
    total_cost_eur = serializers.FloatField()
    energy_kwh = serializers.FloatField()
    co2e_kg = serializers.FloatField()


class TeamCostSerializer(serializers.Serializer):
    team = serializers.CharField()
    requests = serializers.IntegerField()
    active_user_days = serializers.IntegerField()
    energy_kwh = serializers.FloatField()
    co2e_kg = serializers.FloatField()
    api_spend_eur = serializers.FloatField()
    licence_cost_eur = serializers.FloatField()
    total_cost_eur = serializers.FloatField()


class ModelCostSerializer(serializers.Serializer):
    model_label = serializers.CharField(help_text="provider/model family")
    requests = serializers.IntegerField()
    active_user_days = serializers.IntegerField()
    energy_kwh = serializers.FloatField()
    co2e_kg = serializers.FloatField()
    api_spend_eur = serializers.FloatField()


class PersonCostSerializer(serializers.Serializer):
    person = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    team = serializers.CharField()
    requests = serializers.IntegerField()
    energy_kwh = serializers.FloatField()
    co2e_kg = serializers.FloatField()
    api_spend_eur = serializers.FloatField()


class CostSummarySerializer(serializers.Serializer):
    """Totals, cost and CO2e per month, per team, per model and top people, and equivalences."""

    window = CostWindowSerializer()
    totals = CostTotalsSerializer()
    equivalences = EquivalenceSerializer(many=True)
    by_month = MonthCostSerializer(many=True)
    by_team = TeamCostSerializer(many=True)
    by_model = ModelCostSerializer(many=True)
    top_people = PersonCostSerializer(many=True)
    models_without_price = serializers.ListField(child=serializers.CharField())


# ---- Seats ---------------------------------------------------------------------------------------------------------


class SeatFileSerializer(serializers.Serializer):
    filename = serializers.CharField()
    sha256 = serializers.CharField()


class SeatFiguresSerializer(Explained):
    null_reasons = {
        "active_share": "Not defined: no seats were bought (a division by zero).",
        "cost_per_active_seat_month_eur": "Not defined: no seat is active (a division by zero).",
    }

    seats_bought = serializers.IntegerField()
    assigned = serializers.IntegerField()
    active = serializers.IntegerField()
    idle = serializers.IntegerField()
    unassigned = serializers.IntegerField()
    active_share = serializers.FloatField(allow_null=True)
    licence_cost_month_eur = serializers.FloatField()
    cost_per_active_seat_month_eur = serializers.FloatField(allow_null=True)
    idle_saving_month_eur = serializers.FloatField()
    unassigned_saving_month_eur = serializers.FloatField()
    reclaim_saving_month_eur = serializers.FloatField()


class IdleSeatSerializer(Explained):
    null_reasons = {
        "last_activity": "Not defined: the seat was never used.",
        "days_since_activity": "Not defined: the seat was never used.",
    }

    person = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    team = serializers.CharField()
    last_activity = serializers.DateField(allow_null=True)
    days_since_activity = serializers.IntegerField(allow_null=True)
    saving_month_eur = serializers.FloatField()


class SeatTeamSerializer(serializers.Serializer):
    team = serializers.CharField()
    assigned = serializers.IntegerField()
    active = serializers.IntegerField()
    idle = serializers.IntegerField()
    licence_cost_month_eur = serializers.FloatField()
    idle_saving_month_eur = serializers.FloatField()


class LicenceSeatsSerializer(Explained):
    null_reasons = {"file": NO_SEAT_FILE, "figures": NO_SEAT_FILE}

    licence_id = serializers.IntegerField()
    tool = serializers.CharField()
    tool_label = serializers.CharField()
    name = serializers.CharField()
    as_of = serializers.DateField()
    price_per_seat_month_eur = serializers.FloatField()
    seats_bought = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    months_in_window = serializers.FloatField()
    licence_cost_eur = serializers.FloatField()
    file = SeatFileSerializer(allow_null=True, help_text="The seat file the figures come from (none loaded: null).")
    figures = SeatFiguresSerializer(allow_null=True)
    idle = IdleSeatSerializer(many=True)
    by_team = SeatTeamSerializer(many=True)


class SeatsSerializer(serializers.Serializer):
    window = CostWindowSerializer()
    licences = LicenceSeatsSerializer(many=True)


# ---- ROI -----------------------------------------------------------------------------------------------------------


class RoiLevelSerializer(Explained):
    null_reasons = {
        "roi_pct": COST_IS_ZERO,
        "value_multiple": COST_IS_ZERO,
        "payback_months": NEVER_PAYS_BACK,
        "payback_days": NEVER_PAYS_BACK,
        "break_even_minutes_per_active_day": NO_BREAK_EVEN,
    }

    value_eur = serializers.FloatField()
    licence_cost_eur = serializers.FloatField()
    api_spend_eur = serializers.FloatField()
    carbon_fee_eur = serializers.FloatField()
    cost_eur = serializers.FloatField()
    net_eur = serializers.FloatField()
    roi_pct = serializers.FloatField(allow_null=True)
    payback_months = serializers.FloatField(allow_null=True)
    payback_days = serializers.FloatField(allow_null=True)
    value_multiple = serializers.FloatField(allow_null=True, help_text="value / cost")
    break_even_minutes_per_active_day = serializers.FloatField(
        allow_null=True, help_text="minutes saved per active user-day at which value equals cost"
    )


class RoiBandSerializer(serializers.Serializer):
    low = RoiLevelSerializer()
    central = RoiLevelSerializer()
    high = RoiLevelSerializer()


class RoiInputsSerializer(serializers.Serializer):
    minutes_saved_low = serializers.FloatField()
    minutes_saved_central = serializers.FloatField()
    minutes_saved_high = serializers.FloatField()
    hourly_cost_low_eur = serializers.FloatField()
    hourly_cost_central_eur = serializers.FloatField()
    hourly_cost_high_eur = serializers.FloatField()
    minutes_source = serializers.CharField()
    hourly_cost_source = serializers.CharField()
    active_days_source = serializers.CharField()
    manual_active_user_days = serializers.IntegerField(allow_null=True)
    team_specific = serializers.BooleanField(required=False, help_text="Only for inputs stored by the organisation.")


class RoiEvidenceSerializer(Explained):
    """The break-even beside the published range of time savings (apps.costs.break_even)."""

    null_reasons = {
        "break_even_minutes": NO_BREAK_EVEN,
        "break_even_minutes_low": NO_BREAK_EVEN,
        "break_even_minutes_high": NO_BREAK_EVEN,
        "break_even_hours_per_seat_month": "Not defined: there is no break-even, no seat bought or no month "
        "in the window (a division by zero).",
        "verdict": "Not defined: there is no break-even to hold against the published range.",
        "multiple": COST_IS_ZERO,
        "multiple_low": COST_IS_ZERO,
        "multiple_high": COST_IS_ZERO,
        "payback_days": NEVER_PAYS_BACK,
        "payback_within_days": NEVER_PAYS_BACK,
    }

    break_even_minutes = serializers.FloatField(allow_null=True)
    break_even_minutes_low = serializers.FloatField(allow_null=True)
    break_even_minutes_high = serializers.FloatField(allow_null=True)
    break_even_hours_per_seat_month = serializers.FloatField(allow_null=True)
    verdict = serializers.ChoiceField(["below_low", "within", "above_high"], allow_null=True)
    multiple = serializers.FloatField(allow_null=True)
    multiple_low = serializers.FloatField(allow_null=True)
    multiple_high = serializers.FloatField(allow_null=True)
    multiple_capped = serializers.BooleanField(help_text="the central multiple is over the cap: shown as '> x10'")
    multiple_low_capped = serializers.BooleanField()
    multiple_high_capped = serializers.BooleanField()
    cap = serializers.FloatField()
    payback_days = serializers.FloatField(allow_null=True, help_text="as computed, uncapped")
    payback_within_days = serializers.IntegerField(
        allow_null=True, help_text="whole days, rounded up; when the multiple is capped, a tenth of the window"
    )
    payback_capped = serializers.BooleanField()
    minutes_saved_low = serializers.FloatField(
        help_text="the published (or entered) time savings the break-even is held against"
    )
    minutes_saved_high = serializers.FloatField()
    assumed_inputs = serializers.ListField(
        child=serializers.ChoiceField(
            [
                "minutes_saved_low",
                "minutes_saved_central",
                "minutes_saved_high",
                "hourly_cost_central_eur",
                "hourly_cost_high_eur",
                "active_user_days_manual",
                "active_user_days_allocated",
            ]
        ),
        help_text="the inputs that are assumptions, not published measurements or the organisation's own figures",
    )


class TeamRoiSerializer(serializers.Serializer):
    team = serializers.CharField()
    active_user_days = serializers.FloatField()
    licence_cost_eur = serializers.FloatField()
    api_spend_eur = serializers.FloatField()
    co2e_kg = serializers.FloatField()
    allocated_by_active_seats = serializers.BooleanField()
    team_specific_inputs = serializers.BooleanField()
    roi = RoiBandSerializer()
    evidence = RoiEvidenceSerializer()


class ToolRoiSerializer(serializers.Serializer):
    tool = serializers.CharField()
    tool_label = serializers.CharField()
    inputs = RoiInputsSerializer()
    inputs_are_defaults = serializers.BooleanField()
    active_user_days = serializers.FloatField()
    active_days_note = Sentence()
    licence_cost_eur = serializers.FloatField()
    api_spend_eur = serializers.FloatField()
    co2e_kg = serializers.FloatField()
    roi = RoiBandSerializer()
    evidence = RoiEvidenceSerializer()
    teams = TeamRoiSerializer(many=True)


class RoiSerializer(serializers.Serializer):
    window = CostWindowSerializer()
    tools = ToolRoiSerializer(many=True)


# ---- Right-sizing --------------------------------------------------------------------------------------------------


class TokensPerRequestSerializer(serializers.Serializer):
    input = serializers.FloatField()
    cached = serializers.FloatField()
    output = serializers.FloatField()


class PerRequestSerializer(Explained):
    null_reasons = {"eur_per_request": "Not defined: no price on record for the model."}

    model = serializers.CharField()
    zone = serializers.CharField(allow_null=True)
    kwh_per_request = serializers.FloatField()
    co2e_kg_per_request = serializers.FloatField()
    eur_per_request = serializers.FloatField(allow_null=True, help_text="null: no price on record for the model")


class SavingSerializer(Explained):
    null_reasons = dict.fromkeys(
        ("energy_kwh", "co2e_kg", "cost_eur"), "Not defined: a per-request figure of one of the two models is."
    )

    moved_requests = serializers.FloatField()
    energy_kwh = serializers.FloatField(allow_null=True)
    co2e_kg = serializers.FloatField(allow_null=True)
    cost_eur = serializers.FloatField(allow_null=True)


class RightSizingRowSerializer(serializers.Serializer):
    provider = serializers.CharField()
    model = serializers.CharField()
    team = serializers.CharField()
    smaller_model = serializers.CharField()
    requests = serializers.IntegerField()
    tokens_per_request = TokensPerRequestSerializer()
    current = PerRequestSerializer()
    smaller = PerRequestSerializer()
    saving = SavingSerializer()


class SavingTotalsSerializer(serializers.Serializer):
    energy_kwh = serializers.FloatField()
    co2e_kg = serializers.FloatField()
    cost_eur = serializers.FloatField()


class RightSizingSerializer(serializers.Serializer):
    window = CostWindowSerializer()
    share = serializers.FloatField()
    rows = RightSizingRowSerializer(many=True)
    mapping_source = serializers.CharField()
    factor_set = serializers.CharField()
    method_version = serializers.CharField()
    totals = SavingTotalsSerializer()


# ---- Rebound -------------------------------------------------------------------------------------------------------


class ReboundMonthSerializer(Explained):
    null_reasons = {"intensity_kg": "Not defined: the month has no activity of the basis (a division by zero)."}

    month = serializers.CharField()
    activity = serializers.FloatField()
    co2e_kg = serializers.FloatField()
    intensity_kg = serializers.FloatField(allow_null=True)
    change_kg = serializers.FloatField()
    volume_effect_kg = serializers.FloatField()
    intensity_effect_kg = serializers.FloatField()


class ChangeSplitSerializer(serializers.Serializer):
    change_kg = serializers.FloatField()
    volume_effect_kg = serializers.FloatField()
    intensity_effect_kg = serializers.FloatField()
    intensity_0 = serializers.FloatField()
    intensity_1 = serializers.FloatField()


class ReboundTotalsSerializer(serializers.Serializer):
    change_kg = serializers.FloatField()
    volume_effect_kg = serializers.FloatField()
    intensity_effect_kg = serializers.FloatField()
    first_to_last = ChangeSplitSerializer()


class ReboundSerializer(Explained):
    null_reasons = {"totals": "Not defined: the window has no usage of the basis."}

    window = CostWindowSerializer()
    basis = serializers.CharField()
    basis_label = serializers.CharField()
    months = ReboundMonthSerializer(many=True)
    totals = ReboundTotalsSerializer(allow_null=True, help_text="null when the window has no usage of the basis")


# ---- Frugality -----------------------------------------------------------------------------------------------------


class AssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    use_case = serializers.CharField()
    team = serializers.CharField(allow_blank=True)
    assessed_on = serializers.DateField()
    answers = serializers.DictField(child=serializers.CharField())
    score = serializers.FloatField()
    reasons = serializers.ListField(child=Sentence())
    notes = serializers.CharField(allow_blank=True)


class AssessmentListSerializer(serializers.Serializer):
    assessments = AssessmentSerializer(many=True)


class AssessmentCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=Sentence())


# ---- Reconciliation ------------------------------------------------------------------------------------------------


class ExactDecimalField(serializers.DecimalField):
    """An exact Decimal as a decimal string without trailing zeros ('9', '8.455230...'): not rounded (the pages
    round to the cent), and the same text whatever decimal places the database gave the figures."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=None, decimal_places=None, **kwargs)

    def to_representation(self, value):
        return f"{Decimal(value).normalize():f}"


def _exact_eur(help_text: str, **kwargs) -> ExactDecimalField:
    return ExactDecimalField(help_text=help_text, **kwargs)


class BilledAmountSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217 code, as the bill gave it")
    amount = _exact_eur("billed amount in `currency`, exactly")


class ReconciliationMonthSerializer(Explained):
    null_reasons = {
        "billed_eur": NO_BILL,
        "gap_eur": NO_BILL,
        "gap_pct": "Not defined: no bill is loaded for the month, or it is zero (a division by zero).",
    }

    provider = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    tokens_x_price_eur = _exact_eur("the month's token records priced from their tokens at the day's model price")
    reported_on_tokens_eur = _exact_eur("the costs the token records themselves reported, converted to EUR")
    billed_eur = _exact_eur("the vendor's bill lines converted to EUR; null: no bill loaded", allow_null=True)
    billed_by_currency = BilledAmountSerializer(many=True)
    gap_eur = _exact_eur("tokens x price - billed", allow_null=True)
    gap_pct = _exact_eur("gap in % of the bill, to 0.01 % (half to even)", allow_null=True)
    flagged = serializers.BooleanField(help_text="|gap| over threshold_pct of the bill")
    models_without_price = serializers.ListField(child=serializers.CharField())


class ReconciliationSerializer(serializers.Serializer):
    window = CostWindowSerializer()
    threshold_pct = _exact_eur("gaps over this share of the bill are flagged")
    rule = serializers.CharField(help_text="the cost rule (apps.costs.cost.RULE)")
    months = ReconciliationMonthSerializer(many=True)
