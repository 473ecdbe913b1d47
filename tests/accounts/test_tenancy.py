"""Tenant isolation, the auditor's read-only role and anonymous access, on pages and the API."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.accounts.models import ApiToken, Person, Role, Team

pytestmark = pytest.mark.django_db


def _org_routes(resolver=None, prefix=""):
    """Every URL pattern that takes an org_slug, discovered from the URL configuration."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _org_routes(pattern, route)
        elif isinstance(pattern, URLPattern) and "<slug:org_slug>" in route:
            yield route


def _fill(route, org_slug, pk):
    url = route.replace("<slug:org_slug>", org_slug).replace("<int:pk>", str(pk)).replace("<str:fmt>", "pdf")
    return "/" + url.lstrip("^")


def test_every_org_route_is_discovered():
    routes = set(_org_routes())
    assert "o/<slug:org_slug>/teams/" in routes
    assert "api/v1/o/<slug:org_slug>/teams/<int:pk>/" in routes
    assert len(routes) >= 10


def test_member_of_a_gets_404_for_every_route_of_b(client_for, org_a, org_b):
    client = client_for(org_a["users"][Role.ADMIN])
    for route in _org_routes():
        url = _fill(route, "org-b", org_b["team"].pk if "team" in route else org_b["person"].pk)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 404, (method, url, response.status_code)
    assert Team.objects.filter(pk=org_b["team"].pk).exists()
    assert Person.objects.filter(pk=org_b["person"].pk).exists()


def test_b_objects_through_a_urls_are_404(client_for, org_a, org_b):
    client = client_for(org_a["users"][Role.ADMIN])
    b_person, b_team = org_b["person"].pk, org_b["team"].pk
    assert client.get(reverse("accounts:person_edit", args=["org-a", b_person])).status_code == 404
    assert client.post(reverse("accounts:person_delete", args=["org-a", b_person])).status_code == 404
    assert client.post(reverse("accounts:team_delete", args=["org-a", b_team])).status_code == 404
    assert client.get(reverse("api:team_detail", args=["org-a", b_team])).status_code == 404
    assert client.delete(reverse("api:team_detail", args=["org-a", b_team])).status_code == 404
    # A's listing shows none of B's rows.
    page = client.get(reverse("accounts:people", args=["org-a"])).content.decode()
    assert "dev@org-a.example" in page and "dev@org-b.example" not in page
    api = client.get(reverse("api:teams", args=["org-a"])).json()
    assert [t["id"] for t in api["results"]] == [org_a["team"].pk]
    assert Person.objects.filter(pk=b_person).exists() and Team.objects.filter(pk=b_team).exists()


def test_a_person_cannot_be_put_in_another_orgs_team(client_for, org_a, org_b):
    client = client_for(org_a["users"][Role.OFFICER])
    response = client.post(
        reverse("accounts:person_new", args=["org-a"]), {"email": "new@org-a.example", "team": org_b["team"].pk}
    )
    assert response.status_code == 200  # the form is shown again with the error
    assert "Select a valid choice" in response.content.decode()
    assert not Person.objects.filter(email="new@org-a.example").exists()


