"""Assumptions that apps above disclosures add to a disclosure's methodology section.

Cost owns the frugality assessments the methodology quotes, but costs sits above disclosures: it registers
the function that tells at start-up (apps/costs/apps.py), so the arrows between apps keep pointing down."""

from collections.abc import Callable

AssumptionProvider = Callable[[object], list[str]]
_providers: list[AssumptionProvider] = []


def register_assumptions(provider: AssumptionProvider) -> None:
    """Called once at start-up by an app that has methodology lines to add (e.g. costs' frugality)."""
    if provider not in _providers:
        _providers.append(provider)


def registered_assumptions(organisation) -> list[str]:
    """The registered providers' lines for the organisation, in registration order."""
    return [line for provider in _providers for line in provider(organisation)]
