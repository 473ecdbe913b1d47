"""A seat source's seats, read once when its file is ingested and stored with the run (SeatHolder), so that the
cost app's seat report reads the database instead of parsing the stored file on every request."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .models import IngestionRun, SeatHolder
from .sources import SOURCES
from .sources.base import SeatSource


def _text(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame:
        return [""] * len(frame)
    return ["" if pd.isna(v) else str(v) for v in frame[column]]


def seat_holders(run: IngestionRun, path) -> list[SeatHolder]:
    """The seats of the run's file (unsaved), or none when its source is not a seat source."""
    module = SOURCES.get(run.source_key)
    if not isinstance(module, SeatSource):
        return []
    with path.open("rb") as fh:
        seats = module.parse_seats(fh, run.source_file.filename)
    stamps = pd.to_datetime(seats["last_activity_at"])
    return [
        SeatHolder(
            run=run,
            person=str(person),
            display_name=name,
            team=team,
            last_activity_at=None if pd.isna(stamp) else stamp.to_pydatetime().replace(tzinfo=dt.UTC),
        )
        for person, name, team, stamp in zip(
            seats["person"], _text(seats, "display_name"), _text(seats, "team"), stamps, strict=True
        )
    ]
