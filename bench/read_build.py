"""The organisation bench/read.py reads: a year of synthetic gateway and API usage, written by the real writer.

The documented bulk path (the same calls ingestion makes, without a vendor file to parse):

1. the demo accounts (``seed_demo_accounts``: organisation ``demo``, one user per role), 10,000 people in
   100 teams, and the demo's cost inputs (``seed_demo_costs``: model prices, licences, ROI inputs);
2. per source (``litellm_spend_logs``: every provider; ``openai_usage``; ``anthropic_usage``) a small manifest
   file (the generator's parameters, as JSON) stored with ``store_upload`` and a run made by ``create_run``, so
   every record points to a run and a stored file with its SHA-256, as after an upload;
3. the run's records: usage frames generated in Python (``usage_frame.conform``), one chunk of days at a time
   (each (day, source, provider, model, person) appears once, so no key repeats across chunks), handed to
   ``record_writer.write_records`` after ``serialise_writes`` in one transaction per run, exactly as
   ``connectors.ingestion._store`` does: the writer runs ``calculator.estimate`` on each chunk, resolves the
   people and teams with ``identity_resolver`` and inserts the rows (SQLite statements, PostgreSQL COPY). The run
   is then marked succeeded with the writer's totals;
4. ``manage.py rebuild_rollups`` when that command exists (the bulk path bypasses nothing the writer does,
   but rollups kept by the ingestion's caller would otherwise be missing);
5. a draft reporting period over the year.

What is not exercised: parsing a vendor file (bench/ingest.py times that). Records are spread over the days by
the demo calendar (``apps.demo.timeline.day_weights``: weekdays, summer, Christmas, growth through the year).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time

import numpy as np
import pandas as pd

BENCH_PASSWORD = "bench-read-password-1"  # noqa: S105 (a throwaway bench database)
PEOPLE, TEAMS = 10_000, 100
SEED = 20260101
# (source, provider, model): 15 models over 4 providers; the gateway carries all of them.
MODELS = (
    ("openai", "gpt-4o"),
    ("openai", "gpt-4o-mini"),
    ("openai", "gpt-4.1"),
    ("openai", "gpt-4.1-mini"),
    ("openai", "o3-mini"),
    ("anthropic", "claude-sonnet-4-5"),
    ("anthropic", "claude-haiku-4-5"),
    ("anthropic", "claude-opus-4-1"),
    ("google", "gemini-2.5-flash"),
    ("google", "gemini-2.5-pro"),
    ("google", "gemini-2.0-flash"),
    ("mistral", "mistral-large-latest"),
    ("mistral", "mistral-small-latest"),
    ("mistral", "codestral-latest"),
    ("mistral", "mistral-medium-latest"),
)
SOURCES = {
    "litellm_spend_logs": MODELS,
    "openai_usage": tuple(m for m in MODELS if m[0] == "openai"),
    "anthropic_usage": tuple(m for m in MODELS if m[0] == "anthropic"),
}
ZONES = ("US", "IE", "FR", "DE", "SE")
CHUNK_DAYS = 14


def people_and_teams(n_people: int = PEOPLE, n_teams: int = TEAMS) -> tuple[np.ndarray, np.ndarray]:
    """E-mails and the team of each person (teams of uneven size, as in a real directory)."""
    rng = np.random.default_rng(SEED)
    emails = np.array([f"person{i:05d}@bench.example" for i in range(n_people)], dtype=object)
    sizes = rng.dirichlet(np.full(n_teams, 2.0))
    teams = np.array([f"Team {i:03d}" for i in range(n_teams)], dtype=object)
    return emails, teams[rng.choice(n_teams, n_people, p=sizes)]


def key_space() -> pd.DataFrame:
    """Every (source, provider, model) the organisation uses, one row each."""
    rows = [(source, provider, model) for source, models in SOURCES.items() for provider, model in models]
    return pd.DataFrame(rows, columns=["source", "provider", "model"])


def records_per_day(year: int, records: int) -> pd.DataFrame:
    """How many records each day of `year` gets: `records` in all, spread by the demo calendar."""
    from apps.demo.timeline import day_weights

    days = day_weights(year)
    counts = np.floor(days["weight"] / days["weight"].sum() * records).astype(np.int64)
    counts.iloc[: records - int(counts.sum())] += 1  # the remainder, one each, from 1 January
    return pd.DataFrame({"day": days["day"], "records": counts})


def source_share(counts: np.ndarray, source: str) -> np.ndarray:
    """The records of each day that fall to `source`, by its share of the key space; the first source takes
    what rounding leaves, so the sources' shares add up to `counts` exactly."""
    sizes = np.array([len(models) for models in SOURCES.values()])
    shares = counts[:, None] * sizes[None, :] // sizes.sum()
    shares[:, 0] += counts - shares.sum(axis=1)
    return shares[:, list(SOURCES).index(source)]


