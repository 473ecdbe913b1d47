from django.db import models
from rest_framework import serializers

from apps.accounts.models import Membership, Person, Team
from apps.connectors.models import IdentityKind, IdentityMapping, IngestionRun
from apps.connectors.sources import SOURCES
from apps.connectors.sources.skips import SkipReason
from apps.disclosures.models import ReportingPeriod
from apps.footprint.models import UsageRecord
from apps.footprint.record_pages import record_warning, run_warning


class JsonStringField(serializers.CharField):
    """A string field that takes only a JSON string, as the schema says (DRF's CharField turns 12 into "12")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class RunWarningsField(serializers.ListField):
    """A run's warnings as text in the request's language: each stored as a Message dict (a row warning), or as
    the English text of an older run (its known parts translated, any other as it is)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(), read_only=True, **kwargs)

    def to_representation(self, data):
        return [run_warning(w) for w in data]


class RecordWarningField(serializers.CharField):
    """A record's warning (stored in English) in the request's language."""

    def to_representation(self, value):
        return record_warning(str(value)) if value else ""


class JsonModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: JsonStringField,
        models.TextField: JsonStringField,
    }


class MembershipSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")

    class Meta:
        model = Membership
        fields = ["slug", "name", "role"]


class TeamSerializer(JsonModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "created_at"]
        read_only_fields = ["id", "created_at"]


class EstimateRequestSerializer(serializers.Serializer):
    provider = JsonStringField()
    model = JsonStringField()
    output_tokens = serializers.IntegerField(min_value=0)
    input_tokens = serializers.IntegerField(min_value=0, default=0, help_text="uncached prompt tokens")
    cached_input_tokens = serializers.IntegerField(min_value=0, default=0, help_text="prompt tokens read from cache")
    requests = serializers.IntegerField(min_value=1, default=1)
    zone = JsonStringField(required=False, allow_blank=True, default="")
    year = serializers.IntegerField(required=False, min_value=1990, max_value=2100, allow_null=True, default=None)


# ---- Ingestion, records, footprint summary, mappings, periods (issue 7) -------------------------------------


class IngestionRunSerializer(serializers.ModelSerializer):
    """An ingestion run with its progress and the file it read (SHA-256: the evidence an auditor checks)."""

    filename = serializers.CharField(source="source_file.filename", read_only=True)
    sha256 = serializers.CharField(source="source_file.sha256", read_only=True)
    size_bytes = serializers.IntegerField(source="source_file.size_bytes", read_only=True)
    uploaded_by = serializers.EmailField(source="uploaded_by.email", read_only=True, default=None, allow_null=True)
    progress_percent = serializers.IntegerField(read_only=True)
    finished = serializers.BooleanField(source="is_finished", read_only=True)
    factor_set = serializers.CharField(source="factor_set.label", read_only=True, default=None, allow_null=True)
    skipped = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="The rows left out, by reason ({code: count}, summing to rows_skipped). Codes: "
        + "; ".join(f"{reason.value}: {reason.label}" for reason in SkipReason),
    )
    warnings = RunWarningsField()

    class Meta:
        model = IngestionRun
        fields = [
            "id",
            "source_key",
            "status",
            "phase",
            "finished",
            "progress_percent",
            "bytes_done",
            "bytes_total",
            "rows_read",
            "rows_skipped",
            "skipped",
            "records_stored",
            "requests",
            "input_tokens",
            "cached_input_tokens",
            "output_tokens",
            "energy_kwh",
            "co2e_kg",
            "errors",
            "warnings",
            "duplicate_of",
            "filename",
            "sha256",
            "size_bytes",
            "uploaded_by",
            "factor_set",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):
    """A usage file and the source whose parser reads it (multipart/form-data)."""

    source = serializers.ChoiceField(choices=[])
    file = serializers.FileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = sorted(SOURCES)


