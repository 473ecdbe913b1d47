"""Uploaded source files (stored once by SHA-256), ingestion runs and identity mappings."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import OrgScopedModel, Person, Team
from apps.core.messages import Message, render
from apps.footprint.record_pages import run_warning

from .pull import default_base_url
from .pull.crypto import decrypt, encrypt
from .sources.errors import stored_text
from .sources.skips import label as skip_label

# The msgid of the warning a run of a file already loaded keeps (ingestion.create_run writes it in English).
ALREADY_LOADED = "{file} was already loaded by run {run}; nothing new was stored."


class SourceFile(OrgScopedModel):
    """A file as received, stored once per organisation by its SHA-256."""

    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255)
    size_bytes = models.BigIntegerField()
    stored_path = models.CharField(max_length=500)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [models.UniqueConstraint(fields=["organisation", "sha256"], name="one_file_per_hash")]

    def __str__(self):
        return f"{self.filename} ({self.sha256[:12]})"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RunPhase(models.TextChoices):
    """What a running run is doing: reading the file (progress by bytes), then storing its records (one
    transaction, no finer progress)."""

    NONE = "", _("Not started")
    READING = "reading", _("Reading the file")
    STORING = "storing", _("Storing the records")


class IngestionRun(OrgScopedModel):
    """One load of one file through one source's parser, the calculator and into usage records."""

    source_key = models.CharField(max_length=40)
    source_file = models.ForeignKey(SourceFile, on_delete=models.PROTECT, related_name="runs")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    phase = models.CharField(max_length=10, choices=RunPhase.choices, default=RunPhase.NONE, blank=True)
    # Set when the file had already been loaded by an earlier run: this run stored nothing.
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    bytes_total = models.BigIntegerField(default=0)
    bytes_done = models.BigIntegerField(default=0)
    rows_read = models.BigIntegerField(default=0)
    rows_skipped = models.BigIntegerField(default=0)
    # The rows left out, by reason: {SkipReason code: count}, summing to rows_skipped.
    skipped = models.JSONField(default=dict, blank=True)
    records_stored = models.BigIntegerField(default=0)
    requests = models.BigIntegerField(default=0)
    input_tokens = models.BigIntegerField(default=0)
    cached_input_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    energy_kwh = models.FloatField(default=0)
    co2e_kg = models.FloatField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    factor_set = models.ForeignKey(
        "footprint.FactorSetVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attempts = models.PositiveIntegerField(default=0)
    # The run's lease (apps.connectors.reaper): when it was last queued, or last seen alive while running. The
    # reaper re-sends a run whose lease is older than TASK_QUEUED_SECONDS (queued) or TASK_LEASE_SECONDS
    # (running), at most TASK_MAX_RESENDS times, then fails it.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    resends = models.PositiveIntegerField(default=0)
    # The Celery task id of the delivery that claimed the run: a second message for the same run (a re-send
    # racing the original) leaves a run it finds alive to the delivery that holds it.
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"run {self.pk} {self.source_key} {self.status}"

    @property
    def progress_percent(self) -> int:
        if self.status == RunStatus.SUCCEEDED:
            return 100
        if not self.bytes_total:
            return 0
        if self.status == RunStatus.RUNNING and self.phase == RunPhase.STORING:
            return 95  # the file is read; its records are being stored in one transaction
        # Reading is most of the work but not all: 90 % at most until the records are being stored.
        return min(90, int(90 * self.bytes_done / self.bytes_total))

    @property
    def skipped_by_reason(self) -> list[tuple[str, str, int]]:
        """(code, label, count) of the rows left out, most first; the label in the active language (the sources,
        Django-free, write it in English: its French entry is in locale/fr)."""
        ordered = sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(code, gettext(skip_label(code)), n) for code, n in ordered]

    @property
    def error_messages(self) -> list[dict]:
        """The run's errors, each with ``text``: its message in the active language (the parsers, Django-free,
        write it in English with its template: sources.errors.stored_text). An old run's error, stored without a
        template, reads as it was stored."""
        return [{**error, "text": render(stored_text(error), gettext)} for error in self.errors]

    @property
    def warning_messages(self) -> list[str]:
        """The run's warnings in the active language: a row warning stored as a Message dict is written from its
        template; the "already loaded" one again from its values; an older run's English text part by part."""
        known = {}
        if self.duplicate_of_id:
            already = Message(ALREADY_LOADED, file=self.source_file.filename, run=self.duplicate_of_id)
            known[str(already)] = render(already.to_dict(), gettext)
        return [known[w] if isinstance(w, str) and w in known else run_warning(w) for w in self.warnings]

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class IdentityKind(models.TextChoices):
    PERSON = "person", _("User e-mail or login")
    TEAM = "team", _("Team name in the source")
    PROJECT = "project", _("Project, workspace or subscription")
    API_KEY = "api_key", _("API key")


