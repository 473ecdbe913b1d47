"""A person or team with usage in a signed-off period cannot be removed: accounts asks the guard footprint
registers at start-up (apps.accounts.services.register_deletion_guard), so accounts imports no app above it."""

import datetime as dt
import io

import pytest

from apps.accounts import services as accounts
from apps.accounts.models import Membership, Person, Role, Team
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.disclosures import services

pytestmark = pytest.mark.django_db
CSV = (
    "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    "2025-03-01,openai,gpt-4o,10,5000,4000,dev@org-a.example,,FR,1.5,EUR\n"
)


@pytest.fixture
def loaded(org_a):
    org = org_a["org"]
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV.encode()), "usage.csv")).pk)
    assert run.status == "succeeded", run.errors
    return org_a


def _sign_off_2025(org_a):
    officer = Membership.objects.get(user=org_a["users"][Role.OFFICER])
    period = services.create_period(org_a["org"], None, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    services.sign_off(period, officer)


def test_a_person_with_signed_off_usage_is_kept(loaded):
    org, person = loaded["org"], loaded["person"]
    _sign_off_2025(loaded)
    with pytest.raises(accounts.AccountsError, match="signed-off period 2025-01-01 – 2025-12-31 is attributed here"):
        accounts.delete_person(org, person)
    with pytest.raises(accounts.AccountsError, match="signed-off period 2025-01-01 – 2025-12-31"):
        accounts.delete_team(org, loaded["team"])  # dev@ is in Platform: the records name the team too
    assert Person.objects.filter(pk=person.pk).exists() and Team.objects.filter(pk=loaded["team"].pk).exists()


def test_without_a_signed_off_period_a_person_can_be_removed(loaded):
    org, person = loaded["org"], loaded["person"]
    accounts.delete_person(org, person)
    assert not Person.objects.filter(pk=person.pk).exists()
