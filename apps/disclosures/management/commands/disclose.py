import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Organisation
from apps.disclosures.models import ReportingPeriod
from apps.disclosures.services import EXPORT_FORMATS, DisclosureError, export_file


class Command(BaseCommand):
    help = "Write the AI-usage disclosure of an organisation's reporting period (latest version) to a file."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--year", type=int, required=True, help="the calendar year the period ends in")
        parser.add_argument("--format", required=True, choices=sorted(EXPORT_FORMATS))
        parser.add_argument("--output", required=True)
        parser.add_argument("--period-version", type=int, help="a given version instead of the latest")

    def handle(self, **o):
        organisation = Organisation.objects.filter(slug=o["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug '{o['org']}'.")
        periods = ReportingPeriod.objects.for_org(organisation).filter(end__year=o["year"])
        if o["period_version"]:
            periods = periods.filter(version=o["period_version"])
        period = periods.order_by("-version").first()
        if period is None:
            raise CommandError(f"No reporting period of {organisation.slug} ends in {o['year']}.")
        try:
            fh, _filename, _type = export_file(period, o["format"])
        except DisclosureError as exc:
            raise CommandError(str(exc)) from exc
        with fh, Path(o["output"]).open("wb") as out:
            shutil.copyfileobj(fh, out, 2**20)
        self.stdout.write(f"Wrote {o['format']} of {period} ({period.get_status_display()}) to {o['output']}.")
