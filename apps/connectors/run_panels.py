"""Extra sections of the run page that only an app above connectors can fill (costs: the bill reconciliation).

An app registers a function from its AppConfig.ready; the run page shows what each returns for the run (HTML,
already rendered and escaped by a template), so connectors never imports upwards."""

from __future__ import annotations

from collections.abc import Callable

RunPanel = Callable[[object], str]
_panels: list[RunPanel] = []


def register_run_panel(panel: RunPanel) -> None:
    """Called once at start-up: `panel(run)` gives the section's HTML, or '' when it has nothing to show."""
    if panel not in _panels:
        _panels.append(panel)


def run_panels(run) -> list[str]:
    """The non-empty sections the registered panels give for `run`."""
    return [html for html in (panel(run) for panel in _panels) if html]
