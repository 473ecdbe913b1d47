"""The apps depend one way: each may import only the apps below it (docs/DESIGN.md, "Layout").

Every import is read from the source with `ast`, including imports inside functions, so an arrow that runs
back up fails here whatever trick hides it from a linter."""

import ast
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parents[1] / "apps"

# Lowest first. An app may import its own modules and any app of a lower layer; apps of one layer never
# import each other.
LAYERS = [
    {"core"},
    {"accounts"},
    {"footprint"},
    {"connectors"},
    {"disclosures"},
    {"costs"},
    {"web", "api", "demo"},
]
LAYER_OF = {app: rank for rank, layer in enumerate(LAYERS) for app in layer}


def imported_apps(source: str) -> set[str]:
    """The apps (`apps.<name>`) a module's source imports, anywhere in the module."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "apps" and len(parts) > 1 and parts[1] in LAYER_OF:
                found.add(parts[1])
    return found


def back_up_imports(app: str, source: str) -> set[str]:
    """The apps this source imports that its app may not (same layer or higher)."""
    return {other for other in imported_apps(source) if other != app and LAYER_OF[other] >= LAYER_OF[app]}


def every_module():
    for path in sorted(APPS.rglob("*.py")):
        app = path.relative_to(APPS).parts[0]
        if app in LAYER_OF:
            yield app, path


def test_every_app_has_a_layer():
    on_disk = {path.name for path in APPS.iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    assert on_disk == set(LAYER_OF)


def test_no_import_runs_back_up():
    wrong = []
    for app, path in every_module():
        for other in sorted(back_up_imports(app, path.read_text())):
            wrong.append(f"{path.relative_to(APPS.parent)} imports apps.{other}")
    assert wrong == []


@pytest.mark.parametrize(
    ("app", "source", "expected"),
    [
        ("footprint", "from apps.disclosures.locks import locked_ranges", {"disclosures"}),
        ("footprint", "def f():\n    from apps.costs import selectors\n", {"costs"}),
        ("accounts", "import apps.footprint.models", {"footprint"}),
        ("web", "from apps import api", {"api"}),
        ("costs", "from apps.footprint.models import UsageRecord\nfrom .models import Licence", set()),
        ("demo", "from apps.connectors import demo\nfrom apps.costs.models import Licence", set()),
    ],
)
def test_the_check_sees_an_arrow_back_up(app, source, expected):
    assert back_up_imports(app, source) == expected
