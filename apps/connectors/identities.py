"""Identity resolution: the person and team a record's identities (user, team, project, API key) belong to,
through the organisation's people, teams and identity mappings.

It lives in connectors, not next to the records, because the mapping table is a connectors model (footprint
sits below and may not read it); the record writer receives the resolver as a plain function."""

import numpy as np
import pandas as pd

from apps.accounts.models import Person, Team

from .models import IdentityKind, IdentityMapping

TEAM_KINDS = (IdentityKind.TEAM, IdentityKind.PROJECT, IdentityKind.API_KEY)


def identity_resolver(organisation):
    """A function giving (person ids, team ids) for a frame's rows: the mapping tables are read here, once,
    so the function itself touches no database (it runs in the write phase's preparing thread). Unmatched
    identities stay None."""
    people = {
        email.lower(): (pk, team_id)
        for pk, email, team_id in Person.objects.for_org(organisation).values_list("pk", "email", "team_id")
    }
    teams = {name.lower(): pk for pk, name in Team.objects.for_org(organisation).values_list("pk", "name")}
    mappings = {
        (kind, value.lower()): (person_id, team_id)
        for kind, value, person_id, team_id in IdentityMapping.objects.for_org(organisation).values_list(
            "kind", "value", "person_id", "team_id"
        )
    }
    person_team = {pk: team_id for pk, team_id in people.values()}

    def person_of(ref: str):
        if not ref:
            return None
        ref = ref.lower()
        if (IdentityKind.PERSON, ref) in mappings:
            return mappings[(IdentityKind.PERSON, ref)][0]
        return people.get(ref, (None, None))[0]

    def team_of(team_ref: str, project: str, api_key: str, person_id):
        for kind, value in zip(TEAM_KINDS, (team_ref, project, api_key), strict=True):
            hit = mappings.get((kind, value.lower())) if value else None
            if hit and hit[1]:
                return hit[1]
        if team_ref and team_ref.lower() in teams:
            return teams[team_ref.lower()]
        return person_team.get(person_id)

    def resolve(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        # Looked up once per distinct identity and spread back by codes: a Python step per row cost more than
        # the lookups. Object arrays, not Series.map: a mix of ids and None would become floats with NaN.
        # (core.distinct.map_distinct would build a Series and factorize the column a second time: 7x slower.)
        codes, refs = pd.factorize(frame["person"], use_na_sentinel=False)
        person_ids = np.array([person_of(ref) for ref in refs.tolist()], dtype=object)[codes]
        combo = codes.astype(np.int64)
        for name in ("team", "project", "api_key"):
            column_codes, distinct = pd.factorize(frame[name], use_na_sentinel=False)
            # Numbered again at each step, so the product stays below rows**2 and cannot overflow.
            combo = pd.factorize(combo * len(distinct) + column_codes)[0]
        _, first, combo_codes = np.unique(combo, return_index=True, return_inverse=True)
        firsts = [frame[name].to_numpy(dtype=object)[first].tolist() for name in ("team", "project", "api_key")]
        team_of_combo = np.array(
            [team_of(*combo) for combo in zip(*firsts, person_ids[first].tolist(), strict=True)], dtype=object
        )
        return person_ids, team_of_combo[combo_codes]

    return resolve
