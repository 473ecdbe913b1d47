import json

from django.core.management.base import BaseCommand

from apps.connectors.reaper import reap


class Command(BaseCommand):
    help = (
        "One reaper pass: re-send or fail runs, sign-offs and exports whose task was lost, and remove crash "
        "leftovers (spill directories, temporary uploads). Prints what it did as JSON."
    )

    def handle(self, **options):
        self.stdout.write(json.dumps(reap(), sort_keys=True))
