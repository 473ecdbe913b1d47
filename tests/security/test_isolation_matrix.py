"""Isolation matrix (issue 8): every route of the URL configuration, every method, every kind of caller.

Routes are discovered from the resolver, so a new route is covered without editing this file:
- a member (admin) of another organisation gets 404 for everything under /o/<other org>/ and for the other
  organisation's objects addressed through their own slug, and nothing of the other organisation changes;
- an auditor reads (200) but every write method is 403 (or 405), and the database does not change;
- an anonymous caller is sent to /login/?next=... (pages) or gets 401 (API);
- a signed-off period and its records never change, whatever an admin sends to any route;
- the rightful officer does reach every route (so the 404s above are refusals, not broken URLs).
A route outside /o/<org_slug>/ must be listed in PUBLIC_ROUTES or USER_ROUTES (both in matrix_routes.py) or be
the staff-only admin site, and a route taking a pk must say in PK_KINDS (same module) which object kind its view
fetches, or test_every_route_is_classified fails and says what to add.
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client

from apps.accounts.models import Role
from apps.connectors.models import IngestionRun
from apps.disclosures.models import ReportingPeriod
from apps.footprint.models import UsageRecord

from .matrix_helpers import (
    call,
    changed,
    cross_org_references,
    fingerprint,
    is_login_redirect,
    login,
    signed_off_state,
    values_for,
    write_body,
)
from .matrix_objects import build_org
from .matrix_routes import (
    ADMIN,
    ADMIN_NAMESPACE,
    FILLERS,
    IDS,
    ORG_ROUTES,
    PAGE_METHODS,
    PK_KINDS,
    PUBLIC,
    PUBLIC_ROUTES,
    RESTATEMENT_ROUTES,
    ROUTES,
    USER,
    USER_ROUTES,
    WRITE_METHODS,
)

# ---- the objects, built once for the module -----------------------------------------------------------------


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """Organisations org-a and org-b with one object of every kind; rolled back after the module."""
    media, old = tmp_path_factory.mktemp("uploads"), settings.MEDIA_ROOT
    settings.MEDIA_ROOT = media
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield {"a": build_org("org-a"), "b": build_org("org-b"), "media": media}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            settings.MEDIA_ROOT = old


@pytest.fixture
def world(built, db, settings):
    """The module's objects; each test runs in a savepoint rolled back after it."""
    settings.MEDIA_ROOT = built["media"]
    return built


# ---- the matrix ----------------------------------------------------------------------------------------------


def test_every_route_is_classified():
    """A new route fails here until it is an organisation route, listed as public or per-user, or mapped."""
    problems = []
    names = {r.name for r in ROUTES}
    for r in ROUTES:
        if r.name in PUBLIC_ROUTES or (r.namespace == ADMIN_NAMESPACE):
            continue
        if "org_slug" not in r.params and r.name not in USER_ROUTES:
            problems.append(
                f"{r.name} (/{r.route}) is not under /o/<org_slug>/: add it to PUBLIC_ROUTES or "
                "USER_ROUTES with the reason, and make sure its view checks what that reason says"
            )
        for param in r.params:
            if param == "pk" and r.name not in PK_KINDS:
                problems.append(
                    f"{r.name} takes a pk: add '{r.name}': '<kind>' to PK_KINDS, the kind of object "
                    "its view fetches (add the kind to matrix_objects.build_org if it is new)"
                )
            elif param not in ("org_slug", "pk", "sha256", *FILLERS):
                problems.append(f"{r.name}: no value for the path parameter '{param}': add it to FILLERS")
    for listed in (*PUBLIC_ROUTES, *USER_ROUTES, *PK_KINDS):
        if listed not in names:
            problems.append(f"{listed} is listed here but no longer in the URL configuration: remove it")
    assert not problems, "\n".join(problems)
    # The discovery itself reached every part of the project.
    assert {"web", "accounts", "connectors", "disclosures", "footprint", "costs", "api", "costs_api"} <= {
        r.namespace for r in ORG_ROUTES
    }
    assert len(ORG_ROUTES) >= 50 and any(r.route.startswith("api/v1/o/") for r in ORG_ROUTES)


