"""REST API views: thin wrappers over the services, scoped by apps.api.permissions.OrgMember."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, generics, permissions, serializers, status, views
from rest_framework.response import Response

from apps.accounts import services
from apps.accounts.models import Team
from apps.accounts.tenancy import get_scoped_or_404, scoped
from apps.footprint.calculator import estimate_request
from apps.footprint.factors import FactorLookupError
from apps.footprint.services import default_factor_set_version, load_factor_set

from .permissions import OrgMember
from .serializers import EstimateRequestSerializer, MembershipSerializer, TeamSerializer


@extend_schema(
    tags=["organisations"],
    examples=[
        OpenApiExample(
            "Member of two organisations",
            response_only=True,
            value=[
                {"slug": "demo", "name": "Demo Industries SA", "role": "officer"},
                {"slug": "acme", "name": "Acme SE", "role": "auditor"},
            ],
        )
    ],
)
class OrganisationList(generics.ListAPIView):
    """The organisations the caller belongs to, with their role in each."""

    serializer_class = MembershipSerializer

    def get_queryset(self):
        return self.request.user.memberships.select_related("organisation")


@extend_schema(
    tags=["organisations"],
    examples=[
        OpenApiExample(
            "Teams", response_only=True, value=[{"id": 3, "name": "Marketing", "created_at": "2025-01-06T09:00:00Z"}]
        ),
        OpenApiExample("New team", request_only=True, value={"name": "Data Science"}),
    ],
)
class TeamList(generics.ListCreateAPIView):
    serializer_class = TeamSerializer
    permission_classes = [permissions.IsAuthenticated, OrgMember]

    def get_queryset(self):
        return scoped(Team, self.request.organisation)

    def perform_create(self, serializer):
        try:
            serializer.instance = services.create_team(self.request.organisation, serializer.validated_data["name"])
        except services.AccountsError as exc:
            raise serializers.ValidationError({"name": [str(exc)]}) from exc


@extend_schema(
    tags=["organisations"],
    examples=[
        OpenApiExample(
            "A team", response_only=True, value={"id": 3, "name": "Marketing", "created_at": "2025-01-06T09:00:00Z"}
        ),
        OpenApiExample("Rename", request_only=True, value={"name": "Growth marketing"}),
    ],
)
class TeamDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = TeamSerializer
    permission_classes = [permissions.IsAuthenticated, OrgMember]

    def get_object(self):
        return get_scoped_or_404(Team, self.request.organisation, pk=self.kwargs["pk"])

    def perform_destroy(self, instance):
        try:
            services.delete_team(self.request.organisation, instance)
        except services.AccountsError as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc


@extend_schema(
    request=EstimateRequestSerializer,
    responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    examples=[
        OpenApiExample(
            "GPT-4o in France",
            request_only=True,
            value={
                "provider": "openai",
                "model": "gpt-4o",
                "output_tokens": 400,
                "requests": 10,
                "zone": "FR",
                "year": 2025,
            },
        )
    ],
)
class Estimate(views.APIView):
    """Energy and CO2e of LLM requests (EcoLogits method) with the built-in factor set.

    Same answer as `manage.py estimate --json`. Unknown provider, model or zone: 400 with close matches."""

    def post(self, request):
        params = EstimateRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        try:
            result = estimate_request(
                p["provider"],
                p["model"],
                p["output_tokens"],
                p["input_tokens"],
                p["requests"],
                p["zone"] or None,
                p["year"],
                factor_set=load_factor_set(default_factor_set_version()),
            )
        except FactorLookupError as exc:
            return Response(
                {"detail": str(exc), "field": _field_of(exc), "close_matches": exc.close_matches},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(result)


def _field_of(exc: FactorLookupError) -> str:
    return "model" if exc.kind.startswith("model") else exc.kind


# ---- Ingestion runs, records, footprint summary, mappings, periods and exports (issue 7) ----------------------
# Every view below is scoped by OrgMember: another organisation's slug or object is a 404, a write by an
# auditor a 403. Reads go through apps.web.selectors (the dashboard's queries), writes through the services.

from django.db import transaction  # noqa: E402  (appended section)
from django.http import Http404, HttpResponse, JsonResponse  # noqa: E402
from drf_spectacular.utils import OpenApiParameter  # noqa: E402
from rest_framework.parsers import MultiPartParser  # noqa: E402

from apps.accounts.permissions import SIGN_OFF  # noqa: E402
from apps.connectors import ingestion  # noqa: E402
from apps.connectors.models import IdentityMapping, IngestionRun  # noqa: E402
from apps.connectors.tasks import ingest_run  # noqa: E402
from apps.disclosures import services as disclosures  # noqa: E402
from apps.disclosures.filters import parse_filters  # noqa: E402
from apps.disclosures.models import ReportingPeriod  # noqa: E402
from apps.footprint import selectors  # noqa: E402

from .serializers import (  # noqa: E402
    DisclosureSerializer,
    ErrorSerializer,
    FilterQuerySerializer,
    IdentityMappingSerializer,
    IngestionRunSerializer,
    ReportingPeriodSerializer,
    SignOffSerializer,
    SourceSerializer,
    SummarySerializer,
    UploadSerializer,
    UsageRecordSerializer,
)

FILTER_PARAMETERS = [
    OpenApiParameter("period", int, description="A reporting period's id: its dates are the range."),
    OpenApiParameter(
        "start",
        OpenApiTypes.DATE,
        description="First day (default: the latest reporting period's start, else twelve months ago).",
    ),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (default: the latest period's end, else today)."),
    OpenApiParameter("team", str, description="A team id, or `none` for records attributed to no team."),
    OpenApiParameter("source", str, description="A source key, e.g. `openai_usage`."),
    OpenApiParameter("provider", str, description="e.g. `openai`, `anthropic`."),
    OpenApiParameter("model", str, description="e.g. `gpt-4o`."),
]
RUN_EXAMPLE = OpenApiExample(
    "A finished run",
    response_only=True,
    value={
        "id": 12,
        "source_key": "generic_csv",
        "status": "succeeded",
        "phase": "storing",
        "finished": True,
        "progress_percent": 100,
        "bytes_done": 2048,
        "bytes_total": 2048,
        "rows_read": 31,
        "rows_skipped": 0,
        "records_stored": 31,
        "requests": 3100,
        "input_tokens": 1550000,
        "cached_input_tokens": 0,
        "output_tokens": 1240000,
        "energy_kwh": 2.4,
        "co2e_kg": 0.13,
        "errors": [],
        "warnings": [],
        "duplicate_of": None,
        "filename": "usage-2025-03.csv",
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "size_bytes": 2048,
        "uploaded_by": "officer@example.com",
        "factor_set": "builtin@2025.1",
        "attempts": 1,
        "created_at": "2025-04-02T09:00:00Z",
        "started_at": "2025-04-02T09:00:01Z",
        "finished_at": "2025-04-02T09:00:02Z",
    },
)


def _checked_filters(organisation, params) -> selectors.Filters:
    """The dashboard's filters, after a 400 for an unreadable date or period."""
    FilterQuerySerializer(data=params).is_valid(raise_exception=True)
    return parse_filters(organisation, params)


