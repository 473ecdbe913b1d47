from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Organisation, Role
from apps.accounts.services import AccountsError, add_member


class Command(BaseCommand):
    help = "Add a user (created if needed) to an organisation with a role; prints a new user's password once."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=Role.values)

    def handle(self, slug, email, role, **options):
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(f"No organisation with slug '{slug}'.")
        try:
            membership, password = add_member(org, email, role)
        except AccountsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{membership.user.email} is {membership.get_role_display()} in {org.slug}.")
        if password:
            self.stdout.write(f"Password (shown once): {password}")
