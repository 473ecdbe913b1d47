"""The API reads JSON bodies as the file readers read JSON (issue 19): a key given twice, NaN, Infinity, 1e400 and
a body nested 100,000 levels deep are each a 400 saying why (before: the last key won, and the nesting was a 500);
nothing is written."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Role, Team

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/o/org-a/teams/"


@pytest.fixture
def admin(org_a):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(org_a["users"][Role.ADMIN])
    return client


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"name": "Alpha", "name": "Beta"}', "the key 'name' is given twice in one object"),
        (b'{"name": "Alpha", "extra": {"a": 1, "a": 2}}', "the key 'a' is given twice in one object"),
        (b'{"name": "Alpha", "extra": NaN}', "NaN is not a finite number"),
        (b'{"name": "Alpha", "extra": -Infinity}', "-Infinity is not a finite number"),
        (b'{"name": "Alpha", "extra": 1e400}', "the number 1e400 is out of range"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
    ids=["duplicate", "duplicate-nested", "nan", "infinity", "1e400", "nested-100000"],
)
def test_a_body_the_file_readers_would_refuse_is_a_400_saying_why(admin, body, expected):
    before = Team.objects.count()
    response = admin.post(TEAMS, body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    detail = response.json()["detail"]
    assert detail.startswith("JSON parse error - ") and expected in detail, detail
    assert "so the body is refused" in detail or "nested" in detail
    assert Team.objects.count() == before


def test_a_plain_body_is_read_as_before(admin):
    response = admin.post(
        TEAMS, b'{"name": "Alpha", "extra": {"a": 1.5, "b": [2.5e10]}}', content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Alpha"
    assert Team.objects.filter(name="Alpha").count() == 1
