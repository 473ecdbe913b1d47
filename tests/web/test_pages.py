import pytest
from django.urls import reverse

from apps.accounts.demo import seed_demo_accounts
from apps.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_login_page_is_served(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<label for="id_username">' in page and 'name="csrfmiddlewaretoken"' in page


def test_demo_officer_logs_in_and_sees_the_organisation(client):
    _org, credentials = seed_demo_accounts(password="a-demo-password")
    response = client.post(
        reverse("login"),
        {"username": "officer@demo.example", "password": credentials["officer@demo.example"]},
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("web:org_home", args=["demo"])
    assert "<h1>Demo Industries SA</h1>" in page
    assert "Sustainability officer" in page
    assert "<dd>6</dd>" in page  # six demo teams


def test_wrong_password_is_refused(client):
    seed_demo_accounts(password="a-demo-password")
    response = client.post(reverse("login"), {"username": "officer@demo.example", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_switcher_lists_each_organisation_and_remembers_the_last(client_for, org_a, org_b):
    from apps.accounts.services import add_member

    user = org_a["users"][Role.OFFICER]
    add_member(org_b["org"], user.email, Role.AUDITOR)
    client = client_for(user)
    chooser = client.get(reverse("web:home"))
    assert chooser.status_code == 200
    assert "Organisation ORG-A" in chooser.content.decode() and "Organisation ORG-B" in chooser.content.decode()
    page = client.get(reverse("web:org_home", args=["org-b"])).content.decode()
    assert "Auditor (read-only)" in page and "read-only access" in page
    assert client.get(reverse("web:home"))["Location"] == reverse("web:org_home", args=["org-b"])


def test_french_is_available(client_for, org_a):
    client = client_for(org_a["users"][Role.OFFICER])
    response = client.get(reverse("web:org_home", args=["org-a"]), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr">' in response.content.decode()


def test_static_css_is_served_by_the_app(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert b"--accent" in b"".join(response.streaming_content)