class OrgScopedMixin:
    permission_classes = [permissions.IsAuthenticated, OrgMember]

    @property
    def organisation(self):
        return self.request.organisation


@extend_schema(tags=["ingestion"])
class RunList(OrgScopedMixin, generics.ListAPIView):
    """Ingestion runs, newest first. POST a usage file (multipart) to start one."""

    serializer_class = IngestionRunSerializer
    parser_classes = [MultiPartParser]  # a file upload: multipart only (a JSON or urlencoded body: 415)

    def get_queryset(self):
        return scoped(IngestionRun, self.organisation).select_related("source_file", "uploaded_by", "factor_set")

    @extend_schema(examples=[RUN_EXAMPLE])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={201: IngestionRunSerializer},
        description="Store the file (once per SHA-256), create a run and queue its loading. Poll the "
        "run's detail for `progress_percent` until `finished`. A file already loaded gives "
        "a finished run that stored nothing and names the earlier one in `duplicate_of`.",
        examples=[RUN_EXAMPLE],
    )
    def post(self, request, *args, **kwargs):
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file, source = upload.validated_data["file"], upload.validated_data["source"]
        try:
            source_file = ingestion.store_upload(self.organisation, file, file.name, user=request.user)
            run = ingestion.create_run(self.organisation, source, source_file, user=request.user)
        except ingestion.IngestionRefused as exc:
            raise serializers.ValidationError({"file": [str(exc)]}) from exc
        if not run.is_finished:
            # Queued once the run row is committed, so a worker never looks for a run that is not there yet.
            transaction.on_commit(lambda: ingest_run.delay(run.pk))
        return Response(
            IngestionRunSerializer(run).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(f"{run.pk}/")},
        )


