"""Organisations (tenants), their members and roles, teams, people (seat holders) and API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    OFFICER = "officer", _("Sustainability officer")
    IT_DIRECTOR = "it_director", _("IT director")
    AUDITOR = "auditor", _("Auditor (read-only)")


class Organisation(models.Model):
    """A tenant: a company whose AI usage is accounted for. All its data hangs from it."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    # The legal entity's identifiers: the inline XBRL names the entity by its LEI (ISO 17442).
    lei = models.CharField(_("LEI"), max_length=20, blank=True)
    registration_number = models.CharField(_("Company registration number"), max_length=64, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=32, blank=True)
    # Four eyes at sign-off: off, the member who submitted a period for review cannot sign it off. An admin may
    # allow a single signer (small teams); the change is recorded in the audit log.
    single_signer_allowed = models.BooleanField(_("Allow a single signer"), default=False)
    # Omnibus I scope (apps.accounts.omnibus): average employees and net turnover of the last financial year.
    employees = models.PositiveIntegerField(_("Average number of employees"), null=True, blank=True)
    net_turnover_eur = models.DecimalField(
        _("Net turnover (EUR)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    csrd_wave_one = models.BooleanField(_("Already reports under the CSRD since FY2024 (wave 1)"), default=False)
    # The evidence pack carries each source file up to this size (MB); a larger one only by its SHA-256 and a
    # download link. Empty: the EVIDENCE_FILE_MAX_MB setting.
    evidence_file_max_mb = models.PositiveIntegerField(
        _("Largest source file in the evidence pack (MB)"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's role in one organisation. A user may belong to several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")]
        ordering = ["organisation__name"]

    def __str__(self):
        return f"{self.user} in {self.organisation} as {self.get_role_display()}"


class OrgScopedQuerySet(models.QuerySet):
    def for_org(self, organisation):
        """Only the rows of this organisation: the one way tenant data is read."""
        return self.filter(organisation=organisation)


class OrgScopedModel(models.Model):
    """Base for every model that belongs to one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Team(OrgScopedModel):
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_team_name")]

    def __str__(self):
        return self.name


class Person(OrgScopedModel):
    """Someone who holds (or held) an AI seat or uses AI through the company's keys."""

    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(fields=["organisation", "email"], name="unique_person_email")]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name or self.email


TOKEN_PREFIX = "afl_"  # noqa: S105 (a public marker, not a secret)


@sensitive_variables("raw")
def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    @sensitive_variables("raw")  # the token itself, hidden from error reports
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        """Create a token for user; returns the row and the raw token (shown to the user once)."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_prefix=raw[:12], key_hash=hash_token(raw))
        return token, raw

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class AuditEventQuerySet(OrgScopedQuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Who did what, when: uploads, mapping edits, factor-set changes, sign-offs, reopenings, exports.

    Append-only: rows can be added, never changed or deleted (through the ORM; see save/delete)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=254, blank=True)  # kept when the user is gone
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    summary = models.CharField(max_length=500)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}: {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
