"""What the isolation matrix (test_isolation_matrix.py) does with a route: log in, call it, fill its parameters
and body, and fingerprint the database to tell whether anything changed."""

from urllib.parse import parse_qs, urlencode, urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.test import Client

from apps.accounts.models import ApiToken, Organisation
from apps.disclosures.models import PeriodExport, ReportingPeriod
from apps.footprint.models import ContractualInstrument, UsageRecord

from .matrix_objects import OPEN_YEAR, SIGNED_YEAR
from .matrix_routes import ADMIN_FILLERS, FILLERS, PK_KINDS, Route


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
