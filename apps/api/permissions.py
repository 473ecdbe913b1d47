"""DRF permissions built on the same tenancy and role rules as the pages."""

from rest_framework import permissions

from apps.accounts.permissions import WRITE, has_permission
from apps.accounts.tenancy import get_membership


class OrgMember(permissions.BasePermission):
    """The URL's organisation must be one of the user's (else 404); writes need a writing role (else 403).

    Sets request.organisation and request.membership for the view."""

    write_action = WRITE

    def has_permission(self, request, view):
        membership = get_membership(request.user, view.kwargs["org_slug"])
        request.organisation = membership.organisation
        request.membership = membership
        if request.method in permissions.SAFE_METHODS:
            return True
        return has_permission(membership, getattr(view, "write_action", self.write_action))
