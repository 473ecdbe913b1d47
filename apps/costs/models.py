"""Licences, API model prices (versioned), ROI assumptions per tool, frugality assessments."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import OrgScopedModel, Team

from .calc import FRUGALITY_QUESTIONS


class Tool(models.TextChoices):
    GITHUB_COPILOT = "github_copilot", _("GitHub Copilot")
    M365_COPILOT = "m365_copilot", _("Microsoft 365 Copilot")
    CHATGPT_ENTERPRISE = "chatgpt_enterprise", _("ChatGPT Enterprise")
    API = "api", _("AI APIs (tokens)")
    OTHER = "other", _("Other seat tool")


# Where each tool's seats and activity come from (connector source keys) and how its usage rows look.
TOOL_SOURCES = {
    Tool.GITHUB_COPILOT: {
        "seat_source": "github_copilot_seats",
        # The usage metrics reports (since 2026) and the closed-down metrics API's archives.
        "activity_sources": ("github_copilot_usage_reports", "github_copilot_metrics"),
        "usage_sources": ("github_copilot_usage_reports", "github_copilot_metrics", "github_copilot_seats"),
    },
    Tool.M365_COPILOT: {
        "seat_source": "m365_copilot_usage",
        "activity_sources": ("m365_copilot_usage",),
        "usage_sources": ("m365_copilot_usage",),
    },
    # The workspace analytics user export: every workspace user (the seats), their messages and days active.
    Tool.CHATGPT_ENTERPRISE: {
        "seat_source": "chatgpt_enterprise_analytics",
        "activity_sources": ("chatgpt_enterprise_analytics",),
        "usage_sources": ("chatgpt_enterprise_analytics",),
    },
    Tool.API: {"seat_source": "", "activity_sources": (), "usage_sources": ()},  # token rows, see selectors
    Tool.OTHER: {"seat_source": "", "activity_sources": (), "usage_sources": ()},
}


class Licence(OrgScopedModel):
    """Seats bought for a tool over a period, at a price per seat per month."""

    tool = models.CharField(max_length=30, choices=Tool.choices)
    name = models.CharField(max_length=120, blank=True, help_text=_("e.g. the plan, 'Business'"))
    seat_source_key = models.CharField(
        max_length=40, blank=True, help_text=_("Connector whose files list the seats and their last activity")
    )
    price_per_seat_month = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    seats_bought = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tool", "-period_start"]

    def __str__(self):
        return f"{self.get_tool_display()} {self.seats_bought} seats {self.period_start}–{self.period_end}"


class ModelPrice(OrgScopedModel):
    """API price of one model from a date. Never edited: a price change is a new row with a later valid_from."""

    provider = models.CharField(max_length=60)
    model = models.CharField(max_length=200, help_text=_("Family name, e.g. gpt-4o (dated variants match it)"))
    input_eur_per_mtok = models.DecimalField(max_digits=10, decimal_places=4)
    output_eur_per_mtok = models.DecimalField(max_digits=10, decimal_places=4)
    cached_eur_per_mtok = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    valid_from = models.DateField()
    source = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["provider", "model", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "provider", "model", "valid_from"], name="one_price_per_model_and_date"
            )
        ]

    def __str__(self):
        return f"{self.provider}/{self.model} from {self.valid_from}"


class ActiveDaysSource(models.TextChoices):
    USAGE = "usage", _("From the usage data (active user-days)")
    MANUAL = "manual", _("Entered by hand")


class RoiAssumption(OrgScopedModel):
    """Inputs of the ROI estimate for one tool (and optionally one team), each with its source."""

    tool = models.CharField(max_length=30, choices=Tool.choices)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    minutes_saved_low = models.DecimalField(max_digits=6, decimal_places=1)
    minutes_saved_central = models.DecimalField(max_digits=6, decimal_places=1)
    minutes_saved_high = models.DecimalField(max_digits=6, decimal_places=1)
    minutes_source = models.TextField(blank=True)
    hourly_cost_low_eur = models.DecimalField(max_digits=8, decimal_places=2)
    hourly_cost_central_eur = models.DecimalField(max_digits=8, decimal_places=2)
    hourly_cost_high_eur = models.DecimalField(max_digits=8, decimal_places=2)
    hourly_cost_source = models.TextField(blank=True)
    active_days_source = models.CharField(
        max_length=10, choices=ActiveDaysSource.choices, default=ActiveDaysSource.USAGE
    )
    manual_active_user_days = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Per year, when entered by hand")
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tool", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "tool", "team"], name="one_roi_assumption_per_team"),
            models.UniqueConstraint(
                fields=["organisation", "tool"],
                condition=models.Q(team__isnull=True),
                name="one_roi_assumption_per_tool",
            ),
        ]

    def __str__(self):
        return f"ROI inputs {self.get_tool_display()}{' / ' + self.team.name if self.team_id else ''}"


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class FrugalityAssessment(OrgScopedModel):
    """A dated answer to the AFNOR Spec 2314 frugal-AI questions for one use case, with its score."""

    use_case = models.CharField(max_length=200)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assessed_on = models.DateField()
    need_for_ai = models.CharField(max_length=6, choices=Answer.choices)
    model_size = models.CharField(max_length=6, choices=Answer.choices)
    good_practices = models.CharField(max_length=6, choices=Answer.choices)
    measurement = models.CharField(max_length=6, choices=Answer.choices)
    usage_caps = models.CharField(max_length=6, choices=Answer.choices)
    rebound = models.CharField(max_length=6, choices=Answer.choices)
    notes = models.TextField(blank=True, help_text=_("Simpler means considered, model chosen, caps, measures"))
    score = models.FloatField()
    reasons = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]

    def __str__(self):
        return f"{self.use_case} ({self.assessed_on}): {self.score:.0f}/100"

    def answers(self) -> dict:
        return {key: getattr(self, key) for key, _ in FRUGALITY_QUESTIONS}
