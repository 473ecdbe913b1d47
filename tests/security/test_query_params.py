"""Hostile query parameters on every organisation page and API list that takes none in its path but the
organisation: NUL characters (PostgreSQL refuses them in a query), NaN and infinities, impossible dates,
overlong text. Each answer is a page or a 400, never a server error."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.accounts.models import Role
from apps.costs.sizing import DEFAULT_SHIFT_SHARE

pytestmark = pytest.mark.django_db

TEXT = {
    "source": "openai\x00",
    "provider": "\x00",
    "model": "gpt-4o\x00--",
    "team": "\x00",
    "period": "1\x00",
    "share": "nan",
    "basis": "\x00",
    "page": "\x00",
    "cursor": "\x00",
    "format": "\x00",
    "kind": "x" * 5000,
}
HOSTILE = {
    "text": TEXT,  # readable dates: the text filters reach the query
    "dates": {**TEXT, "start": "2025-02-30", "end": "9999-99-99"},  # unreadable dates: a 400 or the default range
}


def _org_routes_without_pk(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _org_routes_without_pk(pattern, route)
        elif isinstance(pattern, URLPattern) and route.count("<") == 1 and "<slug:org_slug>" in route:
            yield route


ROUTES = sorted(set(_org_routes_without_pk()))


def test_the_walk_finds_the_pages_and_api_lists():
    assert {"o/<slug:org_slug>/", "o/<slug:org_slug>/records/", "api/v1/o/<slug:org_slug>/summary/"} <= set(ROUTES)


@pytest.mark.parametrize("params", sorted(HOSTILE))
@pytest.mark.parametrize("route", ROUTES)
def test_hostile_query_parameters_never_cause_a_server_error(client_for, org_a, route, params):
    client = client_for(org_a["users"][Role.OFFICER])
    url = "/" + route.replace("<slug:org_slug>", "org-a")
    response = client.get(url, HOSTILE[params])
    assert response.status_code < 500, (url, response.status_code)
    assert response.status_code in (200, 302, 400, 404, 405), (url, response.status_code)


def test_the_dashboard_drops_nul_characters_and_shows_the_page(client_for, org_a):
    response = client_for(org_a["users"][Role.OFFICER]).get("/o/org-a/", {"source": "openai\x00", "share": "nan"})
    assert response.status_code == 200
    assert response.context["filters"].source == "openai"


def test_right_sizing_reads_nan_as_the_default_share(client_for, org_a):
    client = client_for(org_a["users"][Role.OFFICER])
    for share in ("nan", "inf", "-inf", "abc"):
        response = client.get("/o/org-a/costs/right-sizing/", {"share": share})
        assert response.status_code == 200, share
        assert response.context["share_pct"] == round(DEFAULT_SHIFT_SHARE * 100), share
