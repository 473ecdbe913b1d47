"""Every page as the officer, the IT director and the auditor see it, in English and French, at 1,280 px, in
Debian's Chromium (issue 20, "what it must show"): no page wider than the viewport, no number with an exponent,
no English sentence left on a French page (a word-list check), a first screen with non-zero totals on the demo,
a sign-off that answers in under 3 s with the embedded default (thread pool, no broker), and an estimator whose
figure is the command line's. A screenshot of every page goes to screenshots/pages/ (gitignored), the artefacts.

Skipped when Chromium or the playwright package is missing. Text quoted from English-language sources (a
study's title, a factor's provenance) carries lang="en" and is not French to check."""

import datetime as dt
import io
import json
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from apps.accounts.models import Role
from apps.connectors import dispatch
from apps.disclosures import services
from apps.web.templatetags.ledger import energy

from .test_flows import CHROMIUM, browser  # noqa: F401  (the module's Chromium, shared)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]
SHOTS = Path(settings.BASE_DIR) / "screenshots" / "pages"
PASSWORD = "demo-password-for-tests"
YEAR = 2025
PAGES = [
    "",
    "records/",
    "estimate/?provider=openai&model=gpt-4o&output_tokens=400&input_tokens=1000&zone=FR",
    "teams/",
    "people/",
    "members/",
    "organisation/",
    "runs/",
    "mappings/",
    "credentials/",
    "periods/",
    "audit-log/",
    "factors/",
    "instruments/",
    "costs/",
    "costs/seats/",
    "costs/roi/",
    "costs/right-sizing/",
    "costs/rebound/",
    "costs/frugality/",
    "costs/prices/",
]
ROLES = {Role.OFFICER: "officer", Role.IT_DIRECTOR: "it", Role.AUDITOR: "auditor"}
# A number written with an exponent, in the text a person reads.
EXPONENT = re.compile(r"\de-0\d|\de\+\d")
WORD_LIST_CHECK = "\n".join(  # the function alone: Playwright calls a string that starts as a function
    line
    for line in (Path(__file__).parent / "english_sentences.js").read_text().splitlines()
    if not line.startswith("//")
)


@pytest.fixture
def demo(tmp_path):
    """The demo organisation, its people and a small share of its year, committed for the live server."""
    from apps.accounts.demo import DEMO_USERS, seed_demo_accounts
    from apps.demo import loader
    from apps.demo.costs import seed_demo_costs

    old = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = tmp_path
    org, _ = seed_demo_accounts(password=PASSWORD)
    loader.seed_demo_people(org, n=200)
    loader.load_demo_usage(org, scale=0.01, year=YEAR)
    seed_demo_costs(org)
    period = services.create_period(org, None, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    yield {"org": org, "period": period, "emails": {role: email for role, email in DEMO_USERS.items()}}
    settings.MEDIA_ROOT = old


def log_in(browser, live_server, email, language):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/o/demo/")
    return context, page


def visit(page, url: str, shot: Path) -> list[str]:
    """Load a page, keep its screenshot, and return what is wrong with it."""
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shot), full_page=True)
    problems = []
    if response.status != 200:
        problems.append(f"HTTP {response.status}")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 1280:
        problems.append(f"{width} px wide")
    visible = page.inner_text("body")
    for match in sorted(set(EXPONENT.findall(visible)))[:3]:
        problems.append(f"exponent {match!r}")
    if page.get_attribute("html", "lang") == "fr":
        for sentence in page.evaluate(WORD_LIST_CHECK)[:3]:
            problems.append(f"English on a French page: {sentence!r}")
    return problems


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_in_english_and_french_at_1280_px(browser, live_server, demo, role):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = [*PAGES, f"periods/{demo['period'].pk}/"]
    problems = []
    for language in ("en", "fr"):
        context, page = log_in(browser, live_server, demo["emails"][role], language)
        # The first screen of the demo shows its year, not an empty current year.
        assert page.inner_text("#total-energy").strip() not in ("0", "—", "")
        assert page.inner_text("#total-co2e-location").strip() not in ("0", "—", "")
        for path in pages:
            name = f"{language}-{ROLES[role]}-{path.split('?')[0].strip('/').replace('/', '_') or 'dashboard'}.png"
            for problem in visit(page, f"{live_server.url}/o/demo/{path}", SHOTS / name):
                problems.append(f"{language} {ROLES[role]} /o/demo/{path}: {problem}")
        context.close()
    assert not problems, "\n".join(problems)


