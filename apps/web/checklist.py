"""The first-run checklist of the dashboard: the steps from a first upload to a signed-off disclosure, each
ticked by what the organisation's data already shows (no state of its own to keep in step)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.connectors.models import IdentityMapping, IngestionRun, RunStatus
from apps.disclosures.models import PeriodStatus, ReportingPeriod
from apps.footprint.models import ContractualInstrument


def checklist(org) -> list[dict]:
    """The six steps with `done` and the page where each is done; six small queries, each an EXISTS."""
    slug = org.slug
    periods = ReportingPeriod.objects.for_org(org)
    # Mapped once the officer (or the demo) has recorded a mapping: the dashboard reads no usage record, so the
    # identities still unmapped are counted on the Mappings page, not here.
    mapped = IdentityMapping.objects.filter(organisation=org).exists()
    loaded = IngestionRun.objects.for_org(org).filter(status=RunStatus.SUCCEEDED).exists()
    steps = [
        ("usage", _("Load a year of usage files"), loaded, reverse("connectors:runs", args=[slug])),
        (
            "mappings",
            _("Map identities to people and teams"),
            mapped,
            reverse("connectors:mappings", args=[slug]),
        ),
        (
            "instruments",
            _("Record guarantees of origin and PPAs (if any)"),
            ContractualInstrument.objects.for_org(org).exists(),
            reverse("footprint:instruments", args=[slug]),
        ),
        ("period", _("Create the reporting period"), periods.exists(), reverse("disclosures:periods", args=[slug])),
        (
            "review",
            _("Submit it for review"),
            periods.exclude(status=PeriodStatus.DRAFT).exists(),
            reverse("disclosures:periods", args=[slug]),
        ),
        (
            "sign_off",
            _("Sign off"),
            periods.filter(status=PeriodStatus.SIGNED_OFF).exists(),
            reverse("disclosures:periods", args=[slug]),
        ),
    ]
    return [{"key": k, "label": label, "done": done, "url": url} for k, label, done, url in steps]
