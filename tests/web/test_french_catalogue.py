"""Every literal string a template or the code marks for translation has an entry in the French catalogue, so a
branch that adds an English string without its French fails here, before the browser suite's word-list check
(tests/browser/test_every_page.py). Read with a regular expression: `{% translate "…" %}`, one-line
`{% blocktranslate %}…{% endblocktranslate %}` without a plural (`{{ x }}` becomes `%(x)s` and `%` `%%`, as
makemessages writes them) and `_("…")` / `gettext_lazy("…")` on one line. Needs the compiled .mo, as every French page does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils.translation import trans_real

ROOT = Path(__file__).resolve().parents[2]
TRANSLATE = re.compile(r"""{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')""")
BLOCK = re.compile(r"{%\s*blocktranslate(?P<args>[^%]*)%}(?P<body>.*?){%\s*endblocktranslate\s*%}")
VARIABLE = re.compile(r"{{\s*(\w+)\s*}}")
GETTEXT = re.compile(r"""(?<![\w.])(?:_|gettext|gettext_lazy|pgettext)\(\s*"((?:[^"\\]|\\.)+)"\s*\)""")


def _template_strings(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = [a or b for a, b in TRANSLATE.findall(text)]
    for block in BLOCK.finditer(text):
        if "count" in block["args"] or "{%" in block["body"] or "trimmed" in block["args"]:
            continue  # plurals and nested tags: makemessages' own rules, not reproduced here
        found.append(VARIABLE.sub(r"%(\1)s", block["body"].replace("%", "%%")))  # a literal % is written %%
    return found


def _code_strings(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [bytes(s, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8") for s in GETTEXT.findall(text)]


def _sources():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        yield path, _template_strings(path)
    for path in sorted((ROOT / "apps").rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, _code_strings(path)


def test_every_marked_string_has_a_french_entry():
    catalogue = set(trans_real.translation("fr")._catalog.keys())
    assert len(catalogue) > 500  # the .mo was compiled and read
    missing = sorted(
        {
            f"{path.relative_to(ROOT)}: {text}"
            for path, texts in _sources()
            for text in texts
            if text and text not in catalogue
        }
    )
    assert missing == []


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ('{% translate "Oldest" %}', ["Oldest"]),
        ("{% blocktranslate with id=r.pk %}run {{ id }}{% endblocktranslate %}", ["run %(id)s"]),
    ],
)
def test_the_reader_finds_what_makemessages_finds(tmp_path, snippet, expected):
    page = tmp_path / "page.html"
    page.write_text(snippet, encoding="utf-8")
    assert _template_strings(page) == expected


def test_the_strings_found_include_form_labels_and_one_line_blocks():
    found = {text for _path, texts in _sources() for text in texts}
    assert {"Legal name", "Search by e-mail, user name or role", "Go to day"} <= found
    assert "Sign off %(p)s?" in found and "run %(id)s" in found
    assert len(found) > 600
