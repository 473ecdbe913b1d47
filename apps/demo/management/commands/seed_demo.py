import time

from django.core.management.base import BaseCommand

from apps.accounts.demo import seed_demo_accounts
from apps.costs.warm import deferred
from apps.demo.costs import seed_demo_costs
from apps.demo.loader import load_demo_usage, seed_demo_people


class Command(BaseCommand):
    help = (
        "Create or refresh the demo organisation with one user per role (password from DEMO_PASSWORD or new), "
        "its 2,000 employees and a year of usage from every source, loaded through the connectors."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-usage", action="store_true", help="only the organisation, users and people")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="share of the full demo volume to generate (e.g. 0.05 for a quick look)",
        )

    def handle(self, **options):
        # One cache warm-up at the end of the load, not one per run and price (each its own transaction).
        with deferred():
            self._seed(options)

    def _seed(self, options):
        org, credentials = seed_demo_accounts()
        self.stdout.write(f"Demo organisation '{org.slug}' ready. Log in at http://127.0.0.1:8000/ with:")
        for email, password in credentials.items():
            self.stdout.write(f"  {email:28} {password}")
        added = seed_demo_people(org)
        self.stdout.write(f"People: {added} added.")
        if options["no_usage"]:
            return
        started = time.perf_counter()
        runs = load_demo_usage(org, scale=options["scale"])
        for run in runs:
            note = f" (already loaded by run {run.duplicate_of_id}: nothing new)" if run.duplicate_of_id else ""
            errors = f" FAILED: {run.errors[0]['message']}" if run.errors else ""
            self.stdout.write(
                f"  {run.source_key:24} {run.source_file.filename:40} {run.records_stored:>8} records "
                f"{run.energy_kwh:>12.1f} kWh{note}{errors}"
            )
        self.stdout.write(f"Usage: {len(runs)} runs in {time.perf_counter() - started:.1f} s.")
        seed_demo_costs(org)
        self.stdout.write("Licences, prices, ROI assumptions and a frugality assessment ready.")
