"""Rebuild the daily, monthly and person rollups of one or every organisation from their records."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts.models import Organisation
from apps.footprint import rollups


class Command(BaseCommand):
    help = "Sum every organisation's usage records again into the rollups the pages read (exact; safe to rerun)."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="the organisation's slug (default: every organisation)")

    def handle(self, *args, **options):
        organisations = Organisation.objects.order_by("slug")
        if options["org"]:
            organisations = organisations.filter(slug=options["org"])
            if not organisations.exists():
                raise CommandError(f"no organisation with slug '{options['org']}'")
        for organisation in organisations:
            with transaction.atomic():
                rollups.refresh_all(organisation.pk)
            self.stdout.write(f"{organisation.slug}: rollups rebuilt")
