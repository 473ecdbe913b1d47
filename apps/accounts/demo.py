"""The demo organisation: people, teams and one user per role. Later apps add a year of usage to it."""

import os

from django.db import transaction

from .models import Organisation, Person, Role, Team
from .services import add_member, generate_password

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Industries SA"
DEMO_USERS = {
    Role.OFFICER: "officer@demo.example",
    Role.IT_DIRECTOR: "it@demo.example",
    Role.AUDITOR: "auditor@demo.example",
    Role.ADMIN: "admin@demo.example",
}
DEMO_TEAMS = ["Engineering", "Data Science", "Marketing", "Finance", "Customer Support", "Legal"]


@transaction.atomic
def seed_demo_accounts(password: str | None = None) -> tuple[Organisation, dict[str, str]]:
    """Create (or refresh) the demo organisation and its users.

    Every user gets `password`, else DEMO_PASSWORD from the environment, else a new random one.
    Returns the organisation and {email: password}."""
    password = password or os.environ.get("DEMO_PASSWORD") or generate_password()
    org, _ = Organisation.objects.get_or_create(slug=DEMO_SLUG, defaults={"name": DEMO_NAME})
    teams = {name: Team.objects.get_or_create(organisation=org, name=name)[0] for name in DEMO_TEAMS}
    credentials = {}
    for role, email in DEMO_USERS.items():
        add_member(org, email, role, password=password)
        credentials[email] = password
    # A few named seat holders per team; the usage data of later issues attributes to them.
    for team_name in DEMO_TEAMS:
        for j in range(3):
            email = f"{team_name.split()[0].lower()}.{j + 1}@demo.example"
            Person.objects.get_or_create(
                organisation=org,
                email=email,
                defaults={"name": f"{team_name} member {j + 1}", "team": teams[team_name]},
            )
    return org, credentials