def usage_chunks(year: int, records: int, source: str):
    """The usage frames of one source, CHUNK_DAYS days at a time; its share of `records` follows its share of the
    (source, model) key space. Each (day, source, provider, model, person) appears at most once."""
    from apps.footprint import usage_frame

    emails, person_teams = people_and_teams()
    space = key_space()
    mine = space.index[space["source"] == source].to_numpy()
    combos = len(mine) * len(emails)
    rng = np.random.default_rng([SEED, list(SOURCES).index(source)])
    per_day = records_per_day(year, records)
    wanted = np.minimum(source_share(per_day["records"].to_numpy(), source), combos)
    for start in range(0, len(per_day), CHUNK_DAYS):
        parts, stop = [], start + CHUNK_DAYS
        for day, n in zip(per_day["day"].iloc[start:stop], wanted[start:stop], strict=True):
            picks = rng.choice(combos, int(n), replace=False)
            parts.append((np.full(len(picks), day.to_datetime64()), picks))
        days = np.concatenate([p[0] for p in parts])
        picks = np.concatenate([p[1] for p in parts])
        model_row, person = mine[picks // len(emails)], picks % len(emails)
        n = len(picks)
        requests = rng.poisson(6, n) + 1
        input_tokens = requests * rng.lognormal(7.0, 0.8, n).astype(np.int64)
        output_tokens = requests * rng.lognormal(5.5, 0.7, n).astype(np.int64)
        frame = pd.DataFrame(
            {
                "day": days,
                "source": source,
                "provider": space["provider"].to_numpy()[model_row],
                "model": space["model"].to_numpy()[model_row],
                "requests": requests,
                "input_tokens": input_tokens,
                "cached_input_tokens": (input_tokens * rng.uniform(0, 0.3, n)).astype(np.int64),
                "output_tokens": output_tokens,
                "person": emails[person],
                "team": person_teams[person],
                "zone": np.asarray(ZONES, dtype=object)[person % len(ZONES)],
                # The gateway reports what it paid (USD); the direct API exports are priced from their tokens.
                "cost": (input_tokens * 2e-6 + output_tokens * 8e-6) if source == "litellm_spend_logs" else 0.0,
                "currency": "USD" if source == "litellm_spend_logs" else "",
            }
        )
        yield usage_frame.conform(frame)


def build(records: int, year: int) -> dict:
    """Create the organisation and its year of `records` usage records (see the module docstring); returns
    what was made and how long each step took."""
    from django.core.management import call_command, get_commands
    from django.db import connection

    from apps.accounts.demo import seed_demo_accounts
    from apps.accounts.models import Person, Team
    from apps.disclosures import services as disclosures

    timings = {}
    started = time.perf_counter()
    org, _ = seed_demo_accounts(password=BENCH_PASSWORD)
    emails, person_teams = people_and_teams()
    teams = {name: Team.objects.get_or_create(organisation=org, name=name)[0] for name in sorted(set(person_teams))}
    Person.objects.bulk_create(
        [
            Person(organisation=org, email=email, name=email.split("@")[0], team=teams[team])
            for email, team in zip(emails, person_teams, strict=True)
        ],
        batch_size=2000,
    )
    timings["people and teams"] = time.perf_counter() - started
    for source in SOURCES:
        t = time.perf_counter()
        stored = write_source(org, source, year, records)
        timings[f"{source} ({stored:,} records)"] = time.perf_counter() - t
    t = time.perf_counter()
    try:
        from apps.demo.costs import seed_demo_costs

        seed_demo_costs(org, year)
    except Exception as exc:  # the bench reads without cost inputs rather than stop
        print(f"  cost inputs not seeded: {exc}")
    timings["cost inputs"] = time.perf_counter() - t
    if "rebuild_rollups" in get_commands():
        t = time.perf_counter()
        call_command("rebuild_rollups")
        timings["rebuild_rollups"] = time.perf_counter() - t
    else:
        print("  no rebuild_rollups command in this checkout: rollups are not rebuilt")
    # The planner's statistics, as autovacuum would gather them after a bulk load: without them PostgreSQL
    # sorted the whole year for the records list's first page (8 s at 1 M records, 8 ms with them).
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["ANALYZE"] = time.perf_counter() - t
    disclosures.create_period(
        org,
        None,
        dt.date(year, 1, 1),
        dt.date(year, 12, 31),
        net_revenue_eur=400_000_000,
        internal_carbon_price_eur_per_t=80,
    )
    return timings


def write_source(org, source: str, year: int, records: int) -> int:
    """One source's share of the records through a run of its own, as connectors.ingestion._store writes a run."""
    from django.db import transaction
    from django.utils import timezone

    from apps.connectors.identities import identity_resolver
    from apps.connectors.ingestion import create_run
    from apps.connectors.models import IngestionRun, RunStatus
    from apps.connectors.storage import store_upload
    from apps.footprint.record_writer import serialise_writes, write_records
    from apps.footprint.services import current_factor_set_version, load_factor_set

    manifest = {"generator": "bench/read_build.py", "source": source, "year": year, "records": records, "seed": SEED}
    source_file = store_upload(org, io.BytesIO(json.dumps(manifest).encode()), f"bench-read-{source}.json")
    run = create_run(org, source, source_file)
    version = current_factor_set_version(org)
    with transaction.atomic():
        run = IngestionRun.objects.select_for_update().get(pk=run.pk)
        serialise_writes(org, version)
        totals = write_records(
            usage_chunks(year, records, source),
            replaces=False,  # a fresh organisation: no key can collide
            factor_set=load_factor_set(version),
            resolve=identity_resolver(org),
            constants={"organisation_id": org.pk, "run_id": run.pk, "factor_set_id": version.pk},
        )
        now = timezone.now()
        IngestionRun.objects.filter(pk=run.pk).update(
            status=RunStatus.SUCCEEDED,
            started_at=now,
            finished_at=now,
            bytes_done=run.bytes_total,
            records_stored=totals.records,
            rows_read=totals.records,
            requests=totals.sums["requests"],
            input_tokens=totals.sums["input_tokens"],
            cached_input_tokens=totals.sums["cached_input_tokens"],
            output_tokens=totals.sums["output_tokens"],
            energy_kwh=totals.energy_kwh,
            co2e_kg=totals.co2e_kg,
            factor_set=version,
            warnings=sorted(totals.warnings)[:50],
        )
    return totals.records
