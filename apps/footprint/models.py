"""Factor-set versions, contractual instruments and the stored usage records with their footprint."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Organisation, OrgScopedModel, Person, Team

from .locks import PeriodLocked, assert_days_open, hold_open_days, locked_ranges


class FactorSetVersion(models.Model):
    """One immutable version of a factor set, stored as the calculator's canonical JSON.

    Built-in sets have no organisation; an organisation's edited sets (e.g. its residual-mix table)
    are new versions of its own. Content never changes after creation: a change is a new version."""

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="factor_sets"
    )
    name = models.CharField(max_length=100)
    version = models.CharField(max_length=40)
    content_sha256 = models.CharField(max_length=64)
    content = models.JSONField()
    method_version = models.CharField(max_length=100)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a signed-off period used this version: from then on it can never be deleted.
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "content_sha256"], name="one_row_per_factor_content"),
        ]

    def __str__(self):
        return f"{self.name}@{self.version} ({self.content_sha256[:12]})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = FactorSetVersion.objects.filter(pk=self.pk).values_list("content_sha256", flat=True).first()
            if stored is not None and stored != self.content_sha256:
                raise ValidationError(_("A factor-set version never changes; save a new version instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.locked_at is not None:
            raise ValidationError(_("This factor set was used by a signed-off period and cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def label(self):
        return f"{self.name}@{self.version}"


class InstrumentKind(models.TextChoices):
    GO = "GO", _("Guarantee of origin")
    PPA = "PPA", _("Power purchase agreement")
    GREEN_TARIFF = "green_tariff", _("Green tariff")
    SUPPLIER_RATE = "supplier_rate", _("Supplier-specific rate")


class ContractualInstrument(OrgScopedModel):
    """A market-based instrument an officer enters (GHG Protocol Scope 2 hierarchy, first rung)."""

    kind = models.CharField(max_length=20, choices=InstrumentKind.choices)
    mwh = models.DecimalField(max_digits=14, decimal_places=3)
    zone = models.CharField(max_length=40, help_text=_("Country code (e.g. FR) of the consumption it covers"))
    period_start = models.DateField()
    period_end = models.DateField()
    gco2e_per_kwh = models.DecimalField(max_digits=8, decimal_places=3, default=0)
    energy_source = models.CharField(
        max_length=12,
        default="renewable",
        choices=[("renewable", _("Renewable")), ("nuclear", _("Nuclear")), ("fossil", _("Fossil"))],
    )
    supplier = models.CharField(max_length=200, blank=True)
    reference = models.CharField(max_length=200, blank=True, help_text=_("Certificate or contract id"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period_start", "zone"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.mwh} MWh {self.zone} {self.period_start}–{self.period_end}"

    def as_calculator_dict(self) -> dict:
        return {
            "kind": self.kind,
            "mwh": float(self.mwh),
            "zone": self.zone,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "gco2e_per_kwh": float(self.gco2e_per_kwh),
            "energy_source": self.energy_source,
        }


class UsageRecordQuerySet(models.QuerySet):
    def for_org(self, organisation):
        return self.filter(organisation=organisation)

    def _refuse_if_locked(self):
        for organisation_id in self.values_list("organisation_id", flat=True).distinct():
            org = Organisation.objects.get(pk=organisation_id)
            if _touches_locked(self.filter(organisation_id=organisation_id), org):
                raise PeriodLocked("Some of these records are in a signed-off period and cannot change.")

    def _days_by_organisation(self) -> dict[int, set]:
        days: dict[int, set] = {}
        for organisation_id, day in self.order_by().values_list("organisation_id", "day").distinct():
            days.setdefault(organisation_id, set()).add(day)
        return days

    def update(self, **kwargs):
        # The check in the transaction that writes, so no sign-off freezes between them (footprint.locks).
        with transaction.atomic():
            self._refuse_if_locked()
            days = self._days_by_organisation()
            changed = super().update(**kwargs)
            _rollups_touched(days, kwargs.get("day"))
        return changed

    def delete(self):
        with transaction.atomic():
            self._refuse_if_locked()
            days = self._days_by_organisation()
            deleted = super().delete()
            _rollups_touched(days)
        return deleted


def _rollups_touched(days: dict[int, set], new_day=None) -> None:
    """Tell the rollups which days' records changed, so they are summed again in this transaction."""
    from . import rollups  # rollups imports these models: imported when records first change

    for organisation_id, org_days in days.items():
        rollups.touched(organisation_id, org_days | ({new_day} if isinstance(new_day, dt.date) else set()))


def _touches_locked(queryset, organisation) -> bool:
    hold_open_days(organisation)
    query = models.Q()
    for start, end in locked_ranges(organisation):
        query |= models.Q(day__range=(start, end))
    return bool(query) and queryset.filter(query).exists()


