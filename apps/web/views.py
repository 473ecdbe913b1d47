"""The home page and the organisation overview."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from apps.accounts.models import Person, Team
from apps.accounts.permissions import READ
from apps.accounts.tenancy import SESSION_KEY, org_view, scoped


@login_required
def home(request):
    """Send the user to their current organisation, or let them pick one."""
    memberships = list(request.user.memberships.select_related("organisation"))
    slugs = {m.organisation.slug for m in memberships}
    current = request.session.get(SESSION_KEY)
    if current in slugs:
        return redirect("web:org_home", org_slug=current)
    if len(memberships) == 1:
        return redirect("web:org_home", org_slug=memberships[0].organisation.slug)
    return render(request, "web/choose_org.html", {"memberships": memberships})


@org_view(READ)
def org_home(request):
    org = request.organisation
    context = {
        "team_count": scoped(Team, org).count(),
        "person_count": scoped(Person, org).count(),
        "member_count": org.memberships.count(),
    }
    return render(request, "web/org_home.html", context)