class IdentityMapping(OrgScopedModel):
    """How an identity seen in a source maps to a person or a team of the organisation."""

    kind = models.CharField(max_length=10, choices=IdentityKind.choices)
    value = models.CharField(max_length=254)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["organisation", "kind", "value"], name="one_mapping")]

    def __str__(self):
        return f"{self.kind} {self.value} -> {self.person or self.team}"


class Vendor(models.TextChoices):
    OPENAI = "openai", _("OpenAI (organisation Usage API, admin key)")
    ANTHROPIC = "anthropic", _("Anthropic (Admin API usage report)")
    GITHUB = "github", _("GitHub Copilot (seats and metrics)")
    CURSOR = "cursor", _("Cursor (Admin API usage events: tokens)")
    CURSOR_DAILY = "cursor_daily", _("Cursor (Admin API daily usage: active days and requests)")
    CLAUDE_CODE = "claude_code", _("Anthropic Claude Code (Admin API usage report)")
    AWS_BEDROCK = "aws_bedrock", _("Amazon Bedrock (model-invocation logs in CloudWatch Logs)")


class VendorCredential(OrgScopedModel):
    """An organisation's key for pulling usage from one vendor API. The secret is stored encrypted
    (apps.connectors.pull.crypto); only its last four characters are kept in clear, for display."""

    vendor = models.CharField(max_length=12, choices=Vendor.choices)
    label = models.CharField(max_length=100)
    # Blank: the vendor's public API. Set for a proxy, a regional endpoint, GitHub Enterprise Server or tests.
    base_url = models.CharField(max_length=300, blank=True)
    github_org = models.CharField(max_length=100, blank=True)
    # Amazon Bedrock only: where the invocation logs are (the keys themselves are in the encrypted secret).
    aws_region = models.CharField(max_length=30, blank=True)
    log_group = models.CharField(max_length=512, blank=True)
    secret_encrypted = models.TextField(editable=False)
    secret_last4 = models.CharField(max_length=4, blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["vendor", "label"]
        constraints = [models.UniqueConstraint(fields=["organisation", "vendor", "label"], name="one_credential_label")]

    def __str__(self):
        return f"{self.get_vendor_display()}: {self.label}"

    def set_secret(self, secret: str, shown: str | None = None) -> None:
        """Encrypt and keep the secret (call save() after); `shown` is the part whose last four characters are
        displayed, when the secret packs several values (AWS: the secret access key of the packed keys)."""
        self.secret_encrypted = encrypt(secret)
        shown = secret if shown is None else shown
        # Four characters of a short secret would give away too much of it.
        self.secret_last4 = shown[-4:] if len(shown) >= 12 else ""

    def get_secret(self) -> str:
        """The secret in clear, for the pull only: never log or render it."""
        return decrypt(self.secret_encrypted)

    @property
    def masked_secret(self) -> str:
        return f"••••{self.secret_last4}" if self.secret_last4 else "••••"

    @property
    def effective_base_url(self) -> str:
        return self.base_url or default_base_url(self.vendor, region=self.aws_region)


class SeatHolder(models.Model):
    """One seat (or licensed user) of a seat source's file, as its run read it: the cost app's seat report reads
    these, never the stored file again."""

    run = models.ForeignKey(IngestionRun, on_delete=models.CASCADE, related_name="seat_holders")
    person = models.CharField(max_length=254)  # the login or user principal name, as in the file
    display_name = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=200, blank=True)
    last_activity_at = models.DateTimeField(null=True)  # UTC

    def __str__(self):
        return f"{self.person} (run {self.run_id})"
