"""JSON endpoints of the cost app: the same selectors as the pages, so the same numbers."""

import datetime as dt
import math

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Team
from apps.api.permissions import OrgMember
from apps.api.serializers import JsonStringField

from . import calc, selectors, services
from .models import Answer


class WindowQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


def _window(request, org):
    # An unreadable date is a 400, not a silent fall-back to the default window (found by the API fuzz test).
    query = WindowQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return selectors.window_for(org, query.validated_data.get("start"), query.validated_data.get("end"))


WINDOW_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="first day (default: the latest reporting period)"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="last day"),
]
WINDOW_EXAMPLE = {"start": "2025-01-01", "end": "2025-12-31", "carbon_price_eur_per_t": 80.0}


def _documented(
    summary: str, example: dict, parameters=(), request=None, post_example: dict | None = None, window: bool = True
):
    """Schema for a cost endpoint: a JSON object answer, its window parameters and a worked example."""
    examples = [OpenApiExample(summary, value=example, response_only=True)]
    if post_example is not None:
        examples.append(OpenApiExample("New assessment", value=post_example, request_only=True))
    return extend_schema(
        tags=["costs"],
        summary=summary,
        parameters=[*(WINDOW_PARAMETERS if window else []), *parameters],
        request=request,
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        examples=examples,
    )


class _CostView(APIView):
    permission_classes = [permissions.IsAuthenticated, OrgMember]


@_documented(
    "Cost and footprint summary",
    {"window": WINDOW_EXAMPLE, "licences_eur": 103188.0, "api_spend_eur": 83.4, "energy_kwh": 3615.0, "co2e_kg": 963.0},
)
class Summary(_CostView):
    """Totals, cost and CO2e per team, per model and top people, and equivalences."""

    def get(self, request, org_slug):
        org = request.organisation
        return Response(selectors.usage_summary(org, _window(request, org)))


@_documented(
    "Seats bought, assigned, active and idle",
    {
        "window": WINDOW_EXAMPLE,
        "licences": [
            {
                "tool": "GitHub Copilot Business",
                "bought": 30,
                "assigned": 20,
                "active": 14,
                "cost_per_active_seat_eur": 34.4,
                "idle_saving_eur_per_month": 257.0,
            }
        ],
    },
)
class Seats(_CostView):
    def get(self, request, org_slug):
        org = request.organisation
        window = _window(request, org)
        return Response({"window": window.as_dict(), "licences": selectors.seat_report(org, window)})


@_documented(
    "ROI per tool and team, with low/high",
    {
        "window": WINDOW_EXAMPLE,
        "tools": [
            {
                "tool": "GitHub Copilot Business",
                "roi_pct": {"low": 320.0, "central": 1150.0, "high": 2100.0},
                "payback_months": {"low": 2.9, "central": 1.0, "high": 0.6},
            }
        ],
    },
)
class Roi(_CostView):
    def get(self, request, org_slug):
        org = request.organisation
        window = _window(request, org)
        return Response({"window": window.as_dict(), "tools": selectors.roi_report(org, window)})


@_documented(
    "Right-sizing: savings if a share of requests moved to a smaller model",
    {
        "share": 0.3,
        "rows": [
            {
                "team": "Marketing",
                "model": "openai/gpt-4o",
                "smaller": "gpt-4o-mini",
                "requests": 1523,
                "saving_kwh": 0.29,
                "saving_co2e_kg": 0.11,
                "saving_eur": 2.1,
            }
        ],
    },
    parameters=[OpenApiParameter("share", OpenApiTypes.NUMBER, description="percent of requests moved (0-100)")],
)
class RightSizing(_CostView):
    def get(self, request, org_slug):
        org = request.organisation
        try:
            share = float(request.query_params.get("share") or 30) / 100
            if not math.isfinite(share):  # nan would pass the clamp below and break the JSON answer
                raise ValueError(share)
            share = min(max(share, 0.0), 1.0)
        except ValueError:
            return Response({"detail": "share must be a number of percent"}, status=status.HTTP_400_BAD_REQUEST)
        return Response(selectors.right_sizing(org, _window(request, org), share))


@_documented(
    "Rebound: month-to-month change split into volume and intensity effects",
    {
        "basis": "requests",
        "months": [{"month": "2025-02", "change_kg": 12.0, "volume_effect_kg": 15.5, "intensity_effect_kg": -3.5}],
    },
    parameters=[
        OpenApiParameter(
            "basis",
            OpenApiTypes.STR,
            enum=list(selectors.REBOUND_BASES),
            description="requests (default) or active_user_days",
        )
    ],
)
class Rebound(_CostView):
    def get(self, request, org_slug):
        org = request.organisation
        basis = request.query_params.get("basis") or "requests"
        if basis not in selectors.REBOUND_BASES:
            return Response(
                {"detail": f"basis must be one of {', '.join(selectors.REBOUND_BASES)}"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        result = selectors.rebound(org, _window(request, org), basis)
        result.pop("chart", None)
        return Response(result)


class FrugalitySerializer(serializers.Serializer):
    use_case = JsonStringField(max_length=200)
    team = JsonStringField(required=False, allow_blank=True, default="")
    assessed_on = serializers.DateField(required=False)
    notes = JsonStringField(required=False, allow_blank=True, default="")

    def get_fields(self):
        fields = super().get_fields()
        for key, _ in calc.FRUGALITY_QUESTIONS:
            fields[key] = serializers.ChoiceField(choices=Answer.values)
        return fields


@_documented(
    "Frugality assessments (AFNOR Spec 2314)",
    {
        "assessments": [
            {"use_case": "Support bot", "assessed_on": "2025-11-03", "score": 67.0, "reasons": ["no usage caps"]}
        ]
    },
    request=FrugalitySerializer,
    window=False,
    post_example={
        "use_case": "Support bot",
        "team": "Customer Support",
        "need_for_ai": "yes",
        "model_size": "yes",
        "good_practices": "partly",
        "measurement": "yes",
        "usage_caps": "no",
        "rebound": "no",
    },
)
class Frugality(_CostView):
    def get(self, request, org_slug):
        return Response({"assessments": selectors.frugality_list(request.organisation)})

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
        return Response(
            {"id": assessment.pk, "score": assessment.score, "reasons": assessment.reasons},
            status=status.HTTP_201_CREATED,
        )