class UsageRecordSerializer(serializers.ModelSerializer):
    """A usage record with its footprint, the run and file (SHA-256) it came from and the factor set it was
    estimated with: its label and content hash (the content itself is the factor sets' own page)."""

    team = serializers.CharField(source="team.name", read_only=True, default=None, allow_null=True)
    run = serializers.IntegerField(source="run_id", read_only=True)
    source_sha256 = serializers.CharField(source="run.source_file.sha256", read_only=True)
    factor_set = serializers.CharField(source="factor_set.label", read_only=True, help_text="name@version")
    factor_set_sha256 = serializers.CharField(source="factor_set.content_sha256", read_only=True)
    warning = RecordWarningField(read_only=True)

    class Meta:
        model = UsageRecord
        fields = [
            "id",
            "day",
            "source",
            "provider",
            "model",
            "usage_kind",
            "self_hosted",
            "person_ref",
            "team_ref",
            "team",
            "project",
            "zone",
            "requests",
            "input_tokens",
            "cached_input_tokens",
            "output_tokens",
            "active_user_days",
            "measured_energy_kwh",
            "cost",
            "currency",
            "energy_kwh",
            "energy_kwh_low",
            "energy_kwh_high",
            "co2e_location_kg",
            "co2e_market_kg",
            "co2e_embodied_kg",
            "energy_prefill_kwh",
            "energy_prefill_kwh_low",
            "energy_prefill_kwh_high",
            "water_l",
            "water_l_low",
            "water_l_high",
            "adpe_kgsbeq",
            "adpe_kgsbeq_low",
            "adpe_kgsbeq_high",
            "pe_mj",
            "pe_mj_low",
            "pe_mj_high",
            "grid_zone",
            "grid_gco2e_per_kwh",
            "scope",
            "data_quality",
            "method_version",
            "factor_set",
            "factor_set_sha256",
            "warning",
            "run",
            "source_sha256",
        ]
        read_only_fields = fields


class SeriesRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    energy_kwh = serializers.FloatField()
    co2e_location_kg = serializers.FloatField()
    co2e_market_kg = serializers.FloatField()
    records = serializers.IntegerField()
    requests = serializers.IntegerField()


class OtherCostSerializer(serializers.Serializer):
    """A reported cost in another currency, as the source gave it (already converted into `cost_eur`)."""

    currency = serializers.CharField()
    amount = serializers.FloatField()  # a Decimal, written as a JSON number


class TotalsSerializer(serializers.Serializer):
    energy_kwh = serializers.FloatField()
    co2e_location_kg = serializers.FloatField()
    co2e_market_kg = serializers.FloatField()
    co2e_location_t = serializers.FloatField()
    co2e_market_t = serializers.FloatField()
    cost_eur = serializers.FloatField(help_text="API cost in EUR, from apps.costs (its one owner); rule: `cost_rule`.")
    cost_rule = serializers.CharField(help_text="How cost_eur is made, in one sentence.")
    other_costs = OtherCostSerializer(many=True)
    records = serializers.IntegerField()
    requests = serializers.IntegerField()
    energy_prefill_kwh = serializers.FloatField(help_text="The part of energy_kwh from input tokens (prefill term).")
    water_l = serializers.FloatField(help_text="Water consumption, on-site (WUE) and off-site (electricity), litres.")
    water_l_low = serializers.FloatField()
    water_l_high = serializers.FloatField()
    adpe_kgsbeq = serializers.FloatField(help_text="Abiotic depletion potential (elements), kg antimony-equivalent.")
    adpe_kgsbeq_low = serializers.FloatField()
    adpe_kgsbeq_high = serializers.FloatField()
    pe_mj = serializers.FloatField(help_text="Primary energy, MJ.")
    pe_mj_low = serializers.FloatField()
    pe_mj_high = serializers.FloatField()


class FiltersSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    team = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True)
    provider = serializers.CharField(allow_blank=True)
    model = serializers.CharField(allow_blank=True)
    period = serializers.IntegerField(source="period_id", allow_null=True)


class SeriesSerializer(serializers.Serializer):
    by_month = SeriesRowSerializer(many=True)
    by_source = SeriesRowSerializer(many=True)
    by_provider = SeriesRowSerializer(many=True)
    by_model = SeriesRowSerializer(many=True)
    by_team = SeriesRowSerializer(many=True)
    by_scope = SeriesRowSerializer(many=True)