def test_the_estimator_shows_the_command_lines_figure(browser, live_server, demo):  # noqa: F811
    context, page = log_in(browser, live_server, demo["emails"][Role.AUDITOR], "en")
    page.goto(f"{live_server.url}/o/demo/estimate/")
    page.fill("#id_provider", "anthropic")
    page.fill("#id_model", "claude-sonnet-4-5")
    page.fill("#id_output_tokens", "750")
    page.fill("#id_input_tokens", "2000")
    page.fill("#id_zone", "DE")
    page.click("#estimate-form button[type=submit]")
    page.wait_for_selector("#estimate-result")
    out = io.StringIO()
    call_command(
        "estimate",
        *("--provider", "anthropic", "--model", "claude-sonnet-4-5", "--output-tokens", "750"),
        *("--input-tokens", "2000", "--zone", "DE", "--json"),
        stdout=out,
    )
    cli = json.loads(out.getvalue())
    with translation.override("en"):
        assert page.inner_text("#row-energy_kwh td.figure").strip() == energy(cli["energy_kwh"]).strip()
    assert float(page.get_attribute("#row-energy_kwh", "data-value")) == cli["energy_kwh"]
    assert float(page.get_attribute("#row-co2e_kg", "data-value")) == cli["co2e_kg"]
    # The query string is the form: the result can be linked.
    assert "model=claude-sonnet-4-5" in page.url and "zone=DE" in page.url
    page.screenshot(path=str(SHOTS / "estimator-linked.png"), full_page=True)
    context.close()


def test_sign_off_answers_in_under_3_s_in_the_embedded_default(browser, live_server, demo, settings, monkeypatch):  # noqa: F811
    # The embedded default: no broker, the thread pool runs the sign-off and the exports after the answer.
    settings.TASK_POOL_WORKERS = 2
    monkeypatch.setattr(dispatch, "_pool", None)
    period = demo["period"]
    context, page = log_in(browser, live_server, demo["emails"][Role.OFFICER], "en")
    page.goto(f"{live_server.url}/o/demo/periods/{period.pk}/")
    page.click("form[action$='/review/'] button[type=submit]")
    # The demo allows no single signer: the admin signs what the officer submitted.
    context.close()
    context, page = log_in(browser, live_server, "admin@demo.example", "en")
    page.goto(f"{live_server.url}/o/demo/periods/{period.pk}/sign-off/")
    page.wait_for_selector("#what-locks")
    if page.locator("#unverified-factors").count():
        page.check("#id_accept_unverified")
        page.fill("#id_comment", "Residual mixes awaiting AIB's edition; accepted for the browser test")
    started = time.perf_counter()
    page.click("form[action$='/sign-off/'] button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    answered_s = time.perf_counter() - started
    assert answered_s < 3.0, f"sign-off answered in {answered_s:.2f} s"
    page.screenshot(path=str(SHOTS / "sign-off-answer.png"), full_page=True)
    dispatch.wait_for_pool(timeout=300)  # the exports finish before the database is flushed
    context.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_records_co2e_columns_fit_1280_px_and_the_hash_copies(browser, live_server, demo, language):  # noqa: F811
    context, page = log_in(browser, live_server, demo["emails"][Role.AUDITOR], language)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/o/demo/records/")
    page.wait_for_load_state("networkidle")
    # No sideways scroll inside the table's box, and the CO2e headers end inside the viewport.
    box = page.evaluate(
        "(() => { const s = document.querySelector('.scroll'); return [s.scrollWidth, s.clientWidth]; })()"
    )
    widths = page.evaluate("[...document.querySelectorAll('table.records th')].map(h => Math.round(h.offsetWidth))")
    assert box[0] <= box[1], f"the records table scrolls sideways: {box[0]} px in {box[1]} px, columns {widths}"
    for header in page.locator("table.records th.num").all():
        right = header.evaluate("h => h.getBoundingClientRect().right")
        assert right <= 1280, (header.inner_text(), right)
    rows = page.locator("table.records tbody tr")
    assert rows.count() == 50
    first = rows.first
    sha = first.locator("code.sha").get_attribute("title")
    assert len(sha) == 64 and first.locator("code.sha").inner_text() == sha[:12] + "…"
    first.locator("button.copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == sha
    page.screenshot(path=str(SHOTS / f"{language}-records-at-1280.png"), full_page=False)
    context.close()
