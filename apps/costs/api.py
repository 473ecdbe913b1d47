"""JSON endpoints of the cost app: the same selectors as the pages, so the same numbers."""

import datetime as dt

from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Team
from apps.api.permissions import OrgMember

from . import calc, selectors, services
from .models import Answer


def _window(request, org):
    def day(name):
        try:
            return dt.date.fromisoformat(request.query_params.get(name) or "")
        except ValueError:
            return None

    return selectors.window_for(org, day("start"), day("end"))


class _CostView(APIView):
    permission_classes = [permissions.IsAuthenticated, OrgMember]


class Summary(_CostView):
    """Totals, cost and CO2e per team, per model and top people, and equivalences."""

    def get(self, request, org_slug):
        org = request.organisation
        return Response(selectors.usage_summary(org, _window(request, org)))


class Seats(_CostView):
    def get(self, request, org_slug):
        org = request.organisation
        window = _window(request, org)
        return Response({"window": window.as_dict(), "licences": selectors.seat_report(org, window)})


class Roi(_CostView):
    def get(self, request, org_slug):
        org = request.organisation
        window = _window(request, org)
        return Response({"window": window.as_dict(), "tools": selectors.roi_report(org, window)})


class RightSizing(_CostView):
    def get(self, request, org_slug):
        org = request.organisation
        try:
            share = min(max(float(request.query_params.get("share", 30)) / 100, 0.0), 1.0)
        except ValueError:
            return Response({"detail": "share must be a number of percent"}, status=status.HTTP_400_BAD_REQUEST)
        return Response(selectors.right_sizing(org, _window(request, org), share))


class Rebound(_CostView):
    def get(self, request, org_slug):
        org = request.organisation
        basis = request.query_params.get("basis", "requests")
        if basis not in selectors.REBOUND_BASES:
            return Response({"detail": f"basis must be one of {', '.join(selectors.REBOUND_BASES)}"},
                            status=status.HTTP_400_BAD_REQUEST)
        result = selectors.rebound(org, _window(request, org), basis)
        result.pop("chart", None)
        return Response(result)


class FrugalitySerializer(serializers.Serializer):
    use_case = serializers.CharField(max_length=200)
    team = serializers.CharField(required=False, allow_blank=True, default="")
    assessed_on = serializers.DateField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def get_fields(self):
        fields = super().get_fields()
        for key, _ in calc.FRUGALITY_QUESTIONS:
            fields[key] = serializers.ChoiceField(choices=Answer.values)
        return fields


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
        return Response({"id": assessment.pk, "score": assessment.score, "reasons": assessment.reasons},
                        status=status.HTTP_201_CREATED)
