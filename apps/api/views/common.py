"""What the organisation-scoped views share: the permission and the dashboard's checked filters."""

from rest_framework import permissions

from apps.disclosures.filters import parse_filters
from apps.footprint.selectors import Filters

from ..permissions import OrgMember
from ..serializers import FilterQuerySerializer


class OrgScopedMixin:
    permission_classes = [permissions.IsAuthenticated, OrgMember]

    @property
    def organisation(self):
        return self.request.organisation


def checked_filters(organisation, params) -> Filters:
    """The dashboard's filters, after a 400 for an unreadable date or period."""
    FilterQuerySerializer(data=params).is_valid(raise_exception=True)
    return parse_filters(organisation, params)