class UsageRecord(OrgScopedModel):
    """One day x source x provider x model x person/team/project/key x zone of usage, with its footprint.

    `key_sha256` is the hash of the natural key: a later file with the same key replaces the row
    (an overlapping re-pull never doubles). `run` is the ingestion run that last wrote it."""

    # The organisation, run and factor set are the same on every record a run writes, and have no database
    # constraint: PostgreSQL checking each of a year's hundreds of thousands of rows took a fifth of the
    # ingestion. The ingestion locks the three rows once instead (the run in apps.connectors.ingestion, the others
    # in record_writer.serialise_writes), so none can be deleted while it writes; Django's CASCADE and PROTECT
    # apply as before. The organisation has no index of its own either: the unique key and the (organisation,
    # day) index both start with it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    run = models.ForeignKey(
        "connectors.IngestionRun", on_delete=models.PROTECT, related_name="records", db_constraint=False
    )
    key_sha256 = models.CharField(max_length=64)
    day = models.DateField()
    source = models.CharField(max_length=40)
    provider = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=200, blank=True)
    usage_kind = models.CharField(max_length=20)
    self_hosted = models.BooleanField(default=False)
    person_ref = models.CharField(max_length=254, blank=True)
    team_ref = models.CharField(max_length=200, blank=True)
    project = models.CharField(max_length=200, blank=True)
    api_key = models.CharField(max_length=200, blank=True)
    zone = models.CharField(max_length=60, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    requests = models.BigIntegerField(default=0)
    input_tokens = models.BigIntegerField(default=0)
    cached_input_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    active_user_days = models.BigIntegerField(default=0)
    measured_energy_kwh = models.FloatField(default=0)
    # The vendor's figure exactly, in `currency`: per-token costs come with up to ten decimals.
    cost = models.DecimalField(max_digits=24, decimal_places=10, default=0)

    # Null for spend-based rows: their CO2e comes from spend, and no energy can honestly be derived.
    energy_kwh = models.FloatField(null=True)
    energy_kwh_low = models.FloatField(null=True)
    energy_kwh_high = models.FloatField(null=True)
    co2e_location_kg = models.FloatField(default=0)
    co2e_location_kg_low = models.FloatField(default=0)
    co2e_location_kg_high = models.FloatField(default=0)
    co2e_market_kg = models.FloatField(default=0)
    co2e_market_kg_low = models.FloatField(default=0)
    co2e_market_kg_high = models.FloatField(default=0)
    co2e_embodied_kg = models.FloatField(default=0)
    # The part of energy_kwh from input tokens (the prefill term, beyond EcoLogits), and the multi-criteria
    # impacts as EcoLogits computes them; null where not estimated (spend-based rows, sets without the factors).
    energy_prefill_kwh = models.FloatField(null=True)
    energy_prefill_kwh_low = models.FloatField(null=True)
    energy_prefill_kwh_high = models.FloatField(null=True)
    water_l = models.FloatField(null=True)
    water_l_low = models.FloatField(null=True)
    water_l_high = models.FloatField(null=True)
    adpe_kgsbeq = models.FloatField(null=True)
    adpe_kgsbeq_low = models.FloatField(null=True)
    adpe_kgsbeq_high = models.FloatField(null=True)
    pe_mj = models.FloatField(null=True)
    pe_mj_low = models.FloatField(null=True)
    pe_mj_high = models.FloatField(null=True)
    grid_zone = models.CharField(max_length=20, blank=True)
    grid_gco2e_per_kwh = models.FloatField(default=0)
    scope = models.CharField(max_length=20)
    data_quality = models.CharField(max_length=20)
    method_version = models.CharField(max_length=100)
    # No index: looked up only when a factor set is deleted, and every write would pay for it.
    factor_set = models.ForeignKey(
        FactorSetVersion, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    warning = models.CharField(max_length=500, blank=True)

    objects = UsageRecordQuerySet.as_manager()

    class Meta:
        # The key hash covers the day, so (organisation, day, key) is unique exactly when (organisation, key) is;
        # leading with the day lets this one index also serve every query by organisation and date range, where
        # a second (organisation, day) index cost a fifth of an ingestion's writes. run_id has its FK index.
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day", "key_sha256"], name="one_record_per_natural_key"),
        ]

    def save(self, *args, **kwargs):
        days = [self.day]
        if self.pk is not None:
            days += list(UsageRecord.objects.filter(pk=self.pk).values_list("day", flat=True))
        with transaction.atomic():
            assert_days_open(self.organisation, days)
            super().save(*args, **kwargs)
            _rollups_touched({self.organisation_id: set(days)})

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            assert_days_open(self.organisation, [self.day])
            deleted = super().delete(*args, **kwargs)
            _rollups_touched({self.organisation_id: {self.day}})
        return deleted


class RollupFigures(models.Model):
    """What a rollup row sums of its records: the grouping columns of apps.footprint.rollups.DIMENSIONS and the
    measures of rollups.MEASURES. Never written but by apps.footprint.rollups, in the transaction that changes
    the records it summarises."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    source = models.CharField(max_length=40)
    provider = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=200, blank=True)
    usage_kind = models.CharField(max_length=20)
    self_hosted = models.BooleanField(default=False)
    # A deleted team's records lose it (SET_NULL), and the rollups are refreshed then (rollups.refresh_all).
    team = models.ForeignKey(
        Team, null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    zone = models.CharField(max_length=60, blank=True)
    grid_zone = models.CharField(max_length=20, blank=True)
    scope = models.CharField(max_length=20)
    data_quality = models.CharField(max_length=20)
    currency = models.CharField(max_length=3, blank=True)
    factor_set = models.ForeignKey(
        FactorSetVersion, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    # The run that wrote the records: a disclosure lists the runs and files its figures come from.
    run = models.ForeignKey(
        "connectors.IngestionRun", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    # Whether the records' cost is the vendor's (not zero): the cost owner prices only the others' tokens.
    cost_reported = models.BooleanField(default=False)

    records = models.BigIntegerField(default=0)
    requests = models.BigIntegerField(default=0)
    input_tokens = models.BigIntegerField(default=0)
    cached_input_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    active_user_days = models.BigIntegerField(default=0)
    measured_energy_kwh = models.FloatField(default=0)
    cost = models.DecimalField(max_digits=30, decimal_places=10, default=0)
    energy_kwh = models.FloatField(null=True)
    energy_kwh_low = models.FloatField(null=True)
    energy_kwh_high = models.FloatField(null=True)
    co2e_location_kg = models.FloatField(default=0)
    co2e_location_kg_low = models.FloatField(default=0)
    co2e_location_kg_high = models.FloatField(default=0)
    co2e_market_kg = models.FloatField(default=0)
    co2e_market_kg_low = models.FloatField(default=0)
    co2e_market_kg_high = models.FloatField(default=0)
    co2e_embodied_kg = models.FloatField(default=0)
    energy_prefill_kwh = models.FloatField(null=True)
    energy_prefill_kwh_low = models.FloatField(null=True)
    energy_prefill_kwh_high = models.FloatField(null=True)
    water_l = models.FloatField(null=True)
    water_l_low = models.FloatField(null=True)
    water_l_high = models.FloatField(null=True)
    adpe_kgsbeq = models.FloatField(null=True)
    adpe_kgsbeq_low = models.FloatField(null=True)
    adpe_kgsbeq_high = models.FloatField(null=True)
    pe_mj = models.FloatField(null=True)
    pe_mj_low = models.FloatField(null=True)
    pe_mj_high = models.FloatField(null=True)

    class Meta:
        abstract = True


class DailyRollup(RollupFigures):
    """The organisation's records summed per day and DIMENSIONS: the edges of a date range, and months in which
    a price changes, are read from here."""

    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "day"], name="daily_rollup_org_day")]

    def __str__(self):
        return f"{self.day} {self.source} {self.model}: {self.records} records"


class MonthlyRollup(RollupFigures):
    """The daily rollup summed per calendar month (`month` is its first day): whole months are read from here."""

    month = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"], name="monthly_rollup_org_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.source} {self.model}: {self.records} records"


class RollupStamp(models.Model):
    """The generation of an organisation's rollups: drawn anew by every refresh, in its transaction, so a figure
    cached under a generation is never served once the records behind it changed (apps.costs.figures)."""

    organisation = models.OneToOneField(
        Organisation, primary_key=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    generation = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.organisation_id}: generation {self.generation}"


class PersonMonthRollup(models.Model):
    """The records attributed to a person summed per calendar month (`month` is its first day), person, team,
    source, usage kind, provider, model, currency and whether the cost was reported, in parts cut at the days a
    price changes (`segment`): what the cost pages' per person figures (top people by API spend) read. Written
    only by apps.footprint.rollups, with the others."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField()
    # The first day of the part of the month the records fall in: the month is cut at the days a price starts
    # (rollups.register_split_days), so a part's tokens are priced at its first day's price.
    segment = models.DateField()
    # A removed person's or team's records lose it (SET_NULL); the months are summed again then.
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    team = models.ForeignKey(
        Team, null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    source = models.CharField(max_length=40)
    usage_kind = models.CharField(max_length=20)
    provider = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=200, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    cost_reported = models.BooleanField(default=False)

    records = models.BigIntegerField(default=0)
    requests = models.BigIntegerField(default=0)
    input_tokens = models.BigIntegerField(default=0)
    cached_input_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    active_user_days = models.BigIntegerField(default=0)
    cost = models.DecimalField(max_digits=30, decimal_places=10, default=0)
    energy_kwh = models.FloatField(null=True)
    co2e_location_kg = models.FloatField(default=0)
    energy_prefill_kwh = models.FloatField(null=True)
    water_l = models.FloatField(null=True)
    adpe_kgsbeq = models.FloatField(null=True)
    pe_mj = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"], name="person_rollup_org_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} person {self.person_id} {self.model}: {self.records} records"


class PersonMonthActivity(models.Model):
    """How many distinct days a person had records of a usage kind in a month, under each team (`per_team`) and
    whatever the team (`per_team` false, team null): ROI's distinct person-days with API use per team and in
    all (days cannot be summed over models, nor over teams a person used the same day, so they are counted
    here)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField()
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    team = models.ForeignKey(
        Team, null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    usage_kind = models.CharField(max_length=20)
    per_team = models.BooleanField(default=True)
    days_active = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"], name="person_activity_org_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} person {self.person_id} {self.usage_kind}: {self.days_active} days"
