"""Writes to organisations, members, teams and people. Views and commands call these."""

import secrets
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from apps.core.errors import DomainError

from .models import Membership, Organisation, Person, Role, Team


class AccountsError(DomainError, ValueError):
    """A request the accounts services refuse, with a message meant for the user."""


def create_organisation(slug: str, name: str) -> Organisation:
    """Create an organisation; refuses a slug that is taken or not a valid slug."""
    if slug != slugify(slug) or not slug:
        raise AccountsError(f"'{slug}' is not a valid slug: use lowercase letters, digits and hyphens.")
    if Organisation.objects.filter(slug=slug).exists():
        raise AccountsError(f"An organisation with slug '{slug}' already exists.")
    return Organisation.objects.create(slug=slug, name=name)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def add_member(organisation: Organisation, email: str, role: str, password: str | None = None):
    """Give the user with this e-mail a role in the organisation, creating the user if needed.

    Returns (membership, password): password is the one set on a new user (generated unless given),
    or the given one when it was reset on an existing user, else None."""
    if role not in Role.values:
        raise AccountsError(f"Unknown role '{role}'. Choose one of: {', '.join(Role.values)}.")
    email = email.strip().lower()
    User = get_user_model()
    user = User.objects.filter(username=email).first()
    set_password = None
    if user is None:
        set_password = password or generate_password()
        user = User.objects.create_user(username=email, email=email, password=set_password)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
        set_password = password
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership, set_password


def _refuse_taken_team_name(organisation: Organisation, name: str, team: Team | None = None) -> None:
    clash = Team.objects.for_org(organisation).filter(name__iexact=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise AccountsError(f"A team named '{name}' already exists.")


def _save_unique(instance, message: str) -> None:
    """Save under the model's unique constraints: a concurrent request that took the same name or e-mail between
    our check and our write makes the database refuse it, answered with the check's own message."""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            instance.save()
    except IntegrityError as exc:
        raise AccountsError(message) from exc


def create_team(organisation: Organisation, name: str) -> Team:
    """A new team of the organisation; its name, case aside, must be free."""
    name = name.strip()
    _refuse_taken_team_name(organisation, name)
    team = Team(organisation=organisation, name=name)
    _save_unique(team, f"A team named '{name}' already exists.")
    return team


def rename_team(organisation: Organisation, team: Team, name: str) -> Team:
    """Give a team of the organisation a new name, free case aside."""
    name = name.strip()
    _refuse_taken_team_name(organisation, name, team)
    team.name = name
    _save_unique(team, f"A team named '{name}' already exists.")
    return team


def save_person(
    organisation: Organisation, email: str, name: str = "", team: Team | None = None, person: Person | None = None
) -> Person:
    """Create or update a person of this organisation; the team must be the organisation's own."""
    if team is not None and team.organisation_id != organisation.id:
        raise AccountsError("That team belongs to another organisation.")
    email = email.strip().lower()
    clash = Person.objects.for_org(organisation).filter(email=email)
    if person is not None:
        clash = clash.exclude(pk=person.pk)
    if clash.exists():
        raise AccountsError(f"Someone with e-mail {email} is already listed.")
    person = person or Person(organisation=organisation)
    person.email, person.name, person.team = email, name.strip(), team
    _save_unique(person, f"Someone with e-mail {email} is already listed.")
    return person


# Apps above this one that hold records attributed to people and teams register a guard here (the
# footprint app: records in a signed-off period keep their attribution). A guard raises AccountsError.
_deletion_guards: list[Callable[..., None]] = []


def register_deletion_guard(guard: Callable[..., None]) -> None:
    """Called once at start-up by an app whose records name people or teams (as footprint.locks is told)."""
    if guard not in _deletion_guards:
        _deletion_guards.append(guard)


def _refuse_if_in_signed_off_period(organisation, **record_filter) -> None:
    """Records in a signed-off period keep their attribution: their person or team cannot be removed."""
    for guard in _deletion_guards:
        guard(organisation, **record_filter)


def delete_person(organisation, person: Person) -> None:
    _refuse_if_in_signed_off_period(organisation, person=person)
    person.delete()


def delete_team(organisation, team: Team) -> None:
    _refuse_if_in_signed_off_period(organisation, team=team)
    team.delete()


def valid_lei(lei: str) -> bool:
    """ISO 17442: 20 characters, digits and capital letters, ISO 7064 MOD 97-10 check digits (the number is 1
    modulo 97 once letters read as 10-35)."""
    if len(lei) != 20 or not lei.isalnum() or lei != lei.upper():
        return False
    return lei[-2:].isdigit() and int("".join(str(int(c, 36)) for c in lei)) % 97 == 1


ORGANISATION_FIELDS = (
    "name",
    "lei",
    "registration_number",
    "vat_number",
    "single_signer_allowed",
    "employees",
    "net_turnover_eur",
    "csrd_wave_one",
    "evidence_file_max_mb",
)


@transaction.atomic
def update_organisation(*, organisation: Organisation, user, **fields) -> Organisation:
    """The legal entity's name and identifiers and its sign-off policy (an admin's change, in the audit log)."""
    from . import audit

    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise AccountsError(f"Unknown organisation fields: {', '.join(sorted(unknown))}.")
    lei = (fields.get("lei") or "").strip().upper()
    if "lei" in fields:
        if lei and not valid_lei(lei):
            raise AccountsError(f"'{lei}' is not a valid LEI (20 characters with ISO 17442 check digits).")
        fields["lei"] = lei
    changed = {k: v for k, v in fields.items() if getattr(organisation, k) != v}
    for name, value in changed.items():
        setattr(organisation, name, value)
    organisation.save()
    if changed:
        audit.record(
            organisation,
            user,
            "organisation.update",
            f"Organisation details changed: {', '.join(sorted(changed))}",
            organisation,
            **{k: str(v) for k, v in changed.items()},
        )
    return organisation
