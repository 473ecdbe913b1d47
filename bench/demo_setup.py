"""The throwaway demo database the disclosure benches start from (bench/disclose.py, bench/evidence_recompute.py).

Imported by those scripts as a sibling (python puts bench/ on sys.path); importing it puts the repository root
there too, for the apps.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_PASSWORD = "bench-password-1"  # noqa: S105 (a throwaway bench database)


def scale_option(doc: str) -> float:
    """The script's ``--scale`` (share of the full demo volume, 1.0 by default); its help is the docstring's
    first paragraph."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full demo volume")
    return parser.parse_args().scale


def throwaway_database(prefix: str) -> Path:
    """A fresh SQLite database and file store in a new temp DATA_DIR (returned), Django set up and migrated; the
    machine's DATABASE_URL and REDIS_URL are ignored so nothing real is touched."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(DATA_DIR=str(tmp), DJANGO_SETTINGS_MODULE="reporting.settings", MAX_UPLOAD_MB="2000")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return tmp


def seed_demo(scale: float):
    """The demo organisation (one user per role), its people and `scale` of its year of usage; (org, year)."""
    from apps.accounts.demo import seed_demo_accounts
    from apps.demo.loader import load_demo_usage, seed_demo_people
    from apps.demo.timeline import demo_year

    org, _ = seed_demo_accounts(password=BENCH_PASSWORD)
    seed_demo_people(org)
    load_demo_usage(org, scale=scale)
    return org, demo_year()