@pytest.mark.parametrize("route", ORG_ROUTES + USER, ids=IDS)
def test_rightful_member_reaches_every_route(world, route):
    """The officer of org-a reaches each route with org-a's objects: a 404 elsewhere is a refusal."""
    a = world["a"]
    client = login(a.users[Role.OFFICER])
    url = route.url(values_for(route, a.org, a.objects))
    response = client.get(url)
    if response.status_code == 405:  # an action taking POST only: the POST must reach the object
        response = call(client, "POST", url, write_body(route.name, a))
        assert response.status_code in (200, 201, 202, 204, 302), (route.name, response.status_code)
        assert not response.get("Location", "").startswith("/login/")
    elif route.name == "web:home":
        assert response.status_code == 302 and response["Location"] == "/o/org-a/"
    else:
        assert response.status_code == 200, (route.name, url, response.status_code)


@pytest.mark.parametrize("route", ORG_ROUTES + [r for r in USER if "pk" in r.params], ids=IDS)
def test_member_of_another_organisation_gets_404(world, route):
    """org-a's admin: 404 under /o/org-b/, 404 for org-b's objects through /o/org-a/; org-b unchanged."""
    a, b = world["a"], world["b"]
    client = login(a.users[Role.ADMIN])
    before = fingerprint(b.org)
    wrong = {}
    if "org_slug" in route.params:
        url = route.url(values_for(route, b.org, b.objects))
        for method in route.methods:
            status = call(client, method, url, write_body(route.name, a)).status_code
            if status != 404:
                wrong[f"{method} {url}"] = status
    if "pk" in route.params:
        url = route.url(values_for(route, a.org, b.objects))
        missing = route.url({**values_for(route, a.org, a.objects), "pk": 999999})
        for method in route.methods:
            response = call(client, method, url, write_body(route.name, a))
            if response.status_code == 405 or (method == "OPTIONS" and response.status_code == 200):
                # Answered for the method, not the object (405, or the API's OPTIONS description): it must be
                # the very answer a pk that exists nowhere gets, so it tells nothing about org-b's object.
                absent = call(client, method, missing)
                if (absent.status_code, absent.content) == (response.status_code, response.content):
                    continue
            if response.status_code != 404:
                wrong[f"{method} {url}"] = response.status_code
    assert not wrong, f"{route.name}: expected 404, got {wrong}"
    assert not changed(before, fingerprint(b.org)), f"{route.name} changed org-b's rows"
    assert not cross_org_references()


@pytest.mark.parametrize("route", ORG_ROUTES, ids=IDS)
def test_auditor_reads_but_never_writes(world, route):
    """org-a's auditor: every write method 403 (or 405) and the database unchanged; reads 200."""
    a = world["a"]
    client = login(a.users[Role.AUDITOR])
    url = route.url(values_for(route, a.org, a.objects))
    before = fingerprint()
    statuses = {m: call(client, m, url, write_body(route.name, a)).status_code for m in WRITE_METHODS}
    assert all(s in (403, 405) for s in statuses.values()), f"{route.name}: auditor writes answered {statuses}"
    assert not changed(before, fingerprint()), f"{route.name}: an auditor's refused write changed the database"
    read = client.get(url)
    if read.status_code in (403, 405):
        # Only an action (POST-only) may refuse a read, and then it refuses the officer's GET too.
        assert login(a.users[Role.OFFICER]).get(url).status_code == 405, route.name
    else:
        assert read.status_code == 200 and client.head(url).status_code == 200, (route.name, read.status_code)
    if route.is_api:
        assert client.options(url).status_code == 200, route.name


@pytest.mark.parametrize("route", ORG_ROUTES + USER, ids=IDS)
def test_anonymous_is_sent_to_login(world, route):
    """No session: pages redirect to /login/?next=<the page>, the API answers 401; nothing changes."""
    a = world["a"]
    client = Client()
    url = route.url(values_for(route, a.org, a.objects))
    before = fingerprint()
    wrong = {}
    for method in route.methods:
        response = call(client, method, url, write_body(route.name, a))
        ok = response.status_code == 401 if route.is_api else is_login_redirect(response, url)
        if not ok:
            wrong[method] = response.status_code
    assert not wrong, f"{route.name}: {wrong}"
    assert not changed(before, fingerprint())


@pytest.mark.parametrize("route", PUBLIC, ids=IDS)
def test_public_routes_answer_without_login(world, route):
    """The allow-list is real: these answer an anonymous caller themselves, without a server error."""
    response = Client().get(route.url(values_for(route, world["a"].org, {})))
    assert response.status_code < 500 and not response.get("Location", "").startswith("/login/")


@pytest.mark.parametrize("route", ADMIN, ids=IDS)
def test_admin_site_is_staff_only(world, route):
    """Anonymous callers and organisation admins (not staff) are sent to the admin login for every method."""
    url = route.url(values_for(route, world["a"].org, {}))
    before = fingerprint()
    for client in (Client(), login(world["a"].users[Role.ADMIN])):
        for method in PAGE_METHODS:
            response = call(client, method, url)
            assert response.status_code == 302 and response["Location"].startswith("/admin/"), (
                method,
                url,
                response.status_code,
            )
    assert not changed(before, fingerprint())


