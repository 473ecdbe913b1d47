"""Reporting periods, their disclosure snapshot, sign-off and exports."""

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, views
from rest_framework.response import Response

from apps.accounts.permissions import SIGN_OFF
from apps.accounts.tenancy import get_scoped_or_404, scoped
from apps.disclosures import services as disclosures
from apps.disclosures.models import ReportingPeriod

from .. import examples
from ..serializers import DisclosureSerializer, ErrorSerializer, ReportingPeriodSerializer, SignOffSerializer
from .common import OrgScopedMixin


@extend_schema(tags=["disclosures"], examples=examples.PERIODS)
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


@extend_schema(tags=["disclosures"], examples=examples.PERIOD_DETAIL)
class PeriodDetail(PeriodMixin, generics.RetrieveAPIView):
    serializer_class = ReportingPeriodSerializer

    def get_object(self):
        return self.get_period()


@extend_schema(tags=["disclosures"], responses=DisclosureSerializer, examples=examples.DISCLOSURE)
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
    examples=examples.SIGN_OFF,
)
class SignOff(PeriodMixin, views.APIView):
    """Sign off and lock the period: its snapshot is frozen. Sustainability officers and admins only.

    A period already signed off, or with a newer version: 409 (DisclosureError, a ConflictError)."""

    write_action = SIGN_OFF

    def post(self, request, org_slug, pk):
        params = SignOffSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        period = disclosures.sign_off(self.get_period(), request.membership, params.validated_data["comment"])
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
    examples=examples.EXPORT,
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
        fh, filename, content_type = disclosures.export_file(period, fmt, request.user)
        return FileResponse(fh, as_attachment=True, filename=filename, content_type=content_type)
