"""The People page: searched by e-mail, name or team and paged 100 a page, first/last included (issue 20)."""

import pytest
from django.urls import reverse

from apps.accounts.models import Person, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(org_a):
    org, team = org_a["org"], org_a["team"]
    Person.objects.bulk_create(
        Person(
            organisation=org, email=f"p{i:03d}@org-a.example", name=f"Person {i}", team=team if i % 10 == 0 else None
        )
        for i in range(250)
    )
    return Person.objects.filter(organisation=org).count()


def test_a_page_holds_100_people_and_links_first_and_last(client_for, org_a, many):
    client = client_for(org_a["users"][Role.AUDITOR])
    url = reverse("accounts:people", args=["org-a"])
    first = client.get(url).content.decode()
    assert first.count("@org-a.example</") + first.count("@org-a.example<") >= 100
    pages = -(-many // 100)  # ceiling: 250 people and the fixture's own, 100 a page
    assert f"Page 1 of {pages}" in first and f"page={pages}" in first
    last = client.get(url, {"page": pages}).content.decode()
    assert f"Page {pages} of {pages}" in last and "page=1" in last


def test_search_by_team_name_finds_only_its_people(client_for, org_a, many):
    client = client_for(org_a["users"][Role.AUDITOR])
    team = org_a["team"]
    in_team = Person.objects.filter(organisation=org_a["org"], team=team).count()
    html = client.get(reverse("accounts:people", args=["org-a"]), {"q": team.name}).content.decode()
    assert f"{in_team} people" in html or f"{in_team} person" in html
    assert "p001@org-a.example" not in html and "p010@org-a.example" in html
