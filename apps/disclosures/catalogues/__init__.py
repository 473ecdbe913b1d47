"""Datapoint catalogues as data: one JSON file per standard version, read once. No Django here.

Each file lists, in disclosure order, the datapoints a snapshot may carry: id, section, label, unit, XBRL
concept (or null), standard reference, optional taxonomy dimension, and `figure`, the key of
apps.disclosures.e1.figures() whose value the datapoint shows. Two catalogues that show the same figure under
different ids (Set 1's E1-5_01 and a revised standard's energy datapoint) share that key, which is how the
pages compare them and how the evidence pack's recompute script finds a datapoint's formula.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE_DIR = Path(__file__).resolve().parent
REQUIRED_KEYS = ("id", "figure", "section", "label", "unit", "concept", "ref")


class CatalogueError(ValueError):
    """A catalogue file that lacks a key or repeats an id (names the file and the datapoint)."""


@cache
def load(standard: str) -> dict[str, Any]:
    """The catalogue of one standard version (the file's name without .json), checked and read once."""
    path = CATALOGUE_DIR / f"{standard}.json"
    if not path.is_file():
        raise CatalogueError(f"no datapoint catalogue {standard!r} in {CATALOGUE_DIR}")
    data = json.loads(path.read_text(encoding="utf-8"))
    seen = set()
    for n, dp in enumerate(data["datapoints"]):
        missing = [k for k in REQUIRED_KEYS if k not in dp]
        if missing:
            raise CatalogueError(f"{path.name}: datapoint {n} ({dp.get('id')}) lacks {', '.join(missing)}")
        if dp["id"] in seen:
            raise CatalogueError(f"{path.name}: datapoint id {dp['id']} appears twice")
        seen.add(dp["id"])
    return data


def table(standard: str) -> dict[str, tuple[str, str, str, str | None, str]]:
    """id -> (section, label, unit, XBRL concept or None, reference), in disclosure order."""
    return {
        dp["id"]: (dp["section"], dp["label"], dp["unit"], dp["concept"], dp["ref"])
        for dp in load(standard)["datapoints"]
    }


def dimensions(standard: str) -> dict[str, tuple[str, str]]:
    """id -> (axis, member) of the taxonomy dimension its fact carries, for the datapoints that have one."""
    return {
        dp["id"]: (dp["dimension"]["axis"], dp["dimension"]["member"])
        for dp in load(standard)["datapoints"]
        if dp.get("dimension")
    }


def voluntary(standard: str) -> tuple[str, ...]:
    """The ids of the voluntary, entity-specific datapoints (present when the records carry their columns)."""
    return tuple(dp["id"] for dp in load(standard)["datapoints"] if dp.get("voluntary"))


def section_title(standard: str, section: str) -> str:
    """The heading of a section (E1-5, E1-7, ...) in that standard, or the section code itself."""
    return load(standard).get("sections", {}).get(section, section)


def not_carried(standard: str) -> dict[str, str]:
    """figure -> why the standard does not carry it, for the figures an earlier version disclosed."""
    return {row["figure"]: row["why"] for row in load(standard).get("not_carried", [])}


def changes(before: str, after: str) -> list[dict]:
    """Figure by figure, in the order of `before`: its datapoint there and in `after` (None when `after`
    does not carry it, with the reason), then the figures only `after` shows."""
    by_figure = {dp["figure"]: dp for dp in load(after)["datapoints"]}
    dropped = not_carried(after)
    rows = []
    for dp in load(before)["datapoints"]:
        other = by_figure.pop(dp["figure"], None)
        rows.append({"figure": dp["figure"], "before": dp, "after": other, "why": dropped.get(dp["figure"], "")})
    rows.extend({"figure": f, "before": None, "after": dp, "why": ""} for f, dp in by_figure.items())
    return rows
