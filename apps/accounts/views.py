"""Pages for teams, people, members and personal API tokens. Thin: logic is in services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import ApiTokenForm, OrganisationForm, PersonForm, TeamForm
from .models import ApiToken, Membership, Person, Role, Team
from .omnibus import SOURCE as OMNIBUS_SOURCE
from .omnibus import omnibus_scope
from .permissions import MANAGE_MEMBERS, READ, WRITE
from .services import ORGANISATION_FIELDS, AccountsError, update_organisation
from .tenancy import get_scoped_or_404, org_view, scoped

PEOPLE_PER_PAGE = 100  # the demo's 2,000 people on 20 pages, not one 80,000 px page
MEMBERS_PER_PAGE = 100


@org_view(READ, write_methods_action=WRITE)
def team_list(request):
    org = request.organisation
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_team(org, form.cleaned_data["name"])
        except services.AccountsError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, _("Team created."))
            return redirect("accounts:teams", org_slug=org.slug)
    teams = scoped(Team, org).prefetch_related("people")
    return render(request, "accounts/team_list.html", {"teams": teams, "form": form})


@org_view(WRITE)
@require_POST
def team_delete(request, pk):
    team = get_scoped_or_404(Team, request.organisation, pk=pk)
    try:
        services.delete_team(request.organisation, team)
    except services.AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Team deleted."))
    return redirect("accounts:teams", org_slug=request.organisation.slug)


@org_view(READ)
def person_list(request):
    """The organisation's people, searched by e-mail, name or team (`q`) and paged (`page`), 100 a page."""
    query = _search_text(request)
    people = scoped(Person, request.organisation).select_related("team").order_by("email", "pk")
    if query:
        people = people.filter(Q(email__icontains=query) | Q(name__icontains=query) | Q(team__name__icontains=query))
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/person_list.html", {"people": page, "page": page, "q": query})


@org_view(READ, write_methods_action=WRITE)
def person_edit(request, pk=None):
    org = request.organisation
    person = get_scoped_or_404(Person, org, pk=pk) if pk else None
    initial = {"email": person.email, "name": person.name, "team": person.team} if person else None
    form = PersonForm(request.POST or None, initial=initial, organisation=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_person(org, person=person, **form.cleaned_data)
        except services.AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:people", org_slug=org.slug)
    return render(request, "accounts/person_form.html", {"form": form, "person": person})


@org_view(WRITE)
@require_POST
def person_delete(request, pk):
    person = get_scoped_or_404(Person, request.organisation, pk=pk)
    try:
        services.delete_person(request.organisation, person)
    except services.AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Person removed."))
    return redirect("accounts:people", org_slug=request.organisation.slug)


@org_view(READ, write_methods_action=MANAGE_MEMBERS)
def organisation_detail(request):
    """The legal entity's identifiers (the iXBRL's LEI) and its sign-off policy; an admin changes them."""
    org = request.organisation
    form = OrganisationForm(request.POST or None, initial={f: getattr(org, f) for f in ORGANISATION_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            update_organisation(organisation=org, user=request.user, **form.cleaned_data)
        except AccountsError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Organisation details saved."))
            return redirect("accounts:organisation", org_slug=org.slug)
    scope = omnibus_scope(org.employees, org.net_turnover_eur, org.csrd_wave_one)
    context = {"form": form, "organisation": org, "scope": scope, "scope_source": OMNIBUS_SOURCE}
    return render(request, "accounts/organisation.html", context)


def _search_text(request) -> str:
    """The `q` parameter as a search: no NUL (PostgreSQL refuses it), trimmed, at most 100 characters."""
    return str(request.GET.get("q") or "").replace("\x00", "").strip()[:100]


@org_view(READ)
def member_list(request):
    """The organisation's members, searched by e-mail, user name or role (`q`) and paged (`page`), as People."""
    query = _search_text(request)
    members = (
        Membership.objects.filter(organisation=request.organisation)
        .select_related("user")
        .order_by("user__email", "user__username", "pk")
    )
    if query:
        roles = [value for value, label in Role.choices if query.casefold() in str(label).casefold()]
        members = members.filter(
            Q(user__email__icontains=query) | Q(user__username__icontains=query) | Q(role__in=roles)
        )
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/member_list.html", {"members": page, "page": page, "q": query})


@login_required
def token_list(request):
    """The user's own API tokens: they act with the user's roles, in every organisation."""
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = ApiToken.issue(request.user, form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = request.user.api_tokens.all()
    return render(request, "accounts/token_list.html", {"tokens": tokens, "form": form, "new_token": new_token})


@login_required
@require_POST
def token_revoke(request, pk):
    get_object_or_404(ApiToken, user=request.user, pk=pk).revoke()
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")
