"""Isolation matrix (issue 8): every route of the URL configuration, every method, every kind of caller.

Routes are discovered from the resolver, so a new route is covered without editing this file:
- a member (admin) of another organisation gets 404 for everything under /o/<other org>/ and for the other
  organisation's objects addressed through their own slug, and nothing of the other organisation changes;
- an auditor reads (200) but every write method is 403 (or 405), and the database does not change;
- an anonymous caller is sent to /login/?next=... (pages) or gets 401 (API);
- a signed-off period and its records never change, whatever an admin sends to any route;
- the rightful officer does reach every route (so the 404s above are refusals, not broken URLs).
A route outside /o/<org_slug>/ must be listed in PUBLIC_ROUTES or USER_ROUTES (or be the staff-only admin
site), and a route taking a pk must say in PK_KINDS which object kind its view fetches, or
test_every_route_is_classified fails and says what to add.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.test import Client
from django.urls import URLResolver, get_resolver

from apps.accounts.models import ApiToken, Organisation, Role
from apps.connectors.models import IngestionRun
from apps.disclosures.models import PeriodExport, ReportingPeriod
from apps.footprint.models import ContractualInstrument, UsageRecord

from .matrix_objects import OPEN_YEAR, SIGNED_YEAR, build_org

SAFE_METHODS = ("GET", "HEAD")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PAGE_METHODS = (*SAFE_METHODS, *WRITE_METHODS)
API_METHODS = (*PAGE_METHODS, "OPTIONS")

# Routes anyone may call, and why. A new route outside /o/<org_slug>/ must be added here or to USER_ROUTES.
PUBLIC_ROUTES = {
    "login": "the login form itself",
    "logout": "ends the caller's own session, if any",
    "set_language": "stores the chosen language in a cookie; no data",
    "healthz": "load balancers probe it; database and broker status only",
    "api-schema": "the OpenAPI document; describes the API, holds no organisation data",
    "api-docs": "Swagger UI over that schema",
    "admin:login": "the admin site's login form",
    "password_reset": "asks for a reset mail; answers the same whether the e-mail is known or not",
    "password_reset_done": "says a mail may have been sent; no data",
    "password_reset_confirm": "sets a new password only with the signed, single-use token of the mail",
    "password_reset_complete": "says the password was set; no data",
}
# Routes for any signed-in user about their own account (no organisation in the URL), and why.
USER_ROUTES = {
    "web:home": "redirects to the user's own organisation or lists the user's memberships",
    "accounts:tokens": "the user's own API tokens",
    "accounts:token_revoke": "revokes one of the user's own tokens (others' are 404)",
    "api:organisations": "the organisations the caller belongs to",
    "api:sources": "the list of connectors; no organisation data",
    "api:estimate": "a computation with the built-in factor set; stores nothing",
}
# The staff-only Django admin: every route but its login sends non-staff callers to the admin login.
ADMIN_NAMESPACE = "admin"

# For each route with <int:pk>: the object kind its view fetches (see matrix_objects.build_org).
PK_KINDS = {
    "accounts:team_delete": "team",
    "accounts:person_edit": "person",
    "accounts:person_delete": "person",
    "accounts:token_revoke": "api_token",
    "api:team_detail": "team",
    "api:run": "run",
    "api:mapping": "mapping",
    "api:period": "period",
    "api:disclosure": "period",
    "api:sign_off": "period",
    "api:period_status": "period",
    "api:export": "period",
    "connectors:run": "run",
    "connectors:run_status": "run",
    "connectors:mapping_delete": "mapping",
    "connectors:credential_toggle": "credential",
    "connectors:credential_delete": "credential",
    "connectors:credential_pull": "credential",
    "disclosures:period": "period",
    "disclosures:period_inputs": "period",
    "disclosures:period_review": "period",
    "disclosures:period_sign_off": "period",
    "disclosures:period_status": "period",
    "disclosures:period_reopen": "period",
    "disclosures:period_export": "period",
    "footprint:instrument_delete": "instrument",
}
# Other path parameters and the value they take (an export format every export route knows).
FILLERS = {"fmt": "csv", "uidb64": "MQ", "token": "not-a-reset-token"}  # (a reset link that is not valid)
ADMIN_FILLERS = {"app_label": "accounts", "object_id": "1", "id": "1", "content_type_id": "1", "url": "no-such-page/"}
# The one write on a signed-off period that succeeds: reopening creates a new version, the old one stays.
RESTATEMENT_ROUTES = {"disclosures:period_reopen"}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route text when the pattern has no name
    route: str  # e.g. "o/<slug:org_slug>/teams/<int:pk>/delete/"
    params: tuple
    namespace: str = ""

    def __str__(self):
        return self.name

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def methods(self) -> tuple:
        return API_METHODS if self.is_api else PAGE_METHODS

    def url(self, values: dict) -> str:
        """The path with each parameter replaced by its value (route converters and regex groups alike)."""
        text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), self.route)
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), text)
        return "/" + text.replace("^", "").replace("$", "")


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            continue
        route = prefix + str(pattern.pattern)
        name = (f"{namespace}:{pattern.name}" if namespace else pattern.name) if pattern.name else route
        params = tuple(re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route))
        yield Route(name, route, tuple(a or b for a, b in params), namespace.split(":")[0])


def discover_routes() -> list[Route]:
    """Every URL pattern of the project, with its full route text and parameters."""
    return list(_walk(get_resolver().url_patterns))


ROUTES = discover_routes()
ORG_ROUTES = [r for r in ROUTES if "org_slug" in r.params]
USER = [r for r in ROUTES if r.name in USER_ROUTES]
PUBLIC = [r for r in ROUTES if r.name in PUBLIC_ROUTES]
ADMIN = [r for r in ROUTES if r.namespace == ADMIN_NAMESPACE and r.name not in PUBLIC_ROUTES]
IDS = str


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


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def call(client, method: str, url: str, data: dict | None = None):
    """One request, never answered with a server error. Pages get forms (multipart POST when a file is in
    it), the API JSON (multipart for a file)."""
    data = data or {}
    send = getattr(client, method.lower())
    plain = {k: v for k, v in data.items() if not hasattr(v, "read")}
    if method in ("GET", "HEAD", "OPTIONS"):
        response = send(url)
    elif method == "POST" and (plain != data or not url.startswith("/api/")):
        response = send(url, data)
    elif url.startswith("/api/"):
        response = send(url, plain, content_type="application/json")
    else:
        response = send(url, urlencode(plain), content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500, f"{method} {url} answered {response.status_code}"
    return response


def values_for(route: Route, org, objects: dict) -> dict:
    values = {"org_slug": org.slug, **FILLERS, **ADMIN_FILLERS}
    if "pk" in route.params:
        values["pk"] = objects[PK_KINDS[route.name]].pk
    if "sha256" in route.params:  # a stored file, named by its hash (the evidence pack's download links)
        values["sha256"] = objects["run"].source_file.sha256
    return values


def usage_upload(year: int) -> SimpleUploadedFile:
    body = (
        "date,provider,model,requests,input_tokens,output_tokens,user,team,zone\n"
        f"{year}-07-01,mistral,mistral-large-2411,7,7000,7000,dev@org-a.example,Platform,FR\n"
    )
    return SimpleUploadedFile(f"late-{year}.csv", body.encode(), content_type="text/csv")


def write_body(name: str, w) -> dict:
    """A body the route would accept from a writer: a refusal must come from the rules, not a bad form.

    Dates fall in the signed-off year where the route can touch records, so the signed-off test means it."""
    team, person = w.objects["team"].pk, w.objects["person"].pk
    answers = {
        "need_for_ai": "yes",
        "model_size": "yes",
        "good_practices": "partly",
        "measurement": "yes",
        "usage_caps": "no",
        "rebound": "no",
    }
    bodies = {
        "accounts:teams": {"name": "New team"},
        "api:teams": {"name": "New team"},
        "api:team_detail": {"name": "Renamed team"},
        "accounts:person_new": {"email": "new@example.com", "name": "New", "team": team},
        "accounts:person_edit": {"email": "renamed@example.com", "name": "Renamed", "team": team},
        "accounts:tokens": {"name": "script"},
        "connectors:runs": {"source": "generic_csv", "file": usage_upload(SIGNED_YEAR)},
        "api:runs": {"source": "generic_csv", "file": usage_upload(SIGNED_YEAR)},
        "connectors:mappings": {"kind": "person", "value": "jdoe", "person": w.objects["spare_person"].pk},
        "api:mappings": {"kind": "person", "value": f"dev@{w.org.slug}.example", "person": person},
        "connectors:credentials": {"vendor": "openai", "label": "Second", "secret": "sk-another"},
        "disclosures:periods": {"start": f"{SIGNED_YEAR}-01-01", "end": f"{SIGNED_YEAR}-12-31", "variant": "esrs_e1"},
        "disclosures:period_inputs": {"variant": "vsme_b3", "net_revenue_eur": "1000000"},
        "disclosures:period_sign_off": {"comment": "again"},
        "disclosures:period_reopen": {"reason": "A correction"},
        "api:sign_off": {"comment": "again"},
        "footprint:instruments": {
            "kind": "GO",
            "mwh": "2",
            "zone": "FR",
            "period_start": f"{SIGNED_YEAR}-02-01",
            "period_end": f"{SIGNED_YEAR}-02-28",
            "gco2e_per_kwh": "0",
            "energy_source": "renewable",
        },
        "footprint:residual_mix": {"rows": f"FR,{SIGNED_YEAR},40", "source": "s", "vintage": "v", "licence": "l"},
        "footprint:facility_pue": {"rows": "FR,1.3", "source": "s"},
        "costs:roi": {
            "tool": "github_copilot",
            "minutes_saved_low": "1",
            "minutes_saved_central": "2",
            "minutes_saved_high": "3",
            "hourly_cost_low_eur": "10",
            "hourly_cost_central_eur": "20",
            "hourly_cost_high_eur": "30",
            "active_days_source": "usage",
        },
        "costs:frugality": {"use_case": "Search", "assessed_on": f"{OPEN_YEAR}-06-01", **answers},
        "costs_api:frugality": {"use_case": "Search", **answers},
        "costs:prices": {
            "form": "price",
            "price-provider": "openai",
            "price-model": "gpt-4o-mini",
            "price-input_eur_per_mtok": "0.15",
            "price-output_eur_per_mtok": "0.6",
            "price-cached_eur_per_mtok": "0",
            "price-valid_from": f"{SIGNED_YEAR}-01-01",
        },
        "api:estimate": {"provider": "openai", "model": "gpt-4o", "output_tokens": "100"},
    }
    return bodies.get(name, {})


# ---- what "unchanged" means ----------------------------------------------------------------------------------

VOLATILE = {"last_login"}  # force_login stamps it


def fingerprint(org=None) -> dict:
    """Every row of every model (of one organisation when given), all columns: counts and values."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    snap = {}
    for model in apps.get_models():
        if model is Session:
            continue
        rows = model._default_manager.all()
        if org is not None:
            if model is Organisation:
                rows = rows.filter(pk=org.pk)
            elif any(f.name == "organisation" for f in model._meta.concrete_fields):
                rows = rows.filter(organisation=org)
            elif model is user_model:
                rows = rows.filter(memberships__organisation=org)
            elif model is ApiToken:
                rows = rows.filter(user__memberships__organisation=org)
            else:
                continue
        columns = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE]
        snap[model._meta.label] = list(rows.order_by("pk").values_list(*columns))
    return snap


