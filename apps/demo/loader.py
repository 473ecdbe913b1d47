"""The demo in the database: its people as Person rows, and its year loaded through the connectors.

The files go the way an upload goes (store_upload -> create_run -> execute_run), so seeding twice stores nothing
new: the same bytes have the same SHA-256."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.db import transaction

from apps.accounts.models import Person, Team
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import IdentityMapping
from apps.connectors.storage import store_upload

from .files import demo_files, demo_mappings
from .people import DEMO_EMPLOYEES, TEAM_SHARES, demo_people


def seed_demo_people(org, n: int = DEMO_EMPLOYEES) -> int:
    """Create the demo employees as Person rows of `org` (teams created if missing); returns how many
    were new. Existing e-mails are left as they are, so seeding twice adds nobody."""
    with transaction.atomic():
        teams = {name: Team.objects.get_or_create(organisation=org, name=name)[0] for name in TEAM_SHARES}
        existing = set(Person.objects.for_org(org).values_list("email", flat=True))
        new = [
            Person(organisation=org, email=p.email, name=p.name, team=teams[p.team])
            for p in demo_people(n)
            if p.email not in existing
        ]
        Person.objects.bulk_create(new, batch_size=1000)
    return len(new)


def load_demo_usage(org, scale: float = 1.0, year: int | None = None, user=None) -> list:
    """Generate the demo year and load every file through store_upload + create_run + execute_run,
    the path an upload takes; returns the IngestionRun of each file. Files already loaded are
    recognised by their SHA-256 and store nothing new (their run points to the earlier one)."""
    teams = {t.name: t for t in Team.objects.for_org(org)}
    for kind, value, team in demo_mappings():
        if team in teams:
            IdentityMapping.objects.get_or_create(
                organisation=org, kind=kind, value=value, defaults={"team": teams[team]}
            )
    runs = []
    with tempfile.TemporaryDirectory(prefix="demo-usage-") as tmp:
        for key, path in demo_files(Path(tmp), year=year, scale=scale):
            with path.open("rb") as fh:
                source_file = store_upload(org, fh, path.name, user=user)
            run = create_run(org, key, source_file, user=user)
            runs.append(execute_run(run.pk))
    return runs