class SummarySerializer(serializers.Serializer):
    """The dashboard's totals and series for the filtered records."""

    filters = FiltersSerializer()
    totals = TotalsSerializer()
    series = SeriesSerializer()


class IdentityMappingSerializer(JsonModelSerializer):
    """How an identity seen in a source (user, team, project, API key) maps to a person or a team."""

    class Meta:
        model = IdentityMapping
        fields = ["id", "kind", "value", "person", "team", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators = []  # (organisation, kind, value) is unique: a second save changes the mapping

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:  # only this organisation's people and teams can be named
            self.fields["person"].queryset = Person.objects.for_org(organisation)
            self.fields["team"].queryset = Team.objects.for_org(organisation)

    def validate(self, data):
        if data.get("kind") == IdentityKind.PERSON and not data.get("person"):
            raise serializers.ValidationError({"person": ["Choose the person this user is."]})
        if data.get("kind") != IdentityKind.PERSON and not data.get("team"):
            raise serializers.ValidationError({"team": ["Choose the team this identity belongs to."]})
        return data


class ReportingPeriodSerializer(serializers.ModelSerializer):
    signed_off_by = serializers.EmailField(source="signed_off_by.email", read_only=True, default=None, allow_null=True)

    class Meta:
        model = ReportingPeriod
        fields = [
            "id",
            "start",
            "end",
            "version",
            "variant",
            "standard",
            "status",
            "net_revenue_eur",
            "internal_carbon_price_eur_per_t",
            "restatement_of",
            "restatement_reason",
            "signed_off_by",
            "signed_off_at",
            "sign_off_comment",
            "sign_off_error",
            "snapshot_sha256",
            "created_at",
        ]
        read_only_fields = fields


class ExportStateSerializer(serializers.Serializer):
    format = serializers.CharField()
    by_task = serializers.BooleanField(help_text="Rendered by a task (pdf, xlsx, evidence); else from the snapshot")
    state = serializers.CharField(help_text="queued, rendering, ready, failed, or empty: never requested")
    state_label = serializers.CharField()
    error = serializers.CharField()
    sha256 = serializers.CharField()
    snapshot_sha256 = serializers.CharField(help_text="The snapshot the file was rendered from")
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.URLField()


class PeriodTaskStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="draft, in_review, signing (a task is freezing it) or signed_off")
    status_label = serializers.CharField()
    sign_off_error = serializers.CharField(help_text="Why the last sign-off failed, if it did")
    exports = ExportStateSerializer(many=True)
    finished = serializers.BooleanField(help_text="Nothing queued, rendering or signing off")


class DisclosureSerializer(serializers.Serializer):
    """The period's disclosure: the frozen snapshot once signed off, a live one while a draft."""

    period = ReportingPeriodSerializer()
    snapshot_sha256 = serializers.CharField()
    snapshot = serializers.JSONField()


class SignOffSerializer(serializers.Serializer):
    comment = JsonStringField(required=False, allow_blank=True, default="", max_length=2000)
    # Sign off although a factor the figures use is still to_verify: an explicit exception, comment required.
    accept_unverified = serializers.BooleanField(required=False, default=False)


# ---- Checked query strings and the sources list (issue 8: found by fuzzing the API) ----------------------------


class FilterQuerySerializer(serializers.Serializer):
    """The dates and period of a records/summary query. The pages fall back to the default range on an unreadable
    date; an API client is told (400) rather than silently given another range."""

    # Digits only: DRF's IntegerField would take "0.0" as 0, where the schema (and parse_filters) want an id.
    period = serializers.RegexField(
        r"^[0-9]{1,18}$", required=False, error_messages={"invalid": "A reporting period's id: digits only."}
    )
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


class ErrorSerializer(serializers.Serializer):
    """Why a request was refused (DRF's `{"detail": …}`)."""

    detail = serializers.CharField()


class SourceSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    reads_in_chunks = serializers.BooleanField()
    description = serializers.CharField(help_text="What the source reads, in one line.")
    doc_url = serializers.CharField(help_text="The documentation page the source follows (a vendor's or ours).")
