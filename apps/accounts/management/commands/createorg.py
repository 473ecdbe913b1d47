from django.core.management.base import BaseCommand, CommandError

from apps.accounts.services import AccountsError, create_organisation


class Command(BaseCommand):
    help = "Create an organisation (tenant)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)

    def handle(self, slug, name, **options):
        try:
            org = create_organisation(slug, name)
        except AccountsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created organisation {org.slug} ({org.name}).")