def test_auditor_reads_but_every_write_is_403(client_for, org_a):
    client = client_for(org_a["users"][Role.AUDITOR])
    team, person = org_a["team"], org_a["person"]
    for name, args in [
        ("web:org_home", []),
        ("accounts:teams", []),
        ("accounts:people", []),
        ("accounts:members", []),
        ("accounts:person_edit", [person.pk]),
    ]:
        assert client.get(reverse(name, args=["org-a", *args])).status_code == 200, name
    writes = [
        ("post", reverse("accounts:teams", args=["org-a"]), {"name": "Auditors were here"}),
        ("post", reverse("accounts:team_delete", args=["org-a", team.pk]), {}),
        ("post", reverse("accounts:person_new", args=["org-a"]), {"email": "x@org-a.example"}),
        ("post", reverse("accounts:person_edit", args=["org-a", person.pk]), {"email": "changed@org-a.example"}),
        ("post", reverse("accounts:person_delete", args=["org-a", person.pk]), {}),
        ("post", reverse("api:teams", args=["org-a"]), {"name": "Auditors were here"}),
        ("patch", reverse("api:team_detail", args=["org-a", team.pk]), {"name": "Renamed"}),
        ("delete", reverse("api:team_detail", args=["org-a", team.pk]), {}),
    ]
    for method, url, data in writes:
        kwargs = {"content_type": "application/json"} if method in ("patch", "delete") else {}
        response = getattr(client, method)(url, data, **kwargs)
        assert response.status_code == 403, (method, url, response.status_code)
    assert list(Team.objects.for_org(org_a["org"]).values_list("name", flat=True)) == ["Platform"]
    person.refresh_from_db()
    assert person.email == "dev@org-a.example"
    assert Person.objects.for_org(org_a["org"]).count() == 1


def test_auditor_page_hides_change_controls(client_for, org_a):
    page = client_for(org_a["users"][Role.AUDITOR]).get(reverse("accounts:teams", args=["org-a"])).content.decode()
    assert "read-only access" in page
    assert "New team" not in page and "Delete" not in page
    officer_page = client_for(org_a["users"][Role.OFFICER]).get(reverse("accounts:teams", args=["org-a"]))
    assert "New team" in officer_page.content.decode()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICER, Role.IT_DIRECTOR])
def test_writing_roles_can_create_and_delete(client_for, org_a, role):
    client = client_for(org_a["users"][role])
    response = client.post(reverse("accounts:teams", args=["org-a"]), {"name": "Research"})
    assert response.status_code == 302
    team = Team.objects.for_org(org_a["org"]).get(name="Research")
    assert client.post(reverse("accounts:team_delete", args=["org-a", team.pk])).status_code == 302
    assert not Team.objects.filter(pk=team.pk).exists()


def test_anonymous_is_sent_to_login_from_every_org_page(client, org_a):
    for route in _org_routes():
        url = _fill(route, "org-a", org_a["team"].pk)
        response = client.get(url)
        if route.startswith("api/"):
            assert response.status_code == 401, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login") + "?next="), url
    for url in (reverse("web:home"), reverse("accounts:tokens")):
        assert client.get(url)["Location"].startswith(reverse("login"))


def test_api_token_authenticates_and_revocation_stops_it(client, org_a):
    user = org_a["users"][Role.AUDITOR]
    token, raw = ApiToken.issue(user, "export script")
    assert raw.startswith("afl_") and token.key_hash != raw and raw not in token.key_hash
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = client.get(reverse("api:organisations"), **headers)
    assert response.status_code == 200
    assert response.json()["results"] == [{"slug": "org-a", "name": "Organisation ORG-A", "role": "auditor"}]
    # The token carries the user's role: an auditor's token cannot write either.
    assert client.post(reverse("api:teams", args=["org-a"]), {"name": "X"}, **headers).status_code == 403
    token.refresh_from_db()
    assert token.last_used_at is not None
    token.revoke()
    assert client.get(reverse("api:organisations"), **headers).status_code == 401
    assert client.get(reverse("api:organisations"), HTTP_AUTHORIZATION="Bearer afl_wrong").status_code == 401


def test_tokens_page_shows_a_new_token_once_and_revokes_only_own(client_for, org_a, org_b):
    client = client_for(org_a["users"][Role.OFFICER])
    page = client.post(reverse("accounts:tokens"), {"name": "ci"}).content.decode()
    token = ApiToken.objects.get(user=org_a["users"][Role.OFFICER])
    assert token.key_prefix in page and "will not be shown again" in page
    assert "will not be shown again" not in client.get(reverse("accounts:tokens")).content.decode()
    other, _ = ApiToken.issue(org_b["users"][Role.OFFICER], "theirs")
    assert client.post(reverse("accounts:token_revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.is_active