def changed(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def cross_org_references() -> list[str]:
    """Rows pointing at another organisation's row (e.g. a mapping of org A naming a person of org B)."""
    found = []
    for model in apps.get_models():
        if not any(f.name == "organisation" for f in model._meta.concrete_fields):
            continue
        for fk in model._meta.concrete_fields:
            target = fk.related_model
            if not fk.many_to_one or fk.name == "organisation" or target is None:
                continue
            if not any(f.name == "organisation" for f in target._meta.concrete_fields):
                continue
            bad = model._default_manager.filter(**{f"{fk.name}__organisation__isnull": False}).exclude(
                **{f"{fk.name}__organisation": F("organisation")}
            )
            found += [f"{model._meta.label}.{fk.name} #{pk}" for pk in bad.values_list("pk", flat=True)]
    return found


def signed_off_state(w) -> dict:
    """The signed-off period's row (snapshot, hash, frozen records), its exports, records and instruments."""
    period = w.signed["period"]
    fields = [f.attname for f in ReportingPeriod._meta.concrete_fields]
    covering = {"period_start__lte": period.end, "period_end__gte": period.start}
    return {
        "instruments": list(
            ContractualInstrument.objects.for_org(w.org).filter(**covering).order_by("pk").values_list()
        ),
        "period": list(ReportingPeriod.objects.filter(pk=period.pk).values_list(*fields)),
        "exports": list(PeriodExport.objects.filter(period=period).order_by("pk").values_list()),
        "records": list(
            UsageRecord.objects.for_org(w.org)
            .filter(day__range=(period.start, period.end))
            .order_by("pk")
            .values_list()
        ),
    }


def is_login_redirect(response, url: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path == "/login/" and parse_qs(location.query).get("next") == [url]


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
