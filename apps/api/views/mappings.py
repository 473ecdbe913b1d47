"""Identity mappings: which person or team an identity seen in a source (user, team, project, API key) is."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from apps.accounts.tenancy import get_scoped_or_404, scoped
from apps.connectors.mapping import delete_mapping, save_mapping
from apps.connectors.models import IdentityMapping

from .. import examples
from ..serializers import IdentityMappingSerializer
from .common import OrgScopedMixin


@extend_schema(tags=["mappings"], examples=examples.MAPPINGS)
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
        save_mapping(
            self.organisation, self.request.user, data["kind"], data["value"], data.get("person"), data.get("team")
        )
        serializer.instance = get_scoped_or_404(
            IdentityMapping, self.organisation, kind=data["kind"], value=data["value"].strip()
        )


@extend_schema(tags=["mappings"], examples=examples.MAPPING_DETAIL)
class MappingDetail(OrgScopedMixin, generics.RetrieveDestroyAPIView):
    serializer_class = IdentityMappingSerializer

    def get_object(self):
        return get_scoped_or_404(IdentityMapping, self.organisation, pk=self.kwargs["pk"])

    def perform_destroy(self, instance):
        delete_mapping(self.organisation, self.request.user, instance)