def test_account_pages_show_only_the_callers_own(world):
    """The per-user routes: no other user's tokens, no organisation the caller is not in."""
    a, b = world["a"], world["b"]
    client = login(a.users[Role.OFFICER])
    page = client.get("/account/tokens/").content.decode()
    assert a.objects["api_token"].key_prefix in page and b.objects["api_token"].key_prefix not in page
    assert [o["slug"] for o in client.get("/api/v1/organisations/").json()["results"]] == ["org-a"]


@pytest.mark.parametrize("route", ORG_ROUTES, ids=IDS)
def test_signed_off_period_never_changes(world, route, monkeypatch, django_capture_on_commit_callbacks):
    """org-a's admin sends every write to the route with the objects of the signed-off year: the period,
    its exports and its records stay as they were, and a write on the period itself is refused."""
    from apps.connectors import credential_views

    monkeypatch.setattr(credential_views, "dispatch", lambda *args, **kwargs: None)  # no network
    a = world["a"]
    client = login(a.users[Role.ADMIN])
    url = route.url(values_for(route, a.org, a.signed))
    before = signed_off_state(a)
    answers = {}
    for method in WRITE_METHODS:
        with django_capture_on_commit_callbacks(execute=True):  # queued ingestions run, as a worker would
            response = call(client, method, url, write_body(route.name, a))
        assert response.status_code < 500, (route.name, method)
        answers[method] = response
    assert signed_off_state(a) == before, f"{route.name} changed the signed-off period"
    if route.name in ("connectors:runs", "api:runs"):  # the upload was tried, and the lock refused it
        run = IngestionRun.objects.for_org(a.org).latest("pk")
        assert run.status == "failed" and "is signed off" in run.errors[0]["message"], run.errors
    if "pk" not in route.params or PK_KINDS[route.name] != "period":
        return
    for method, response in answers.items():
        if route.name in RESTATEMENT_ROUTES and method == "POST":
            new = ReportingPeriod.objects.get(restatement_of=a.signed["period"])
            assert response["Location"] == f"/o/org-a/periods/{new.pk}/" and new.version == 2
            continue
        errors = [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
        refused = 400 <= response.status_code < 500 or (response.status_code == 302 and errors)
        assert refused, f"{method} {route.name} on a signed-off period answered {response.status_code}"


def test_other_organisations_ids_in_forms_and_filters(world):
    """Objects of org-b named in a form or a query string of org-a are not found, used or shown."""
    a, b = world["a"], world["b"]
    client = login(a.users[Role.ADMIN])
    before = fingerprint(b.org)
    roi = write_body("costs:roi", a) | {"team": b.signed["team"].pk}
    assert client.post("/o/org-a/costs/roi/", roi).status_code == 404
    licence = apps.get_model("costs.Licence").objects.get(organisation=b.org)
    edit = {
        "form": "licence",
        "licence_id": licence.pk,
        "licence-tool": "other",
        "licence-seats_bought": "1",
        "licence-price_per_seat_month": "1",
        "licence-currency": "EUR",
        "licence-period_start": "2025-01-01",
        "licence-period_end": "2025-12-31",
    }
    assert client.post("/o/org-a/costs/prices/", edit).status_code == 404
    person = {"kind": "person", "value": "jdoe", "person": b.objects["person"].pk}
    assert client.post("/o/org-a/mappings/", person).status_code == 200  # the form refuses the choice
    assert call(client, "POST", "/api/v1/o/org-a/mappings/", person).status_code == 400
    new_person = {"email": "x@example.com", "team": b.signed["team"].pk}
    assert client.post("/o/org-a/people/new/", new_person).status_code == 200
    frugality = write_body("costs:frugality", a) | {"team": b.signed["team"].pk}
    assert client.post("/o/org-a/costs/frugality/", frugality).status_code == 200
    assert not changed(before, fingerprint(b.org)) and not cross_org_references()
    own = set(UsageRecord.objects.for_org(a.org).values_list("pk", flat=True))
    for query in (f"period={b.signed['period'].pk}", f"team={b.signed['team'].pk}", f"period={b.objects['period'].pk}"):
        listed = client.get(f"/api/v1/o/org-a/records/?{query}").json()["results"]
        assert {r["id"] for r in listed} <= own, query
