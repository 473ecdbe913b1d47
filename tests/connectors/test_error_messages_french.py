"""A bad file's error in the reader's language (issue 20): every Message template in apps/ has a French entry with
the same fields, and real bad files through the real ingestion show the French sentence on the run page, with the
file, row and column, while the English page shows the English sentence as before."""

from __future__ import annotations

import ast
import html
import re
import string
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import Role
from apps.connectors.models import IngestionRun, RunStatus

ROOT = Path(__file__).resolve().parents[2]
HEADER = b"date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"


def _constants(tree: ast.Module) -> dict[str, str]:
    """The module's top-level string constants (NAME = "..." or a parenthesised concatenation)."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _imported(tree: ast.Module) -> dict[str, tuple[str, str]]:
    """name -> (module, name) of the module's `from x import NAME` imports."""
    return {
        alias.asname or alias.name: (node.module, alias.name)
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }


def _message_templates() -> dict[str, str]:
    """template -> where, for the first argument of every `Message(...)` call in apps/ that is a literal or a
    module-level constant (of the module or imported from another one)."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in (ROOT / "apps").rglob("*.py")}
    constants = {".".join(p.relative_to(ROOT).with_suffix("").parts): _constants(t) for p, t in trees.items()}
    found: dict[str, str] = {}
    for path, tree in trees.items():
        own = constants[".".join(path.relative_to(ROOT).with_suffix("").parts)]
        imports = _imported(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name != "Message":
                continue
            first = node.args[0]
            template = None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                template = first.value
            elif isinstance(first, ast.Name) and first.id in own:
                template = own[first.id]
            elif isinstance(first, ast.Name) and first.id in imports:
                module, original = imports[first.id]
                template = constants.get(module.lstrip("."), {}).get(original)
                if template is None and module.startswith("."):  # a relative import within the package
                    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
                    template = constants.get(f"{package}.{module.lstrip('.')}", {}).get(original)
            if template is not None:
                found.setdefault(template, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _has_words(template: str) -> bool:
    """Whether the template has words of its own (not only fields and punctuation, which need no translation)."""
    return bool(re.search(r"[A-Za-z]", re.sub(r"\{[^{}]*\}", "", template)))


TEMPLATES = _message_templates()


def test_the_scan_finds_the_templates_of_the_shared_readers_and_of_the_run():
    """The scan reads literals and constants alike (else the test below would pass on nothing)."""
    for template in (
        "{file}, row {row}, column '{column}'",  # a constant of sources.errors, used there
        "the database connection was lost or gave up while loading (load the file again)",  # an imported one
        "expected {expected}, got {got}{hint}",  # a literal's constant in chunk
        "the file is empty",  # a literal
    ):
        assert template in TEMPLATES
    assert len(TEMPLATES) > 80


def test_every_message_template_has_a_french_entry_with_the_same_fields():
    with translation.override("fr"):
        french = {t: translation.gettext(t) for t in TEMPLATES}
    untranslated = sorted(f"{TEMPLATES[t]}: {t}" for t, fr in french.items() if fr == t and _has_words(t))
    assert untranslated == []
    # A French entry that drops or renames a field would fall back to English on the page: refused here.
    renamed = sorted(f"{TEMPLATES[t]}: {t}" for t, fr in french.items() if _fields(fr) != _fields(t))
    assert renamed == []


@pytest.fixture
def upload(django_capture_on_commit_callbacks, client_for, org_a):
    """upload(content, name, source) -> (client, response) after the run the upload queued has run."""
    client = client_for(org_a["users"][Role.OFFICER])

    def post(content: bytes, name: str, source: str = "generic_csv"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("connectors:runs", args=["org-a"]),
                {"source": source, "file": SimpleUploadedFile(name, content, content_type="text/csv")},
            )
        return client, response

    return post


def _page(client, run: IngestionRun, language: str) -> str:
    url = reverse("connectors:run", args=["org-a", run.pk])
    return html.unescape(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())


BAD_FILES = [
    pytest.param(
        HEADER + b"2025-03-01,openai,gpt-4o,1,100,abc,,,FR,0,EUR\n",
        "bad.csv",
        "generic_csv",
        "bad.csv, row 2, column 'output_tokens': expected a whole number >= 0, got 'abc'",
        "bad.csv, ligne 2, colonne « output_tokens » : attendu : un nombre entier >= 0, reçu : 'abc'",
        id="a bad number",
    ),
    pytest.param(
        HEADER.replace(b"output_tokens,", b"") + b"2025-03-01,openai,gpt-4o,1,100,,,FR,0,EUR\n",
        "bad.csv",
        "generic_csv",
        "bad.csv, row 1: missing expected column(s) 'output_tokens'.",
        "bad.csv, ligne 1 : colonne(s) attendue(s) absente(s) : 'output_tokens'.",
        id="a missing column",
    ),
    pytest.param(
        HEADER + b"2025-03-01,openai,gpt-4o,1,100,10,Ren\xe9,,FR,0,EUR\n",
        "bad.csv",
        "generic_csv",
        "bad.csv, row 2: the file is not valid UTF-8 (byte 0xe9); it looks like Latin-1/Windows-1252 or another "
        "code page. Save it as UTF-8 ('CSV UTF-8' in Excel) and upload it again",
        "bad.csv, ligne 2 : le fichier n'est pas de l'UTF-8 valide (octet 0xe9) ; il semble en Latin-1/Windows-1252 "
        "ou dans une autre page de code. Enregistrez-le en UTF-8 (« CSV UTF-8 » dans Excel) et téléversez-le à "
        "nouveau",
        id="not UTF-8",
    ),
    pytest.param(
        b'[{"object": "page", "data": [{"object": "bucket"',
        "bad.json",
        "openai_usage",
        "bad.json: the JSON ends early at character 48 (line 1) inside [0]; the file looks truncated",
        "bad.json : le JSON s'arrête trop tôt au caractère 48 (ligne 1) dans [0] ; le fichier semble tronqué",
        id="a truncated JSON",
    ),
    pytest.param(
        b'{"object": "page", "data": [1, 2,, 3]}',
        "bad.json",
        "openai_usage",
        "bad.json: invalid JSON at character 33 (line 1): Expecting value",
        "bad.json : JSON non valide au caractère 33 (ligne 1) : valeur attendue",
        id="a bad JSON",
    ),
]


@pytest.mark.parametrize(("content", "name", "source", "english", "french"), BAD_FILES)
def test_a_bad_file_s_error_reads_in_french_on_the_french_run_page(upload, content, name, source, english, french):
    client, _ = upload(content, name, source)
    run = IngestionRun.objects.get()
    assert run.status == RunStatus.FAILED
    (error,) = run.errors
    assert error["message"] == english  # stored in English, as the API and the CLI read it
    assert english in _page(client, run, "en")
    page = _page(client, run, "fr")
    assert french in page and english not in page
    status = client.get(reverse("connectors:run_status", args=["org-a", run.pk]), HTTP_ACCEPT_LANGUAGE="fr").json()
    assert status["errors"] == run.errors and status["error_messages"] == [french]


def test_an_old_run_s_error_without_a_template_reads_as_stored(upload):
    client, _ = upload(HEADER + b"2025-03-01,openai,gpt-4o,1,100,abc,,,FR,0,EUR\n", "bad.csv")
    run = IngestionRun.objects.get()
    old = "bad.csv, row 2, column 'output_tokens': expected a whole number >= 0, got 'abc'"
    run.errors = [{"row": 2, "column": "output_tokens", "message": old}]  # as runs before issue 20 stored it
    run.save(update_fields=["errors"])
    assert old in _page(client, run, "fr")


def test_a_refused_upload_says_so_in_french_on_the_french_upload_page(client_for, org_a):
    client = client_for(org_a["users"][Role.OFFICER])
    response = client.post(
        reverse("connectors:runs", args=["org-a"]),
        {"source": "generic_csv", "file": SimpleUploadedFile("empty.csv", b"", content_type="text/csv")},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200 and not IngestionRun.objects.exists()
    assert "empty.csv : le fichier est vide ; rien n'a été enregistré." in html.unescape(response.content.decode())


def test_the_already_loaded_warning_reads_in_french(upload):
    content = HEADER + b"2025-03-01,openai,gpt-4o,1,100,10,,,FR,0,EUR\n"
    upload(content, "good.csv")
    client, _ = upload(content, "good.csv")
    first, again = IngestionRun.objects.order_by("pk")
    assert again.warnings == [f"good.csv was already loaded by run {first.pk}; nothing new was stored."]
    assert f"good.csv a déjà été chargé par l'exécution {first.pk} ; rien de nouveau n'a été enregistré." in _page(
        client, again, "fr"
    )


def test_a_row_warning_is_stored_with_its_template_and_reads_in_french(upload):
    # gpt-4o's architecture is not released (ecologits gives a parameter range): the run carries that warning.
    client, _ = upload(HEADER + b"2025-03-01,openai,gpt-4o,1,100,10,,,FR,0,EUR\n", "fr.csv")
    run = IngestionRun.objects.get()
    english = "gpt-4o: architecture not released, parameter range from ecologits"
    french = "gpt-4o : architecture non publiée, fourchette de paramètres issue d'EcoLogits"
    assert run.warnings and all(isinstance(w, dict) and "template" in w for w in run.warnings)  # Message dicts
    assert english in _page(client, run, "en")
    page = _page(client, run, "fr")
    assert french in page and english not in page
    # An older run's warning, stored as English text, is translated part by part too.
    run.warnings = [english]
    run.save(update_fields=["warnings"])
    assert french in _page(client, run, "fr")