@extend_schema(tags=["ingestion"], examples=[RUN_EXAMPLE])
class RunDetail(OrgScopedMixin, generics.RetrieveAPIView):
    """One run: status, progress, counts, errors (file, row, column) and the file's SHA-256."""

    serializer_class = IngestionRunSerializer

    def get_object(self):
        return get_scoped_or_404(
            IngestionRun.objects.select_related("source_file", "uploaded_by", "factor_set"),
            self.organisation,
            pk=self.kwargs["pk"],
        )


@extend_schema(
    tags=["footprint"],
    parameters=FILTER_PARAMETERS,
    examples=[
        OpenApiExample(
            "A usage record",
            response_only=True,
            value={
                "id": 981,
                "day": "2025-03-01",
                "source": "litellm_spend_logs",
                "provider": "openai",
                "model": "gpt-4o",
                "team": "Marketing",
                "requests": 120,
                "input_tokens": 150000,
                "output_tokens": 60000,
                "energy_kwh": 0.115,
                "co2e_location_kg": 0.0064,
                "run": 12,
                "source_sha256": "9f2c0e…",
            },
        )
    ],
)
class RecordList(OrgScopedMixin, generics.ListAPIView):
    """Usage records with their footprint, filtered like the dashboard, paginated (`?page=`)."""

    serializer_class = UsageRecordSerializer

    def get_queryset(self):
        filters = _checked_filters(self.organisation, self.request.query_params)
        records = selectors.filtered_records(self.organisation, filters)
        return selectors.records_page_rows(records).select_related("factor_set")


@extend_schema(
    tags=["footprint"],
    parameters=FILTER_PARAMETERS,
    responses=SummarySerializer,
    examples=[
        OpenApiExample(
            "A quarter",
            response_only=True,
            value={
                "filters": {
                    "start": "2025-01-01",
                    "end": "2025-03-31",
                    "team": "",
                    "source": "",
                    "provider": "",
                    "model": "",
                    "period": None,
                },
                "totals": {
                    "energy_kwh": 120.5,
                    "co2e_location_kg": 6.8,
                    "co2e_market_kg": 5.1,
                    "co2e_location_t": 0.0068,
                    "co2e_market_t": 0.0051,
                    "cost_eur": 1830.0,
                    "other_costs": [{"currency": "USD", "amount": 410.0}],
                    "records": 930,
                    "requests": 52000,
                },
                "series": {
                    "by_month": [
                        {
                            "key": "2025-01",
                            "energy_kwh": 40.1,
                            "co2e_location_kg": 2.3,
                            "co2e_market_kg": 1.7,
                            "records": 310,
                            "requests": 17000,
                        }
                    ],
                    "by_source": [],
                    "by_provider": [],
                    "by_model": [],
                    "by_team": [],
                    "by_scope": [],
                },
            },
        )
    ],
)
class Summary(OrgScopedMixin, views.APIView):
    """The dashboard's totals (kWh, kg/t CO2e location- and market-based, EUR) and series by month, source,
    provider, model, team and scope: the same aggregates as the disclosure's breakdowns."""

    def get(self, request, org_slug):
        filters = _checked_filters(self.organisation, request.query_params)
        records = selectors.filtered_records(self.organisation, filters)
        series = selectors.series(records)
        for row in series["by_team"]:
            row.pop("team_id", None)
        return Response(
            SummarySerializer({"filters": filters, "totals": selectors.totals(records), "series": series}).data
        )


