"""CodeCarbon ``emissions.csv`` from self-hosted jobs: measured energy.

Columns are read by name and extra ones are ignored (CodeCarbon adds columns between versions):
``timestamp``, ``project_name``, ``run_id``, ``experiment_id``, ``duration``, ``energy_consumed``
(kWh), ``country_iso_code``, ``region``, ``cloud_provider``, ``cloud_region``, ``on_cloud``.

Usage frame rows (``measured_energy``, provider ``self_hosted``):

* measured_energy_kwh = ``energy_consumed``, on the UTC day of ``timestamp`` (the end of the
  measurement; a run that crosses midnight is booked on its last day).
* A run flushed several times writes several rows with the same ``run_id`` and *cumulative* values:
  only its last row (largest duration) is kept, so the energy is not counted twice; rows of one run
  are counted under ``repeated_measurement`` (see ``skips``).
* zone: ``<cloud_provider>:<cloud_region>`` (e.g. ``gcp:europe-west1``) when ``on_cloud`` is "Y",
  with self_hosted False (rented cloud hardware is the cloud's energy, Scope 3); otherwise the
  ``country_iso_code`` (ISO 3166 alpha-3, e.g. ``FRA``) with self_hosted True (own hardware, Scope 2).
* project = ``project_name`` (``experiment_id`` when blank); model is left blank.
* measured_energy_kwh is the IT energy: CodeCarbon multiplies what it measured by its ``pue`` setting
  (default 1.0; EmissionsTracker docs, "pue"), so ``energy_consumed`` is divided by the file's ``pue``
  (blank or absent: 1) and the calculator applies the site's facility PUE from the factor set once. A
  ``pue`` below 1 is refused naming its row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pandas as pd

from apps.connectors.sources.columns import Field
from apps.connectors.sources.csv_reader import DEFAULT_CHUNK_ROWS, iter_csv
from apps.connectors.sources.frames import finish
from apps.connectors.sources.skips import SkipReason, counted
from apps.core.messages import Message
from apps.footprint.usage_frame import USAGE_KIND_MEASURED_ENERGY

KEY = "codecarbon_emissions"
LABEL = "CodeCarbon emissions.csv"
SIGNATURE = (
    "timestamp",
    "project_name",
    "run_id",
    "energy_consumed",
    "emissions",
    "country_iso_code",
    "codecarbon_version",
)
PROVIDER = "self_hosted"

FIELDS = (
    Field("timestamp"),
    Field("energy_consumed"),
    Field("project_name", required=False),
    Field("run_id", required=False),
    Field("experiment_id", required=False),
    Field("duration", required=False),
    Field("country_iso_code", required=False),
    Field("cloud_provider", required=False),
    Field("cloud_region", required=False),
    Field("on_cloud", required=False),
    Field("pue", required=False),
)


def iter_chunks(stream: BinaryIO, filename: str, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Yield conformed frames chunk by chunk. Runs flushed several times are de-duplicated within a
    chunk; :func:`parse` de-duplicates across the whole file."""
    for frame, read, dup in _frames(stream, filename, chunk_rows):
        yield finish(
            frame.drop(columns=["run_id", "duration"]), KEY, attrs=counted(read, {SkipReason.REPEATED_MEASUREMENT: dup})
        )


def _frames(stream: BinaryIO, filename: str, chunk_rows: int) -> Iterator[tuple[pd.DataFrame, int, int]]:
    for chunk in iter_csv(stream, filename, FIELDS, KEY, chunk_rows=chunk_rows):
        on_cloud = np.char.upper(chunk.text("on_cloud").astype(str)) == "Y"
        provider = chunk.text("cloud_provider")
        region = chunk.text("cloud_region")
        country = chunk.text("country_iso_code")
        zone = [
            f"{p.lower()}:{r.lower()}" if c and p else iso
            for c, p, r, iso in zip(on_cloud, provider, region, country, strict=True)
        ]
        project = [p or e for p, e in zip(chunk.text("project_name"), chunk.text("experiment_id"), strict=True)]
        frame = pd.DataFrame(
            {
                "day": chunk.days("timestamp", example="2025-01-31T10:00:00"),
                "provider": PROVIDER,
                "usage_kind": USAGE_KIND_MEASURED_ENERGY,
                "measured_energy_kwh": _it_energy(chunk),
                "self_hosted": ~on_cloud,
                "project": project,
                "zone": zone,
                "run_id": chunk.text("run_id"),
                "duration": chunk.numbers("duration", whole=False),
            }
        )
        kept = _last_row_per_run(frame)
        yield kept, len(chunk), len(frame) - len(kept)


def _it_energy(chunk) -> np.ndarray:
    """energy_consumed without the PUE CodeCarbon multiplied it by (blank or absent pue: 1)."""
    energy = chunk.numbers("energy_consumed", whole=False, blank_is_zero=False)
    pue = chunk.numbers("pue", whole=False)
    below_one = (pue > 0) & (pue < 1)
    if below_one.any():
        raise chunk.error(int(np.flatnonzero(below_one)[0]), "pue", Message("expected a PUE >= 1 (total / IT energy)"))
    return energy / np.where(pue > 0, pue, 1.0)


def _last_row_per_run(frame: pd.DataFrame) -> pd.DataFrame:
    with_id = frame[frame["run_id"] != ""]
    last = with_id.sort_values("duration", kind="stable").drop_duplicates("run_id", keep="last")
    return pd.concat([frame[frame["run_id"] == ""], last]).sort_index()


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """The whole file as one conformed usage frame, one measurement kept per run."""
    parts = list(_frames(stream, filename, DEFAULT_CHUNK_ROWS))
    read = sum(p[1] for p in parts)
    whole = pd.concat([p[0] for p in parts], ignore_index=True)
    kept = _last_row_per_run(whole)
    return finish(
        kept.drop(columns=["run_id", "duration"]),
        KEY,
        attrs=counted(read, {SkipReason.REPEATED_MEASUREMENT: read - len(kept)}),
    )
