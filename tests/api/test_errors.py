"""Domain errors answered in one place (apps.api.errors.exception_handler): message, status and body shape."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.accounts.services import AccountsError
from apps.api.errors import exception_handler
from apps.core.errors import ConflictError, DomainError
from apps.disclosures.services import DisclosureError


class _View:
    domain_error_field = None


class _FieldView:
    domain_error_field = "name"


@pytest.mark.parametrize(
    ("exc", "status"),
    [(DomainError("No."), 400), (ConflictError("Not now."), 409), (AccountsError("Taken."), 400)],
)
def test_a_domain_error_is_its_message_and_its_status(exc, status):
    response = exception_handler(exc, {"view": _View()})
    assert (response.status_code, response.data) == (status, {"detail": str(exc)})


def test_a_view_may_name_the_field_its_domain_errors_are_about():
    response = exception_handler(AccountsError("A team named 'x' already exists."), {"view": _FieldView()})
    assert (response.status_code, response.data) == (400, {"name": ["A team named 'x' already exists."]})


def test_a_disclosure_error_is_a_conflict():
    assert issubclass(DisclosureError, ConflictError) and issubclass(DisclosureError, ValueError)


def test_other_errors_are_left_to_drf():
    assert exception_handler(ValueError("internal"), {"view": _View()}) is None


@pytest.mark.django_db
def test_a_taken_team_name_is_the_name_fields_error(org_a):
    client = APIClient()
    client.force_authenticate(org_a["users"][Role.ADMIN])
    response = client.post("/api/v1/o/org-a/teams/", {"name": "Platform"}, format="json")
    assert response.status_code == 400
    assert response.data == {"name": ["A team named 'Platform' already exists."]}
