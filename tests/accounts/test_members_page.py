"""The Members page: searched by e-mail, user name or role (in the page's language) and paged 100 a page, first
and last included, as People (issue 20)."""

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.accounts.services import add_member

pytestmark = pytest.mark.django_db
URL = reverse("accounts:members", args=["org-a"])


@pytest.fixture
def many(org_a):
    """230 more members: every fifth an auditor, the others IT directors; the fixture's four roles besides."""
    for i in range(230):
        add_member(org_a["org"], f"m{i:03d}@org-a.example", Role.AUDITOR if i % 5 == 0 else Role.IT_DIRECTOR)
    return 230 + len(Role.values)


def test_a_page_holds_100_members_and_links_first_and_last(client_for, org_a, many):
    client = client_for(org_a["users"][Role.AUDITOR])
    first = client.get(URL).content.decode()
    assert first.count("@org-a.example</td>") == 100
    assert f"{many} members" in first and "Page 1 of 3" in first and "page=3" in first
    last = client.get(URL, {"page": 3}).content.decode()
    assert last.count("@org-a.example</td>") == many - 200
    assert "Page 3 of 3" in last and "page=1" in last


def test_search_by_email_part_and_by_role_label(client_for, org_a, many):
    client = client_for(org_a["users"][Role.AUDITOR])
    html = client.get(URL, {"q": "m01"}).content.decode()  # m010 .. m019
    assert "10 members" in html and "m015@org-a.example" in html and "m020@org-a.example" not in html
    auditors = 230 // 5 + 1  # every fifth, and the fixture's auditor
    html = client.get(URL, {"q": "auditor"}).content.decode()
    assert f"{auditors} members" in html and "m005@org-a.example" in html and "m001@org-a.example" not in html
    assert 'value="auditor"' in html and "q=auditor&amp;page=" not in html  # one page: no pager


def test_a_french_search_matches_the_french_role_label(client_for, org_a, many):
    client = client_for(org_a["users"][Role.AUDITOR])
    client.cookies["django_language"] = "fr"
    html = client.get(URL, {"q": "auditeur"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"{230 // 5 + 1} membres" in html
    html = client.get(URL, {"q": "nobody-here"}).content.decode()
    assert "Aucun membre ne correspond." in html
