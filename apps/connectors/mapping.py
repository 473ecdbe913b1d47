"""Identity mapping services: list the identities no person or team claims, save or delete a mapping, and
re-attribute the stored records of open periods to the people and teams the mappings now give."""

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Q

from apps.accounts import audit
from apps.footprint import rollups
from apps.footprint.locks import hold_open_days, locked_ranges
from apps.footprint.models import UsageRecord

from .identities import identity_resolver
from .models import IdentityKind, IdentityMapping


def unmapped_identities(organisation) -> dict[str, list[str]]:
    """Identities seen in records that map to no person (users) or no team (team/project/key), per kind."""
    records = UsageRecord.objects.for_org(organisation)
    users = (
        records.filter(person__isnull=True)
        .exclude(person_ref="")
        .values_list("person_ref", flat=True)
        .distinct()
        .order_by("person_ref")
    )
    no_team = records.filter(team__isnull=True)
    return {
        IdentityKind.PERSON: list(users),
        IdentityKind.TEAM: list(
            no_team.exclude(team_ref="").values_list("team_ref", flat=True).distinct().order_by("team_ref")
        ),
        IdentityKind.PROJECT: list(
            no_team.exclude(project="").values_list("project", flat=True).distinct().order_by("project")
        ),
        IdentityKind.API_KEY: list(
            no_team.exclude(~Q(team_ref=""))
            .exclude(api_key="")
            .values_list("api_key", flat=True)
            .distinct()
            .order_by("api_key")
        ),
    }


def apply_mappings(organisation) -> int:
    """Re-attribute the organisation's stored records after a mapping edit; returns records changed. Which days
    are locked is read in the transaction that writes, under the period lock (footprint.locks): a sign-off
    requested meanwhile waits for it, or is seen and its days left alone."""
    changed = 0
    with transaction.atomic(), rollups.batched():
        hold_open_days(organisation)
        open_records = UsageRecord.objects.for_org(organisation)
        for start, end in locked_ranges(organisation):  # signed-off periods keep their attribution
            open_records = open_records.exclude(day__range=(start, end))
        combos = pd.DataFrame(
            list(
                open_records.values_list(
                    "person_ref", "team_ref", "project", "api_key", "person_id", "team_id"
                ).distinct()
            ),
            columns=["person", "team", "project", "api_key", "old_person_id", "old_team_id"],
        )
        if combos.empty:
            return 0
        person_ids, team_ids = identity_resolver(organisation)(combos)
        for row, person_id, team_id in zip(combos.itertuples(index=False), person_ids, team_ids, strict=True):
            old = (_nan_to_none(row.old_person_id), _nan_to_none(row.old_team_id))
            if old == (_nan_to_none(person_id), _nan_to_none(team_id)):
                continue
            changed += open_records.filter(
                person_ref=row.person,
                team_ref=row.team,
                project=row.project,
                api_key=row.api_key,
            ).update(person_id=person_id, team_id=team_id)
    return changed


def _nan_to_none(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return int(value)


def save_mapping(organisation, user, kind: str, value: str, person=None, team=None) -> int:
    """Create or change a mapping, re-attribute open records, log it; returns records changed."""
    mapping, _ = IdentityMapping.objects.update_or_create(
        organisation=organisation, kind=kind, value=value.strip(), defaults={"person": person, "team": team}
    )
    changed = apply_mappings(organisation)
    audit.record(
        organisation,
        user,
        "mapping.save",
        f"{kind} '{mapping.value}' -> {person or team}",
        mapping,
        records_changed=changed,
    )
    return changed


def delete_mapping(organisation, user, mapping: IdentityMapping) -> int:
    """Remove a mapping, re-attribute open records, log it; returns records changed."""
    summary = f"{mapping.kind} '{mapping.value}' mapping removed"
    mapping.delete()
    changed = apply_mappings(organisation)
    audit.record(organisation, user, "mapping.delete", summary, None, records_changed=changed)
    return changed
