"""CodeCarbon emissions.csv: several hundred rows (runs flushed several times with cumulative values, on cloud
and on own hardware), measured kWh and records == ingest --json.

Follows CodeCarbon's page:
  https://mlco2.github.io/codecarbon/output.html (the CSV output: timestamp, project_name, run_id, duration,
  emissions, energy_consumed in kWh, country_iso_code, cloud_provider, cloud_region, on_cloud, pue, ...;
  a tracker that flushes appends rows of the same run with cumulative values)
The rows are generated here; the expected kWh are summed from the generator's own numbers. Energies are
multiples of 1/1024 kWh so that float sums are exact whatever the order.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta
from fractions import Fraction

import pytest

from apps.footprint.models import UsageRecord
from tests.connectors.doc_totals import amounts, ingest_json

KEY = "codecarbon_emissions"
START = datetime(2025, 2, 1, 6, 0, 0)
# CodeCarbon 2.x column order (extra columns the reader ignores included).
COLUMNS = ["timestamp", "project_name", "run_id", "experiment_id", "duration", "emissions", "emissions_rate"]
COLUMNS += ["cpu_power", "gpu_power", "ram_power", "cpu_energy", "gpu_energy", "ram_energy", "energy_consumed"]
COLUMNS += ["country_name", "country_iso_code", "region", "cloud_provider", "cloud_region", "os", "python_version"]
COLUMNS += ["codecarbon_version", "cpu_count", "cpu_model", "gpu_count", "gpu_model", "longitude", "latitude"]
COLUMNS += ["ram_total_size", "tracking_mode", "on_cloud", "pue"]
PLACES = [
    ("N", "", "", "France", "FRA", "île-de-france"),
    ("N", "", "", "Germany", "DEU", "hamburg"),
    ("Y", "gcp", "europe-west1", "Belgium", "BEL", ""),
    ("Y", "aws", "eu-west-3", "France", "FRA", ""),
]


def generate(seed: int = 15, runs: int = 260):
    """Rows of emissions.csv and the expected kWh (the last flush of each run) and record keys."""
    rng = random.Random(seed)
    rows, kwh, keys = [], Fraction(0), set()
    for r in range(runs):
        on_cloud, provider, region, country, iso, area = rng.choice(PLACES)
        project = rng.choice(["fine-tune", "embeddings", ""])
        experiment = f"exp-{r % 7}"
        begin = START + timedelta(minutes=rng.randrange(60 * 24 * 20))
        energy = 0
        flushes = rng.choice([1, 1, 2, 3])
        for f in range(flushes):
            energy += rng.randint(1, 40_000)  # cumulative, in 1/1024 kWh
            duration = 600.0 * (f + 1) + rng.random()
            end = begin + timedelta(seconds=duration)
            rows.append(
                {
                    "timestamp": end.strftime("%Y-%m-%dT%H:%M:%S"),
                    "project_name": project,
                    "run_id": f"9adda612-4ce8-49d0-9a55-{r:012d}",
                    "experiment_id": experiment,
                    "duration": repr(duration),
                    "emissions": "0.0001537",
                    "emissions_rate": "2.7e-07",
                    "cpu_power": "42.5",
                    "gpu_power": "0.0",
                    "ram_power": "377.78",
                    "cpu_energy": "",
                    "gpu_energy": "0",
                    "ram_energy": "",
                    "energy_consumed": repr(energy / 1024),
                    "country_name": country,
                    "country_iso_code": iso,
                    "region": area,
                    "cloud_provider": provider,
                    "cloud_region": region,
                    "os": "Linux-5.15.0-113-generic-x86_64-with-glibc2.35",
                    "python_version": "3.10.12",
                    "codecarbon_version": "2.3.5",
                    "cpu_count": "160",
                    "cpu_model": "Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz",
                    "gpu_count": "",
                    "gpu_model": "4 x NVIDIA A40, 1 x NVIDIA A100",  # a quoted comma
                    "longitude": "-71.2",
                    "latitude": "46.8",
                    "ram_total_size": "1007.43",
                    "tracking_mode": "machine",
                    "on_cloud": on_cloud,
                    "pue": "1.0",
                }
            )
        # Only the last flush counts: the values are cumulative. Booked on the run's last day.
        kwh += Fraction(energy, 1024)
        zone = f"{provider}:{region}" if on_cloud == "Y" else iso
        keys.add((end.date(), project or experiment, zone, on_cloud != "Y"))
    rng.shuffle(rows)  # the flushes of a run need not be next to each other
    return rows, kwh, keys


def test_several_hundred_rows_give_measured_kwh_in_ingest_json(org_a, tmp_path, capsys):
    rows, kwh, keys = generate()
    assert len(rows) > 300
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    out = ingest_json(tmp_path, capsys, KEY, "emissions.csv", ("\ufeff" + buffer.getvalue()).encode())
    assert amounts(out) == {
        "requests": 0,
        "input_tokens": 0,
        "cached_input_tokens": 0,
        "output_tokens": 0,
        "active_user_days": 0,
    }
    assert (out["rows"], out["records"]) == (len(rows), len(keys))
    measured = sum(UsageRecord.objects.values_list("measured_energy_kwh", flat=True))
    assert Fraction(measured) == kwh  # exact: every value is a multiple of 1/1024
    # The estimate is the measured IT energy times the facility PUE: no site entered, so the default set's
    # assumed industry average, 1.56 (Uptime Institute 2024), on every row, rented or own.
    assert out["energy_kwh"] == pytest.approx(float(kwh) * 1.56, rel=1e-12)
