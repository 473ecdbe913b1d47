"""REST API views: thin wrappers over the services, scoped by apps.api.permissions.OrgMember."""

from rest_framework import generics, permissions, serializers, status, views
from rest_framework.response import Response

from apps.accounts import services
from apps.accounts.models import Team
from apps.accounts.tenancy import get_scoped_or_404, scoped
from apps.footprint.calculator import estimate_request
from apps.footprint.factors import FactorLookupError
from apps.footprint.services import default_factor_set_version, load_factor_set

from .permissions import OrgMember
from .serializers import EstimateRequestSerializer, MembershipSerializer, TeamSerializer


class OrganisationList(generics.ListAPIView):
    """The organisations the caller belongs to, with their role in each."""

    serializer_class = MembershipSerializer

    def get_queryset(self):
        return self.request.user.memberships.select_related("organisation")


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


class TeamDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = TeamSerializer
    permission_classes = [permissions.IsAuthenticated, OrgMember]

    def get_object(self):
        return get_scoped_or_404(Team, self.request.organisation, pk=self.kwargs["pk"])


class Estimate(views.APIView):
    """Energy and CO2e of LLM requests (EcoLogits method) with the built-in factor set.

    Same answer as `manage.py estimate --json`. Unknown provider, model or zone: 400 with close matches."""

    def post(self, request):
        params = EstimateRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        try:
            result = estimate_request(p["provider"], p["model"], p["output_tokens"], p["input_tokens"],
                                      p["requests"], p["zone"] or None, p["year"],
                                      factor_set=load_factor_set(default_factor_set_version()))
        except FactorLookupError as exc:
            return Response({"detail": str(exc), "field": _field_of(exc), "close_matches": exc.close_matches},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response(result)


def _field_of(exc: FactorLookupError) -> str:
    return "model" if exc.kind.startswith("model") else exc.kind
