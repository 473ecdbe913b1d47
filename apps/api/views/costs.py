"""The cost endpoints: the same reads as the cost pages (apps.costs.summary, seats, roi, sizing, frugality),
so the same numbers, each answer typed by its serializer (apps.api.cost_serializers)."""

import datetime as dt
import math

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, views
from rest_framework.response import Response

from apps.accounts.models import Team
from apps.costs import services
from apps.costs.cost import RULE
from apps.costs.frugality import frugality_list
from apps.costs.reconciliation import GAP_THRESHOLD_PCT, reconcile
from apps.costs.roi import roi_report
from apps.costs.seats import seat_report
from apps.costs.sizing import REBOUND_BASES, rebound, right_sizing
from apps.costs.summary import usage_summary
from apps.costs.window import window_for

from .. import cost_examples
from ..cost_serializers import (
    AssessmentCreatedSerializer,
    AssessmentListSerializer,
    CostSummarySerializer,
    FrugalitySerializer,
    ReboundSerializer,
    ReconciliationSerializer,
    RightSizingSerializer,
    RoiSerializer,
    SeatsSerializer,
    WindowQuerySerializer,
)
from ..schema import WINDOW_PARAMETERS
from .common import OrgScopedMixin


def _window(request, org):
    # An unreadable date is a 400, not a silent fall-back to the default window (found by the API fuzz test).
    query = WindowQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return window_for(org, query.validated_data.get("start"), query.validated_data.get("end"))


@extend_schema(
    tags=["costs"],
    summary="Cost and footprint summary",
    parameters=WINDOW_PARAMETERS,
    responses=CostSummarySerializer,
    examples=cost_examples.COST_SUMMARY,
)
class Summary(OrgScopedMixin, views.APIView):
    """Totals, cost and CO2e per team, per model and top people, and equivalences."""

    def get(self, request, org_slug):
        org = request.organisation
        return Response(CostSummarySerializer(usage_summary(org, _window(request, org))).data)


@extend_schema(
    tags=["costs"],
    summary="Seats bought, assigned, active and idle",
    parameters=WINDOW_PARAMETERS,
    responses=SeatsSerializer,
    examples=cost_examples.COST_SEATS,
)
class Seats(OrgScopedMixin, views.APIView):
    def get(self, request, org_slug):
        org = request.organisation
        window = _window(request, org)
        return Response(SeatsSerializer({"window": window.as_dict(), "licences": seat_report(org, window)}).data)


@extend_schema(
    tags=["costs"],
    summary="ROI per tool and team, with low/high",
    parameters=WINDOW_PARAMETERS,
    responses=RoiSerializer,
    examples=cost_examples.COST_ROI,
)
class Roi(OrgScopedMixin, views.APIView):
    def get(self, request, org_slug):
        org = request.organisation
        window = _window(request, org)
        return Response(RoiSerializer({"window": window.as_dict(), "tools": roi_report(org, window)}).data)


@extend_schema(
    tags=["costs"],
    summary="Bill reconciliation: tokens x price against the vendor's bill, per provider and month",
    parameters=WINDOW_PARAMETERS,
    responses=ReconciliationSerializer,
    examples=cost_examples.COST_RECONCILIATION,
)
class Reconciliation(OrgScopedMixin, views.APIView):
    """Per provider and month: tokens x price, the token records' reported costs, the billed amount, the gap."""

    def get(self, request, org_slug):
        org = request.organisation
        window = _window(request, org)
        months = [m.as_dict() for m in reconcile(org, window.start, window.end)]
        answer = {"window": window.as_dict(), "threshold_pct": GAP_THRESHOLD_PCT, "rule": str(RULE), "months": months}
        return Response(ReconciliationSerializer(answer).data)


@extend_schema(
    tags=["costs"],
    summary="Right-sizing: savings if a share of requests moved to a smaller model",
    parameters=[
        *WINDOW_PARAMETERS,
        OpenApiParameter("share", OpenApiTypes.NUMBER, description="percent of requests moved (0-100)"),
    ],
    responses=RightSizingSerializer,
    examples=cost_examples.COST_RIGHT_SIZING,
)
class RightSizing(OrgScopedMixin, views.APIView):
    def get(self, request, org_slug):
        org = request.organisation
        try:
            share = float(request.query_params.get("share") or 30) / 100
            if not math.isfinite(share):  # nan would pass the clamp below and break the JSON answer
                raise ValueError(share)
            share = min(max(share, 0.0), 1.0)
        except ValueError:
            return Response({"detail": "share must be a number of percent"}, status=status.HTTP_400_BAD_REQUEST)
        return Response(RightSizingSerializer(right_sizing(org, _window(request, org), share)).data)


@extend_schema(
    tags=["costs"],
    summary="Rebound: month-to-month change split into volume and intensity effects",
    parameters=[
        *WINDOW_PARAMETERS,
        OpenApiParameter(
            "basis",
            OpenApiTypes.STR,
            enum=list(REBOUND_BASES),
            description="requests (default) or active_user_days",
        ),
    ],
    responses=ReboundSerializer,
    examples=cost_examples.COST_REBOUND,
)
class Rebound(OrgScopedMixin, views.APIView):
    def get(self, request, org_slug):
        org = request.organisation
        basis = request.query_params.get("basis") or "requests"
        if basis not in REBOUND_BASES:
            return Response(
                {"detail": f"basis must be one of {', '.join(REBOUND_BASES)}"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        result = rebound(org, _window(request, org), basis)
        return Response(ReboundSerializer(result).data)  # the page's chart is not part of the answer


@extend_schema(tags=["costs"], summary="Frugality assessments (AFNOR Spec 2314)")
class Frugality(OrgScopedMixin, views.APIView):
    @extend_schema(responses=AssessmentListSerializer, examples=cost_examples.COST_FRUGALITY)
    def get(self, request, org_slug):
        return Response(AssessmentListSerializer({"assessments": frugality_list(request.organisation)}).data)

    @extend_schema(
        request=FrugalitySerializer,
        responses={201: AssessmentCreatedSerializer},
        examples=cost_examples.COST_FRUGALITY_NEW,
    )
    def post(self, request, org_slug):
        org = request.organisation
        data = FrugalitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        team_name = fields.pop("team", "")
        team = Team.objects.for_org(org).filter(name=team_name).first() if team_name else None
        if team_name and team is None:
            return Response({"team": [f"no team named {team_name!r}"]}, status=status.HTTP_400_BAD_REQUEST)
        fields.setdefault("assessed_on", dt.date.today())
        assessment = services.add_frugality_assessment(org, request.user, team=team, **fields)
        return Response(AssessmentCreatedSerializer(assessment).data, status=status.HTTP_201_CREATED)
