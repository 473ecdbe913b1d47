"""The demo company's 2,000 employees: names, e-mails and teams, a pure function of (n, seed).

The usage generators attribute requests to these e-mails, so the same seed always gives the same people."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEMO_SEED = 20250101
DEMO_EMPLOYEES = 2000
EMAIL_DOMAIN = "demo.example"
# Share of the headcount per team (the team names are apps.accounts.demo.DEMO_TEAMS).
TEAM_SHARES = {
    "Engineering": 0.40,
    "Customer Support": 0.26,
    "Marketing": 0.13,
    "Finance": 0.10,
    "Data Science": 0.07,
    "Legal": 0.04,
}

_FIRST = (
    "adele alex alice amelie anna antoine arthur camille carla charlotte chloe clara daniel david diego elena "
    "emma enzo eva felix gabriel hannah hugo ines isabel jakob jonas jules julia karim laura lea leon lina "
    "lucas luisa maria marie mathis max mia milan nina noah nora oscar paul pierre rafael rosa sara sofia "
    "sophie theo thomas tim valentin victor yasmine zoe"
)
_LAST = (
    "bauer bernard bianchi blanc bonnet costa david dubois dupont durand fischer fontaine garcia girard "
    "hoffmann jansen keller klein koch lambert laurent lefebvre legrand leroy lopez martin meyer moreau "
    "muller perrin petit richard ricci robert roux russo schmidt schneider schulz simon torres vogel wagner "
    "weber wolf"
)
FIRST_NAMES, LAST_NAMES = _FIRST.split(), _LAST.split()


@dataclass(frozen=True)
class DemoPerson:
    """One employee of the demo company."""

    email: str
    name: str
    team: str


def demo_people(n: int = DEMO_EMPLOYEES, seed: int = DEMO_SEED) -> list[DemoPerson]:
    """`n` employees spread over the demo teams, with unique firstname.lastname@demo.example e-mails.

    Deterministic for a given (n, seed): the usage generators attribute requests to these e-mails."""
    rng = np.random.default_rng(seed)
    counts = _split(n, list(TEAM_SHARES.values()))
    teams = np.repeat(list(TEAM_SHARES), counts)
    firsts = rng.choice(FIRST_NAMES, n)
    lasts = rng.choice(LAST_NAMES, n)
    seen: dict[str, int] = {}
    people = []
    for first, last, team in zip(firsts, lasts, teams, strict=True):
        base = f"{first}.{last}"
        seen[base] = seen.get(base, 0) + 1
        local = base if seen[base] == 1 else f"{base}{seen[base]}"  # a second Anna Weber is anna.weber2
        people.append(DemoPerson(f"{local}@{EMAIL_DOMAIN}", f"{first.title()} {last.title()}", str(team)))
    return people


def _split(n: int, shares: list[float]) -> list[int]:
    counts = [int(n * s) for s in shares]
    counts[0] += n - sum(counts)
    return counts


def team_members(people: list[DemoPerson], team: str) -> list[DemoPerson]:
    """The people of one team, in directory order."""
    return [p for p in people if p.team == team]