@extend_schema(
    tags=["mappings"],
    examples=[
        OpenApiExample(
            "Mappings",
            response_only=True,
            value=[{"id": 5, "kind": "api_key", "value": "key-7f3a", "person": None, "team": 3}],
        ),
        OpenApiExample(
            "Map a user to a person", request_only=True, value={"kind": "person", "value": "jdoe", "person": 42}
        ),
    ],
)
class MappingList(OrgScopedMixin, generics.ListCreateAPIView):
    """Identity mappings. POST one (or the same kind and value again to change it): stored records are
    re-attributed at once, except in signed-off periods."""

    serializer_class = IdentityMappingSerializer

    def get_queryset(self):
        return scoped(IdentityMapping, self.organisation)

    def get_serializer(self, *args, **kwargs):
        # Schema generation has no organisation; requests always do (OrgMember sets it).
        organisation = getattr(self.request, "organisation", None)
        return IdentityMappingSerializer(*args, organisation=organisation, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        ingestion.save_mapping(
            self.organisation, self.request.user, data["kind"], data["value"], data.get("person"), data.get("team")
        )
        serializer.instance = get_scoped_or_404(
            IdentityMapping, self.organisation, kind=data["kind"], value=data["value"].strip()
        )


@extend_schema(
    tags=["mappings"],
    examples=[
        OpenApiExample(
            "A mapping",
            response_only=True,
            value={"id": 5, "kind": "api_key", "value": "key-7f3a", "person": None, "team": 3},
        )
    ],
)
class MappingDetail(OrgScopedMixin, generics.RetrieveDestroyAPIView):
    serializer_class = IdentityMappingSerializer

    def get_object(self):
        return get_scoped_or_404(IdentityMapping, self.organisation, pk=self.kwargs["pk"])

    def perform_destroy(self, instance):
        ingestion.delete_mapping(self.organisation, self.request.user, instance)


@extend_schema(
    tags=["disclosures"],
    examples=[
        OpenApiExample(
            "Periods",
            response_only=True,
            value=[
                {
                    "id": 7,
                    "start": "2025-01-01",
                    "end": "2025-12-31",
                    "version": 1,
                    "status": "signed_off",
                    "snapshot_sha256": "da399c…",
                }
            ],
        )
    ],
)
class PeriodList(OrgScopedMixin, generics.ListAPIView):
    """Reporting periods and their versions (a restatement is a new version)."""

    serializer_class = ReportingPeriodSerializer

    def get_queryset(self):
        return scoped(ReportingPeriod, self.organisation).select_related("signed_off_by")


class PeriodMixin(OrgScopedMixin):
    def get_period(self) -> ReportingPeriod:
        return get_scoped_or_404(
            ReportingPeriod.objects.select_related("signed_off_by"), self.organisation, pk=self.kwargs["pk"]
        )


@extend_schema(
    tags=["disclosures"],
    examples=[
        OpenApiExample(
            "A signed-off period",
            response_only=True,
            value={
                "id": 7,
                "start": "2025-01-01",
                "end": "2025-12-31",
                "version": 1,
                "status": "signed_off",
                "snapshot_sha256": "da399c…",
            },
        )
    ],
)
class PeriodDetail(PeriodMixin, generics.RetrieveAPIView):
    serializer_class = ReportingPeriodSerializer

    def get_object(self):
        return self.get_period()


@extend_schema(
    tags=["disclosures"],
    responses=DisclosureSerializer,
    examples=[
        OpenApiExample(
            "Disclosure snapshot (abridged)",
            response_only=True,
            value={
                "snapshot_sha256": "da399c…",
                "snapshot": {
                    "period": {"start": "2025-01-01", "end": "2025-12-31", "status": "signed_off"},
                    "datapoints": [{"id": "E1-6_11", "unit": "tCO2e", "value": 12.4, "low": 6.1, "high": 31.0}],
                },
            },
        )
    ],
)
class Disclosure(PeriodMixin, views.APIView):
    """The ESRS E1 (or VSME B3) disclosure of a period version with its SHA-256: frozen once signed off."""

    def get(self, request, org_slug, pk):
        period = self.get_period()
        snapshot, sha = disclosures.snapshot_of(period)
        return Response(DisclosureSerializer({"period": period, "snapshot_sha256": sha, "snapshot": snapshot}).data)


@extend_schema(
    tags=["disclosures"],
    request=SignOffSerializer,
    responses={200: ReportingPeriodSerializer, 409: ErrorSerializer},
    examples=[OpenApiExample("Sign off", request_only=True, value={"comment": "Reviewed with the CFO."})],
)
class SignOff(PeriodMixin, views.APIView):
    """Sign off and lock the period: its snapshot is frozen. Sustainability officers and admins only."""

    write_action = SIGN_OFF

    def post(self, request, org_slug, pk):
        params = SignOffSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            period = disclosures.sign_off(self.get_period(), request.membership, params.validated_data["comment"])
        except disclosures.DisclosureError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        period.refresh_from_db()
        return Response(ReportingPeriodSerializer(period).data)


@extend_schema(
    tags=["disclosures"],
    # Each format's own media type (found by the API fuzz test: text/csv was undocumented).
    responses={
        **{
            (200, content_type): OpenApiTypes.BINARY
            for content_type, _ext in disclosures.EXPORT_FORMATS.values()
            if content_type != "application/json"
        },
        (200, "application/json"): OpenApiTypes.OBJECT,
    },
    examples=[
        OpenApiExample(
            "fmt=json",
            response_only=True,
            media_type="application/json",
            value={"E1-6_11": {"value": 12.4, "unit": "tCO2e", "low": 6.1, "high": 31.0}},
        )
    ],
    parameters=[
        OpenApiParameter(
            "fmt",
            str,
            OpenApiParameter.PATH,
            enum=list(disclosures.EXPORT_FORMATS),
            description="pdf, csv, xlsx, json, xhtml (inline XBRL) or evidence (zip)",
        )
    ],
)
class Export(PeriodMixin, views.APIView):
    """The period's export as a file (auditors too: reading is not changing; the export is logged)."""

    def get(self, request, org_slug, pk, fmt):
        period = self.get_period()
        if fmt not in disclosures.EXPORT_FORMATS:
            raise Http404("Unknown export format")
        content, filename, content_type = disclosures.export(period, fmt, request.user)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@extend_schema(
    tags=["ingestion"],
    responses={200: SourceSerializer(many=True)},
    examples=[
        OpenApiExample(
            "Sources",
            response_only=True,
            value=[{"key": "litellm_spend_logs", "label": "LiteLLM proxy spend logs", "reads_in_chunks": True}],
        )
    ],
)
class SourceList(views.APIView):
    """The usage sources a file can be loaded as (the `source` of an upload)."""

    def get(self, request):
        from apps.connectors.sources import SOURCES

        return Response(
            [
                {"key": key, "label": module.LABEL, "reads_in_chunks": hasattr(module, "iter_chunks")}
                for key, module in sorted(SOURCES.items())
            ]
        )


def not_found(request, exception):
    """The site's 404 handler (reporting.urls.handler404): a JSON answer under /api/, as every other API error is
    (e.g. a path whose id is not a number matches no route), the ordinary page elsewhere."""
    from django.views import defaults

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
