"""The one place that ties a request to its organisation and scopes what it may see.

Organisation pages live under /o/<org_slug>/. `org_view` resolves the slug to the user's membership
(404 when the user is not a member, so other tenants' existence is not revealed), checks the role for
the action, and sets request.organisation and request.membership. Objects are then fetched with
`get_scoped_or_404`, which can only find rows of that organisation.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404

from .models import Membership
from .permissions import READ, has_permission

SESSION_KEY = "current_org"


def get_membership(user, org_slug: str) -> Membership:
    """The user's membership in the organisation with this slug, or Http404."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("organisation").get(user=user, organisation__slug=org_slug)
    except Membership.DoesNotExist:
        raise Http404("No such organisation") from None


def require(membership, action: str) -> None:
    """Raise PermissionDenied (403) unless the membership allows the action."""
    if not has_permission(membership, action):
        raise PermissionDenied("Your role in this organisation does not allow this.")


def org_view(action: str = READ, write_methods_action: str | None = None):
    """Decorate a view taking org_slug: login required, membership resolved, role checked.

    `action` is checked for every request; `write_methods_action`, when given, is checked in addition
    for POST/PUT/PATCH/DELETE, so one view can show a page to readers and refuse their changes. A READ
    view without `write_methods_action` is read-only: other methods get 405."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, org_slug, *args, **kwargs):
            membership = get_membership(request.user, org_slug)
            require(membership, action)
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                if write_methods_action:
                    require(membership, write_methods_action)
                elif action == READ:
                    # A read-only page takes no write method: an auditor's POST must not reach the view
                    # (an export "posted" would otherwise be rendered and logged).
                    return HttpResponseNotAllowed(["GET", "HEAD", "OPTIONS"])
            request.organisation = membership.organisation
            request.membership = membership
            request.session[SESSION_KEY] = org_slug
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def scoped(model_or_queryset, organisation):
    """The queryset limited to the organisation's rows."""
    qs = model_or_queryset if hasattr(model_or_queryset, "model") else model_or_queryset.objects.all()
    return qs.filter(organisation=organisation)


def get_scoped_or_404(model_or_queryset, organisation, **lookup):
    """Fetch one object of this organisation, or 404 (also when it belongs to another one)."""
    return get_object_or_404(scoped(model_or_queryset, organisation), **lookup)
