"""An annual close from the command line: create, submit, sign off and reopen a reporting period.

The same services and rules as the pages (roles, four eyes, factors to verify): a refusal exits 1 with its message.
Sign-off freezes in the command (services.sign_off), so the close can run unattended and `disclose` follows it.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import Membership, Organisation
from apps.core.errors import DomainError
from apps.disclosures import services
from apps.disclosures.models import ReportingPeriod, Standard


class Command(BaseCommand):
    help = "Create, submit for review, sign off or reopen an organisation's reporting period."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("create", "submit", "sign-off", "reopen"):
            p = sub.add_parser(name)
            p.add_argument("--org", required=True)
            p.add_argument("--year", type=int, help="the calendar year the period ends in")
            if name == "create":
                p.add_argument("--start", type=dt.date.fromisoformat)
                p.add_argument("--end", type=dt.date.fromisoformat)
                p.add_argument("--variant", default="esrs_e1", choices=["esrs_e1", "vsme_b3"])
                p.add_argument(
                    "--standard",
                    default=Standard.SET1_2023,
                    choices=Standard.values,
                    help="the ESRS version: Set 1, or the revised ESRS (years starting in 2026 or later)",
                )
            p.add_argument("--as", dest="email", required=name != "create", help="the member acting")
            if name == "sign-off":
                p.add_argument("--comment", default="")
                p.add_argument(
                    "--accept-unverified",
                    action="store_true",
                    help="sign off although factors are still to verify: an explicit exception (comment required)",
                )
            if name == "reopen":
                p.add_argument("--reason", required=True)

    def handle(self, *args, **o):
        organisation = Organisation.objects.filter(slug=o["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug '{o['org']}'.")
        try:
            message = getattr(self, "_" + o["action"].replace("-", "_"))(organisation, o)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(message)

    def _membership(self, organisation, email):
        membership = (
            Membership.objects.select_related("user", "organisation")
            .filter(organisation=organisation, user__email__iexact=email or "")
            .first()
        )
        if membership is None:
            raise CommandError(f"{email} is not a member of {organisation.slug}.")
        return membership

    def _period(self, organisation, o) -> ReportingPeriod:
        if not o.get("year"):
            raise CommandError("Give --year: the calendar year the period ends in.")
        period = (
            ReportingPeriod.objects.for_org(organisation)
            .filter(end__year=o["year"])
            .select_related("organisation")
            .order_by("-version")
            .first()
        )
        if period is None:
            raise CommandError(f"No reporting period of {organisation.slug} ends in {o['year']}.")
        return period

    def _create(self, organisation, o):
        start, end = o.get("start"), o.get("end")
        if o.get("year") and not (start or end):
            start, end = dt.date(o["year"], 1, 1), dt.date(o["year"], 12, 31)
        if not (start and end):
            raise CommandError("Give --year, or --start and --end.")
        user = self._membership(organisation, o["email"]).user if o.get("email") else None
        period = services.create_period(organisation, user, start, end, variant=o["variant"], standard=o["standard"])
        return f"Created reporting period {period} of {organisation.slug} (draft, {period.get_standard_display()})."

    def _submit(self, organisation, o):
        period = services.submit_for_review(self._period(organisation, o), self._membership(organisation, o["email"]))
        return f"{period} submitted for review by {o['email']}."

    def _sign_off(self, organisation, o):
        period = services.sign_off(
            self._period(organisation, o),
            self._membership(organisation, o["email"]),
            comment=o["comment"],
            accept_unverified=o["accept_unverified"],
        )
        return f"{period} signed off by {o['email']}; snapshot {period.snapshot_sha256}."

    def _reopen(self, organisation, o):
        new = services.reopen(self._period(organisation, o), self._membership(organisation, o["email"]), o["reason"])
        return f"Reopened as version {new.version} (draft)."
