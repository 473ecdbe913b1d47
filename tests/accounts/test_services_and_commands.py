import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from apps.accounts.demo import DEMO_TEAMS, DEMO_USERS
from apps.accounts.models import Membership, Organisation, Person, Role, Team
from apps.accounts.services import AccountsError, add_member, create_organisation, save_person

pytestmark = pytest.mark.django_db


def test_createorg_and_createmember_print_a_password_that_logs_in(capsys):
    call_command("createorg", "acme", "--name", "Acme SE")
    assert Organisation.objects.get(slug="acme").name == "Acme SE"
    call_command("createmember", "acme", "Officer@Acme.example", "--role", "officer")
    out = capsys.readouterr().out
    password = out.split("Password (shown once): ")[1].strip()
    user = authenticate(username="officer@acme.example", password=password)
    assert user is not None
    assert Membership.objects.get(user=user).role == Role.OFFICER
    # Adding the same user elsewhere or again prints no password: existing passwords are not reset.
    call_command("createmember", "acme", "officer@acme.example", "--role", "auditor")
    assert "Password" not in capsys.readouterr().out
    assert Membership.objects.get(user=user).role == Role.AUDITOR


def test_command_errors_are_clear():
    create_organisation("acme", "Acme")
    with pytest.raises(CommandError, match="already exists"):
        call_command("createorg", "acme", "--name", "Again")
    with pytest.raises(CommandError, match="not a valid slug"):
        call_command("createorg", "Not A Slug", "--name", "X")
    with pytest.raises(CommandError, match="No organisation with slug 'nope'"):
        call_command("createmember", "nope", "a@b.example", "--role", "officer")


def test_add_member_refuses_unknown_role():
    org = create_organisation("acme", "Acme")
    with pytest.raises(AccountsError, match="Unknown role 'owner'"):
        add_member(org, "x@acme.example", "owner")


def test_save_person_refuses_duplicates_and_foreign_teams():
    a, b = create_organisation("a", "A"), create_organisation("b", "B")
    team_b = Team.objects.create(organisation=b, name="B team")
    save_person(a, "Someone@A.example")
    with pytest.raises(AccountsError, match="already listed"):
        save_person(a, "someone@a.example")
    with pytest.raises(AccountsError, match="another organisation"):
        save_person(a, "other@a.example", team=team_b)
    save_person(b, "someone@a.example")  # the same e-mail in another organisation is another person
    assert Person.objects.filter(email="someone@a.example").count() == 2


def test_seed_demo_creates_one_user_per_role_and_is_repeatable(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("seed_demo", "--no-usage")
    people = Person.objects.filter(organisation__slug="demo").count()
    call_command("seed_demo", "--no-usage")
    out = capsys.readouterr().out
    org = Organisation.objects.get(slug="demo")
    roles = dict(Membership.objects.filter(organisation=org).values_list("user__username", "role"))
    assert roles == {email: role.value for role, email in DEMO_USERS.items()}
    assert Team.objects.for_org(org).count() == len(DEMO_TEAMS)
    assert Person.objects.for_org(org).count() == people >= 2000  # a 2,000-employee company, not doubled
    assert "officer@demo.example" in out and "demo-password-for-tests" in out
    assert authenticate(username="auditor@demo.example", password="demo-password-for-tests") is not None
