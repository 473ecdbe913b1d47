"""The caller's organisations, and an organisation's teams."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions

from apps.accounts import services
from apps.accounts.models import Team
from apps.accounts.tenancy import get_scoped_or_404, scoped

from .. import examples
from ..permissions import OrgMember
from ..serializers import MembershipSerializer, TeamSerializer


@extend_schema(tags=["organisations"], examples=examples.ORGANISATIONS)
class OrganisationList(generics.ListAPIView):
    """The organisations the caller belongs to, with their role in each."""

    serializer_class = MembershipSerializer

    def get_queryset(self):
        return self.request.user.memberships.select_related("organisation")


@extend_schema(tags=["organisations"], examples=examples.TEAMS)
class TeamList(generics.ListCreateAPIView):
    serializer_class = TeamSerializer
    permission_classes = [permissions.IsAuthenticated, OrgMember]
    domain_error_field = "name"  # a refused name (taken) is answered as the field's error

    def get_queryset(self):
        return scoped(Team, self.request.organisation)

    def perform_create(self, serializer):
        serializer.instance = services.create_team(self.request.organisation, serializer.validated_data["name"])


@extend_schema(tags=["organisations"], examples=examples.TEAM_DETAIL)
class TeamDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = TeamSerializer
    permission_classes = [permissions.IsAuthenticated, OrgMember]

    domain_error_field = "name"  # a refused name (taken) is answered as the field's error

    def get_object(self):
        return get_scoped_or_404(Team, self.request.organisation, pk=self.kwargs["pk"])

    def perform_update(self, serializer):
        name = serializer.validated_data.get("name", serializer.instance.name)
        serializer.instance = services.rename_team(self.request.organisation, serializer.instance, name)

    def perform_destroy(self, instance):
        try:
            services.delete_team(self.request.organisation, instance)
        except services.AccountsError as exc:
            # A team with usage in a signed-off period: answered 403 (not AccountsError's 400) since the API began.
            raise exceptions.PermissionDenied(str(exc)) from exc
