import json
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q, Sum

from apps.accounts.models import Organisation
from apps.connectors.errors import IngestionRefused
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import RunStatus
from apps.connectors.sources import SOURCES
from apps.connectors.storage import store_upload
from apps.footprint.models import UsageRecord


class Command(BaseCommand):
    help = "Load one usage file for an organisation, synchronously. Exits 1 when the run failed."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--source", required=True, choices=sorted(SOURCES))
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, path, org, source, **options):
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug '{org}'.")
        file_path = Path(path)
        if not file_path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            with file_path.open("rb") as stream:
                source_file = store_upload(organisation, stream, file_path.name)
            run = create_run(organisation, source, source_file)
        except IngestionRefused as exc:
            raise CommandError(str(exc)) from exc
        run = execute_run(run.pk)
        self._report(run, as_json=options["json"])
        if run.status != RunStatus.SUCCEEDED:
            raise SystemExit(1)

    def _report(self, run, as_json):
        summary = {
            "run": run.pk,
            "status": run.status,
            "source": run.source_key,
            "rows": run.rows_read,
            "rows_skipped": run.rows_skipped,
            "skipped": run.skipped,
            "records": run.records_stored,
            "requests": run.requests,
            **_seat_totals(run),
            "input_tokens": run.input_tokens,
            "cached_input_tokens": run.cached_input_tokens,
            "output_tokens": run.output_tokens,
            "energy_kwh": run.energy_kwh,
            "co2e_kg": run.co2e_kg,
            "cost_by_currency": _cost_by_currency(run),
            "errors": [
                {"row": e.get("row"), "column": e.get("column"), "message": e.get("message")} for e in run.errors
            ],
        }
        if run.duplicate_of_id:
            summary["duplicate_of"] = run.duplicate_of_id
            summary["message"] = run.warnings[0]
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        if run.status == RunStatus.SUCCEEDED:
            if run.duplicate_of_id:
                self.stdout.write(run.warnings[0])
            else:
                self.stdout.write(
                    f"Run {run.pk}: {run.rows_read} rows read, {run.records_stored} records stored, "
                    f"{run.energy_kwh:.3f} kWh, {run.co2e_kg:.3f} kgCO2e."
                )
                for _code, label, count in run.skipped_by_reason:
                    self.stdout.write(f"  {count} rows left out: {label}")
        else:
            for error in run.errors:
                self.stderr.write(error["message"])


def _seat_totals(run) -> dict:
    """Active user-days and the distinct people and teams of the records this run stored (seat sources)."""
    totals = UsageRecord.objects.filter(run=run).aggregate(
        active_user_days=Sum("active_user_days"),
        persons=Count("person_ref", distinct=True, filter=~Q(person_ref="")),
        teams=Count("team_ref", distinct=True, filter=~Q(team_ref="")),
    )
    return {"active_user_days": totals["active_user_days"] or 0, "persons": totals["persons"], "teams": totals["teams"]}


def _cost_by_currency(run) -> dict[str, str]:
    """The run's stored costs summed per currency, exactly, as decimal strings (a JSON float would round them)."""
    sums: dict[str, Decimal] = {}
    for currency, cost in UsageRecord.objects.filter(run=run).exclude(cost=0).values_list("currency", "cost"):
        sums[currency] = sums.get(currency, Decimal(0)) + cost
    return {currency: f"{amount.normalize():f}" for currency, amount in sorted(sums.items())}
