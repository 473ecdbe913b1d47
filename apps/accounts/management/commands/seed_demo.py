from django.core.management.base import BaseCommand

from apps.accounts.demo import seed_demo_accounts


class Command(BaseCommand):
    help = "Create or refresh the demo organisation with one user per role (password from DEMO_PASSWORD or new)."

    def handle(self, **options):
        org, credentials = seed_demo_accounts()
        self.stdout.write(f"Demo organisation '{org.slug}' ready. Log in at http://127.0.0.1:8000/ with:")
        for email, password in credentials.items():
            self.stdout.write(f"  {email:28} {password}")
