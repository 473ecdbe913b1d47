"""Reporting periods: draft → in review → signed off, frozen snapshots, restatements."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import OrgScopedModel


class PeriodStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    # Sign-off requested and being frozen by a task: the period's days are already locked.
    SIGNING = "signing", _("Signing off")
    SIGNED_OFF = "signed_off", _("Signed off")


class Variant(models.TextChoices):
    ESRS_E1 = "esrs_e1", _("ESRS E1 (CSRD)")
    VSME_B3 = "vsme_b3", _("VSME B3 (voluntary standard)")


class Standard(models.TextChoices):
    """The ESRS version an ESRS E1 period reports under (a datapoint catalogue, apps/disclosures/catalogues)."""

    SET1_2023 = "esrs_set1_2023", _("ESRS Set 1 (Delegated Regulation (EU) 2023/2772)")
    REVISED_2026 = "esrs_2026", _("Revised ESRS (Delegated Regulation C(2026) 5010)")


class ReportingPeriod(OrgScopedModel):
    """One version of an organisation's reporting period (fiscal year).

    Version 1 is the original; reopening a signed-off version creates version n+1 (a restatement) while the
    signed-off one, its snapshot and its exports stay as they were."""

    start = models.DateField()
    end = models.DateField()
    version = models.PositiveIntegerField(default=1)
    variant = models.CharField(max_length=10, choices=Variant.choices, default=Variant.ESRS_E1)
    # For financial years starting in 2026 either version (C(2026) 5010 Art. 2); the revised one from 2027 (Art. 3).
    standard = models.CharField(max_length=16, choices=Standard.choices, default=Standard.SET1_2023)
    status = models.CharField(max_length=12, choices=PeriodStatus.choices, default=PeriodStatus.DRAFT)
    net_revenue_eur = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    internal_carbon_price_eur_per_t = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    restatement_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="restatements"
    )
    restatement_reason = models.TextField(blank=True)
    # Who submitted it for review: under four eyes, not the one who signs it off.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The signer's explicit exception for factors still marked to_verify (empty: none was made).
    unverified_factors_exception = models.TextField(blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sign_off_comment = models.TextField(blank=True)
    # While signing: the status to return to if freezing fails; after a failure, why it failed.
    status_before_sign_off = models.CharField(max_length=12, choices=PeriodStatus.choices, blank=True)
    sign_off_error = models.TextField(blank=True)
    # The sign-off task's lease while signing (apps.disclosures.reaper): requested, or last seen alive freezing.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    resends = models.PositiveIntegerField(default=0)
    snapshot = models.JSONField(null=True, blank=True)
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    # The records exactly as disclosed (gzipped CSV), so exports of a signed-off version never drift.
    frozen_records = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "start", "end", "version"], name="one_period_version"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="period_end_after_start"),
        ]

    def __str__(self):
        suffix = f" v{self.version}" if self.version > 1 else ""
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}{suffix}"

    @property
    def is_signed_off(self) -> bool:
        return self.status == PeriodStatus.SIGNED_OFF

    @property
    def is_signing(self) -> bool:
        return self.status == PeriodStatus.SIGNING

    def save(self, *args, **kwargs):
        # A signed-off version never changes, whatever the path (page, API, admin, shell).
        if self.pk is not None:
            stored = ReportingPeriod.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == PeriodStatus.SIGNED_OFF:
                raise ValidationError(_("This period is signed off and cannot change; reopen it to restate."))
            if stored == PeriodStatus.SIGNING:
                raise ValidationError(_("This period is being signed off and cannot change."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_signed_off or self.is_signing or self.restatements.exists():
            raise ValidationError(_("A signed-off or restated period cannot be deleted."))
        return super().delete(*args, **kwargs)


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class PeriodExport(OrgScopedModel):
    """An export file of a period version, rendered by a task (queued → rendering → ready or failed).

    A signed-off version's exports are kept so old versions stay downloadable; a draft's is replaced each time
    it is requested again, and names the snapshot it was rendered from."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="exports")
    format = models.CharField(max_length=10)
    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    error = models.TextField(blank=True)
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    content = models.BinaryField(default=b"")
    finished_at = models.DateTimeField(null=True, blank=True)
    # The rendering task's lease while queued or rendering (apps.disclosures.reaper).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    resends = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["period", "format"], name="one_export_per_format")]
