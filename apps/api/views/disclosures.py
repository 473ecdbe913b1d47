"""Reporting periods, their disclosure snapshot, sign-off and exports."""

from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status, views
from rest_framework.response import Response

from apps.accounts.permissions import SIGN_OFF
from apps.accounts.tenancy import get_scoped_or_404, scoped
from apps.disclosures import services as disclosures
from apps.disclosures.models import ReportingPeriod

from .. import examples
from ..serializers import (
    DisclosureSerializer,
    ErrorSerializer,
    PeriodTaskStatusSerializer,
    ReportingPeriodSerializer,
    SignOffSerializer,
)
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


def _status_url(request, org_slug, pk) -> str:
    return request.build_absolute_uri(reverse("api:period_status", args=[org_slug, pk]))


def _task_status(request, org_slug, period) -> dict:
    result = disclosures.task_status(period)
    for row in result["exports"]:
        row["url"] = request.build_absolute_uri(reverse("api:export", args=[org_slug, period.pk, row["format"]]))
    return result


@extend_schema(tags=["disclosures"], responses=PeriodTaskStatusSerializer, examples=examples.PERIOD_STATUS)
class PeriodTaskStatus(PeriodMixin, views.APIView):
    """The period's sign-off and the state of each export (queued, rendering, ready, failed): poll it after a
    sign-off or an export request until `finished`."""

    def get(self, request, org_slug, pk):
        return Response(PeriodTaskStatusSerializer(_task_status(request, org_slug, self.get_period())).data)


@extend_schema(
    tags=["disclosures"],
    request=SignOffSerializer,
    responses={202: ReportingPeriodSerializer, 409: ErrorSerializer},
    examples=examples.SIGN_OFF,
)
class SignOff(PeriodMixin, views.APIView):
    """Sign off and lock the period. Sustainability officers and admins only.

    Answers 202 at once with the period "signing" (its days are locked from now); a task freezes the snapshot
    and renders the exports. Poll the `Location` (the period's status) until `status` is `signed_off`, or back
    to what it was with `sign_off_error`. Already signed off, being signed off, or a newer version exists: 409.
    Four eyes: the member who submitted the period for review cannot sign it off (409), unless the organisation
    allows a single signer. A factor still to_verify fails the freeze (`sign_off_error`) unless
    `accept_unverified` is true with a `comment`: the exception is kept in the snapshot and the audit log."""

    write_action = SIGN_OFF

    def post(self, request, org_slug, pk):
        params = SignOffSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        period = disclosures.request_sign_off(
            period=self.get_period(),
            membership=request.membership,
            comment=params.validated_data["comment"],
            accept_unverified=params.validated_data["accept_unverified"],
        )
        period.refresh_from_db()
        return Response(
            ReportingPeriodSerializer(period).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": _status_url(request, org_slug, pk)},
        )


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
        (202, "application/json"): PeriodTaskStatusSerializer,
        (409, "application/json"): ErrorSerializer,
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
    """The period's export as a file (auditors too: reading is not changing; the download is logged).

    json, csv and xhtml come from the snapshot at once. pdf, xlsx and evidence are rendered by a task: POST
    requests one (202 and the status URL; roles that can change only), GET sends it once ready, answers 202
    with the status while it renders, and 409 if it was never requested or failed (the message says which)."""

    def get(self, request, org_slug, pk, fmt):
        period = self.get_period()
        if fmt not in disclosures.EXPORT_FORMATS:
            raise Http404("Unknown export format")
        try:
            content, filename, content_type = disclosures.download(period, fmt, request.user)
        except disclosures.ExportNotReady as exc:
            if exc.kept is None or exc.kept.state == "failed":
                raise
            body = PeriodTaskStatusSerializer(_task_status(request, org_slug, period)).data
            return Response(
                body, status=status.HTTP_202_ACCEPTED, headers={"Location": _status_url(request, org_slug, pk)}
            )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @extend_schema(request=None, responses={202: PeriodTaskStatusSerializer, 409: ErrorSerializer})
    def post(self, request, org_slug, pk, fmt):
        period = self.get_period()
        if fmt not in disclosures.EXPORT_FORMATS:
            raise Http404("Unknown export format")
        disclosures.request_export(period=period, fmt=fmt, user=request.user)
        body = PeriodTaskStatusSerializer(_task_status(request, org_slug, period)).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": _status_url(request, org_slug, pk)})
