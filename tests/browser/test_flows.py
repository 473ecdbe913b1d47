"""The product in a real browser (Playwright on Debian's Chromium): log in, upload and watch the run finish,
read the dashboard's charts and totals, switch to French, drill down to the run, download the PDF.

Skipped when Chromium or the playwright package is missing. Screenshots go to screenshots/ (gitignored)."""

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Sum
from django.utils import translation

from apps.accounts.models import Role
from apps.connectors import dispatch
from apps.disclosures import services
from apps.footprint.models import UsageRecord
from apps.web.templatetags.ledger import figure

from ..conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
CSV = (
    "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
    "2025-03-01,openai,gpt-4o,120,150000,60000,dev@org-a.example,,FR,12.50,EUR\n"
    "2025-04-01,mistral,mistral-small-latest,80,40000,20000,dev@org-a.example,,FR,1.20,EUR\n"
)


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls in these tests are still synchronous.
    # Set for this module only: left behind, it would fail `check --deploy` in later tests.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_api.sync_playwright() as p:
            chromium = p.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                    "--disable-sync",
                ],
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, org_a, tmp_path):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # Chromium reports what the Content-Security-Policy blocked on the console: nothing may be.
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(f"{page.url}: {message.text[:60]}") if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", org_a["users"][Role.OFFICER].email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/o/org-a/")
    SCREENSHOTS.mkdir(exist_ok=True)
    yield page
    context.close()
    assert blocked == []


def test_upload_dashboard_french_drill_down_and_pdf(page, live_server, org_a, tmp_path, settings, monkeypatch):
    # As on the embedded default: the run, the sign-off and the exports go to the thread pool, after the answer.
    settings.TASK_POOL_WORKERS = 2
    monkeypatch.setattr(dispatch, "_pool", None)
    # Upload a file and watch its run reach 100 %.
    upload = tmp_path / "usage.csv"
    upload.write_text(CSV)
    page.goto(f"{live_server.url}/o/org-a/runs/")
    page.select_option("#id_source", "generic_csv")
    page.set_input_files("#id_file", str(upload))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#run-status.status-succeeded", timeout=60_000)
    assert page.eval_on_selector("#run-progress", "el => el.value") == 100
    assert "usage.csv" in page.inner_text("h1")

    # The dashboard's totals equal the stored records, and its charts are drawn.
    period = services.create_period(org_a["org"], None, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    page.goto(f"{live_server.url}/o/org-a/")
    energy = UsageRecord.objects.for_org(org_a["org"]).aggregate(kwh=Sum("energy_kwh"))["kwh"]
    with translation.override("en"):  # the page is in English here, whatever an earlier test activated
        assert page.inner_text("#total-energy").strip() == figure(energy)
    if page.locator("canvas#chart-by_month").count():
        page.wait_for_function("() => window.Chart && Chart.getChart('chart-by_month')")
        assert page.evaluate("() => Chart.getChart('chart-by_provider').data.labels.length") == 2
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    # Switch to French: the same page, in French.
    with page.expect_navigation():  # the form submits on change; wait for the French page, not the old one
        page.select_option("#language", "fr")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "fr"
    assert "Tableau de bord" in page.inner_text("header nav")
    page.screenshot(path=str(SCREENSHOTS / "dashboard-fr.png"), full_page=True)
    with page.expect_navigation():
        page.select_option("#language", "en")
    page.wait_for_load_state("networkidle")

    # Drill down from a total to the records, then to the run and its file.
    page.click("#total-energy")
    page.click("table a[href*='/runs/']")
    page.wait_for_selector("#run-status")
    sha = UsageRecord.objects.for_org(org_a["org"]).first().run.source_file.sha256
    assert sha in page.content()

    # Sign off: the page answers with the period signing off, polls, and shows the exports once rendered.
    # Four eyes: the period goes to review, the confirmation page names what will lock (org-a allows a single
    # signer); the French grid factors are still to verify, so the sign-off records an exception.
    page.goto(f"{live_server.url}/o/org-a/periods/{period.pk}/")
    page.click("form[action$='/review/'] button[type=submit]")
    page.click("a[href$='/sign-off/']")
    page.wait_for_selector("#what-locks")
    if page.locator("#unverified-factors").count():
        page.check("#id_accept_unverified")
        page.fill("#id_comment", "Residual mix awaiting AIB's edition; accepted for the browser test")
    page.click("form[action$='/sign-off/'] button[type=submit]")
    page.wait_for_selector("#export-pdf[data-state=ready] a[href$='/export/pdf/']", timeout=120_000)
    assert "Signed off" in page.inner_text("main")
    page.screenshot(path=str(SCREENSHOTS / "period-signed-off.png"), full_page=True)
    dispatch.wait_for_pool(timeout=120)
    # Download the disclosure's PDF.
    with page.expect_download() as download_info:
        page.click("a[href$='/export/pdf/']")
    pdf = Path(download_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


def test_swagger_ui_and_the_admin_draw_under_the_content_security_policy(page, live_server):
    # The page fixture fails the test on anything the policy blocked; these pages come from packages.
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=60_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.wait_for_selector("#login-form")
    page.goto(f"{live_server.url}/password-reset/")
    page.wait_for_selector("#id_email")
