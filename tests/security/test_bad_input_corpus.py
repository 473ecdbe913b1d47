"""The bad-input corpus (issue 8) through the real upload path, and names that are formulas or HTML.

Every malformed input of tests/security/corpus.py goes through the ingestion service (store_upload, create_run,
execute_run) and through the upload page over HTTP: the run fails with an error naming the file, the row or JSON
path and the column, saying what was expected; the run's page shows it (no server error); nothing is stored.

Decisions the corpus relies on, tested here too:
* a UTF-8 byte-order mark is read as if absent; UTF-16 with its byte-order mark is transcoded (same totals);
  UTF-16 without one is refused. A semicolon-separated file is read (same totals); with decimal commas it is
  refused at the first such number.
* a day before 2000 or after tomorrow (UTC) is refused as a typo in the year; a plausible day outside every
  reporting period is stored (the period may be created later); a day inside a signed-off period is refused.
* a duplicated row: bill lines and requests (generic CSV, Azure, GCP, LiteLLM) are summed by natural key into one
  record, as the file says; a repeated seat, Microsoft 365 user or CodeCarbon run counts once; a repeated usage
  bucket (OpenAI, Anthropic) or metrics day (Copilot) is refused, because the API never sends one twice.
* compressed files (a zip or gzip bomb) are refused from their first bytes, never decompressed.
"""

import csv
import datetime as dt
import gzip
import io
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse
from django.utils.html import escape

from apps.accounts.models import Membership, Role
from apps.accounts.services import create_team, save_person
from apps.connectors.errors import IngestionRefused
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.mapping import save_mapping
from apps.connectors.models import IdentityKind, IngestionRun, RunStatus, SourceFile
from apps.connectors.storage import store_upload, stored_file_path
from apps.disclosures import services as disclosures
from apps.footprint.models import UsageRecord

from . import corpus
from .corpus import CASES, FORMULAS, IMG, SCRIPT

pytestmark = pytest.mark.django_db

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
AMOUNTS = (
    "requests",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "active_user_days",
    "measured_energy_kwh",
    "cost",
)


@pytest.fixture
def never_decompress(monkeypatch):
    """Fail the test if anything decompresses: archives must be refused from their first bytes."""

    def refuse(*args, **kwargs):
        raise AssertionError("an uploaded archive was decompressed")

    small_decompress = zlib.decompress

    def decompress(data, *args, **kwargs):
        # Signed session cookies are zlib-compressed: small data is theirs, the archives are megabytes.
        if len(data) > 100_000:
            refuse()
        return small_decompress(data, *args, **kwargs)

    monkeypatch.setattr(zlib, "decompress", decompress)
    for module, name in ((zlib, "decompressobj"), (gzip, "decompress"), (gzip, "GzipFile"), (zipfile, "ZipFile")):
        monkeypatch.setattr(module, name, refuse)


def where(case: corpus.BadInput) -> str:
    """How the message must start: the file, then the row (CSV) or JSON path and the column, where they apply."""
    if isinstance(case.row, str):
        path = ".".join(p for p in (case.row, case.column) if p)
        return f"{case.filename}, at {path or 'the top level'}: "
    parts = [case.filename]
    if case.row is not None:
        parts.append(f"row {case.row}")
    if case.column:
        parts.append(f"column '{case.column}'")
    return ", ".join(parts) + ": "


def org_totals(org) -> dict:
    sums = UsageRecord.objects.for_org(org).aggregate(**{name: Sum(name) for name in AMOUNTS})
    sums = {name: round(float(value or 0), 6) for name, value in sums.items()}  # cost is a Decimal sum
    return {**sums, "records": UsageRecord.objects.for_org(org).count()}


def org_keys(org) -> list[tuple]:
    """Who and what each stored record is about: day, model, user, team, project, zone."""
    return sorted(
        UsageRecord.objects.for_org(org).values_list("day", "model", "person_ref", "team_ref", "project", "zone")
    )


def load(org, data: bytes, filename: str, source: str, user=None) -> IngestionRun:
    return execute_run(create_run(org, source, store_upload(org, io.BytesIO(data), filename, user=user), user).pk)


def post_upload(client, capture, org, data: bytes, filename: str, source: str):
    """Post the upload form; the ingestion task queued on commit runs in-process, as a worker would."""
    with capture(execute=True):
        return client.post(
            reverse("connectors:runs", args=[org.slug]), {"source": source, "file": SimpleUploadedFile(filename, data)}
        )


def _prepare(case, settings, request):
    if case.max_upload_mb:
        settings.MAX_UPLOAD_MB = case.max_upload_mb
    if case.archive:
        request.getfixturevalue("never_decompress")
    return case.build()


def test_the_corpus_covers_every_source_with_at_least_fifty_inputs():
    from apps.connectors.sources import SOURCES

    counts = corpus.by_source()
    assert set(counts) == set(SOURCES)
    assert min(counts.values()) >= 5 and len(CASES) >= 50
    assert len({case.id for case in CASES}) == len(CASES)


# ------------------------------------------------------------------------------------------- the refusals


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_fails_through_the_service_and_stores_nothing(case, org_a, settings, request):
    org, officer = org_a["org"], org_a["users"][Role.OFFICER]
    data = _prepare(case, settings, request)
    if case.at_upload:
        with pytest.raises(IngestionRefused) as refused:
            store_upload(org, io.BytesIO(data), case.filename, user=officer)
        message = str(refused.value)
        assert message.startswith(f"{case.filename}: ")
        assert SourceFile.objects.count() == 0 and IngestionRun.objects.count() == 0
    else:
        run = load(org, data, case.filename, case.source, officer)
        assert run.status == RunStatus.FAILED
        assert run.records_stored == 0 and run.finished_at is not None
        [error] = run.errors
        assert (error["row"], error["column"]) == (case.row, case.column)
        message = error["message"]
        assert message.startswith(where(case)), message
    for expected in case.expect:
        assert expected in message, message
    assert UsageRecord.objects.for_org(org).count() == 0


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_fails_on_the_upload_page_with_the_error_shown(
    case, org_a, client_for, settings, request, django_capture_on_commit_callbacks
):
    org = org_a["org"]
    client = client_for(org_a["users"][Role.OFFICER])
    data = _prepare(case, settings, request)
    response = post_upload(client, django_capture_on_commit_callbacks, org, data, case.filename, case.source)
    if case.at_upload:
        assert response.status_code == 200  # the form again, with the refusal next to the file field
        page = response.content.decode()
        assert escape(f"{case.filename}: ") in page
        assert IngestionRun.objects.count() == 0
    else:
        assert response.status_code == 302
        run = IngestionRun.objects.get()
        assert response["Location"] == reverse("connectors:run", args=[org.slug, run.pk])
        assert run.status == RunStatus.FAILED
        shown = client.get(response["Location"])
        assert shown.status_code == 200
        page = shown.content.decode()
        assert escape(run.errors[0]["message"]) in page and escape(where(case)) in page
        assert "Nothing from this file was stored." in page
        status = client.get(reverse("connectors:run_status", args=[org.slug, run.pk])).json()
        assert (status["status"], status["finished"], status["records_stored"]) == ("failed", True, 0)
    for expected in case.expect:
        assert escape(expected) in page
    assert UsageRecord.objects.for_org(org).count() == 0


# ------------------------------------------------------------------------------------ what is accepted


def _variants():
    paths = [*corpus.FIXTURE.values(), corpus.M365_JSON, corpus.LITELLM_JSON]
    source_of = {path: key for key, path in corpus.FIXTURE.items()}
    source_of.update({corpus.M365_JSON: "m365_copilot_usage", corpus.LITELLM_JSON: "litellm_spend_logs"})
    out = []
    for path in paths:
        out.append(pytest.param(source_of[path], path, "utf8-bom", id=f"{path}-utf8-bom"))
        out.append(pytest.param(source_of[path], path, "utf16-bom", id=f"{path}-utf16-bom"))
        if path.endswith(".csv"):
            out.append(pytest.param(source_of[path], path, "semicolons", id=f"{path}-semicolons"))
    return out


@pytest.mark.parametrize(("source", "path", "variant"), _variants())
def test_byte_order_marks_and_semicolons_give_the_same_totals(org_a, source, path, variant):
    org = org_a["org"]
    plain = corpus.fixture(path).removeprefix(b"\xef\xbb\xbf")
    first = load(org, plain, "plain." + path.rsplit(".", 1)[1], source)
    assert first.status == RunStatus.SUCCEEDED, first.errors
    expected, keys = org_totals(org), org_keys(org)
    # Seat rows carry no amounts (a seat is a licence, not activity); every other fixture has some.
    assert expected["records"] > 0 and (source == "github_copilot_seats" or any(expected[n] for n in AMOUNTS))
    data = {"utf8-bom": corpus.utf8_bom, "utf16-bom": corpus.utf16_with_bom}.get(variant)
    data = data(plain) if data else corpus.csv_bytes(*corpus.csv_table(plain), delimiter=";")
    assert data != plain
    second = load(org, data, f"{variant}." + path.rsplit(".", 1)[1], source)
    assert second.status == RunStatus.SUCCEEDED, second.errors
    assert second.duplicate_of is None  # other bytes: read again, and it replaced the same natural keys
    assert org_totals(org) == expected and org_keys(org) == keys
    for name in ("rows_read", "records_stored", "requests", "input_tokens", "cached_input_tokens", "output_tokens"):
        assert getattr(second, name) == getattr(first, name), name
    assert second.energy_kwh == pytest.approx(first.energy_kwh)


# Each source's fixture with one row repeated, and what that repeat adds to the totals (read off the fixture).
DUPLICATES = [
    # generic CSV: a line is an amount of usage; the repeat adds row 4's 100 requests, 50,000 in, 20,000 out
    (
        "generic_csv",
        lambda: corpus.keep_rows("generic_csv", 2, 3, 4, 4),
        {"requests": 100, "input_tokens": 50_000, "output_tokens": 20_000},
    ),
    # Azure bill: row 2 is gpt-4o input, 864 x 1K tokens, 2.16 EUR
    (
        "azure_openai_cost",
        lambda: corpus.keep_rows("azure_openai_cost", 2, 2, 3, 4, 5, 6, 7),
        {"input_tokens": 864_000, "cost": 2.16},
    ),
    # GCP bill: row 2 is Gemini 2.5 Flash input, 1,000,000 tokens, 0.30 EUR
    (
        "gcp_billing_export",
        lambda: corpus.keep_rows("gcp_billing_export", 2, 2, 3, 4, 5, 6),
        {"input_tokens": 1_000_000, "cost": 0.30},
    ),
    # LiteLLM: row 7 is one embedding request of 800 prompt tokens, spend 0.000016 USD
    (
        "litellm_spend_logs",
        lambda: corpus.keep_rows("litellm_spend_logs", 2, 3, 4, 5, 6, 7, 7),
        {"requests": 1, "input_tokens": 800, "cost": 0.000016},
    ),
    # the same seat, the same Microsoft 365 user, the same CodeCarbon run twice: counted once
    ("github_copilot_seats", lambda: corpus.json_edit(corpus.SEATS, lambda d: d["seats"].append(d["seats"][0])), {}),
    ("m365_copilot_usage", lambda: corpus.keep_rows("m365_copilot_usage", 2, 3, 3, 4, 5), {}),
    ("codecarbon_emissions", lambda: corpus.keep_rows("codecarbon_emissions", 2, 3, 4, 4), {}),
]


@pytest.mark.parametrize(("source", "build", "added"), DUPLICATES, ids=[d[0] for d in DUPLICATES])
def test_a_duplicated_row_is_summed_by_natural_key_or_counted_once(org_a, source, build, added):
    org = org_a["org"]
    assert load(org, corpus.source_fixture(source), "plain", source).status == RunStatus.SUCCEEDED
    before = org_totals(org)
    run = load(org, build(), "with-a-repeat", source)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    after = org_totals(org)
    assert after["records"] == before["records"]  # the repeat joined its natural key: no extra record
    for name in AMOUNTS:
        assert after[name] == pytest.approx(before[name] + added.get(name, 0)), name


def test_a_day_outside_every_reporting_period_is_stored(org_a):
    org, officer = org_a["org"], org_a["users"][Role.OFFICER]
    disclosures.create_period(org, officer, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    run = load(org, corpus.set_cell("generic_csv", 4, "date", "2019-06-30"), "old.csv", "generic_csv")
    assert run.status == RunStatus.SUCCEEDED, run.errors
    days = sorted(set(UsageRecord.objects.for_org(org).values_list("day", flat=True)))
    assert days == [dt.date(2019, 6, 30), dt.date(2025, 4, 1)]
    assert UsageRecord.objects.for_org(org).get(day=dt.date(2019, 6, 30)).output_tokens == 20_000


def test_a_day_inside_a_signed_off_period_is_refused_on_the_page(org_a, client_for, django_capture_on_commit_callbacks):
    org, officer = org_a["org"], org_a["users"][Role.OFFICER]
    period = disclosures.create_period(org, officer, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    disclosures.sign_off(period, Membership.objects.get(organisation=org, user=officer))
    client = client_for(officer)
    response = post_upload(
        client, django_capture_on_commit_callbacks, org, corpus.source_fixture("generic_csv"), "late.csv", "generic_csv"
    )
    run = IngestionRun.objects.get()
    assert response.status_code == 302 and run.status == RunStatus.FAILED
    message = run.errors[0]["message"]
    assert message.startswith(
        "late.csv: The reporting period 2025-01-01 – 2025-12-31 is signed off: records for 2025-04-01 cannot be added"
    )
    assert escape(message) in client.get(response["Location"]).content.decode()
    assert UsageRecord.objects.for_org(org).count() == 0


def test_tomorrow_is_accepted_but_not_the_day_after(org_a):
    org = org_a["org"]
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    ok = load(org, corpus.set_cell("generic_csv", 4, "date", f"{tomorrow}"), "tz.csv", "generic_csv")
    assert ok.status == RunStatus.SUCCEEDED, ok.errors
    later = tomorrow + dt.timedelta(days=1)
    refused = load(org, corpus.set_cell("generic_csv", 4, "date", f"{later}"), "later.csv", "generic_csv")
    assert refused.status == RunStatus.FAILED
    assert refused.errors[0]["message"].startswith(
        f"later.csv, row 4, column 'date': expected a date no later "
        f"than today ({tomorrow - dt.timedelta(days=1)}), got '{later}'"
    )


# ------------------------------------------------------------------------------- formulas and HTML in names

PAGES = [
    ("web:org_home", ()),
    ("web:records", ()),
    ("connectors:runs", ()),
    ("connectors:mappings", ()),
    ("accounts:people", ()),
    ("accounts:teams", ()),
    ("costs:overview", ()),
    ("costs:seats", ()),
    ("costs:roi", ()),
    ("costs:right_sizing", ()),
    ("costs:rebound", ()),
    ("disclosures:periods", ()),
    ("disclosures:audit_log", ()),
]
INJECTION_FILENAME = '@SUM(1+1)"><img src=x onerror=alert(1)>.csv'


@pytest.fixture
def injected(org_a, client_for, django_capture_on_commit_callbacks):
    """Usage whose names are formulas and HTML, loaded through the page, with a team, a person and a mapping
    named the same way, and a draft period over it."""
    org, officer = org_a["org"], org_a["users"][Role.OFFICER]
    script_team = create_team(org, SCRIPT)
    create_team(org, FORMULAS[0])
    save_person(org, "mallory@org-a.example", f"{FORMULAS[0]} {IMG}", script_team)
    client = client_for(officer)
    response = post_upload(
        client, django_capture_on_commit_callbacks, org, corpus.injection_csv(), INJECTION_FILENAME, "generic_csv"
    )
    run = IngestionRun.objects.get()
    assert response.status_code == 302 and run.status == RunStatus.SUCCEEDED, run.errors
    assert run.source_file.filename == INJECTION_FILENAME  # the name itself got through, as the attack needs
    save_mapping(org, officer, IdentityKind.API_KEY, FORMULAS[3], team=script_team)
    period = disclosures.create_period(org, officer, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    return {"org": org, "client": client, "run": run, "period": period, "officer": officer}


def test_names_with_formulas_and_html_are_stored_as_given(injected):
    org = injected["org"]
    records = UsageRecord.objects.for_org(org)
    assert records.count() == 4
    assert set(records.values_list("model", flat=True)) == {FORMULAS[0], SCRIPT, IMG, FORMULAS[2]}
    assert set(records.values_list("person_ref", flat=True)) == {SCRIPT, FORMULAS[1], FORMULAS[3], IMG}
    assert records.get(model=SCRIPT).team.name == SCRIPT  # the team column matched the team of that name
    assert records.get(model=FORMULAS[2]).team.name == FORMULAS[0]
    assert records.get(model=FORMULAS[0]).team.name == SCRIPT  # through the mapping of its API key


def test_every_page_escapes_the_names(injected):
    org, client, run = injected["org"], injected["client"], injected["run"]
    pages = [*PAGES, ("connectors:run", (run.pk,)), ("disclosures:period", (injected["period"].pk,))]
    seen_escaped = {}
    for name, args in pages:
        response = client.get(reverse(name, args=[org.slug, *args]))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert SCRIPT not in html and "<img src=x onerror" not in html, name
        seen_escaped[name] = escape(SCRIPT) in html or escape(IMG) in html
    # The names are on these pages (escaped), so the checks above were not vacuous.
    shown = {
        "web:records",
        "connectors:runs",
        "connectors:run",
        "connectors:mappings",
        "accounts:people",
        "accounts:teams",
        "disclosures:audit_log",
    }
    assert shown <= {name for name, escaped in seen_escaped.items() if escaped}
    dashboard = client.get(reverse("web:org_home", args=[org.slug])).content.decode()
    assert "\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E" in dashboard  # chart labels, as JSON in a script


def _cells(workbook):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _assert_no_formula(values, where):
    for value in values:
        assert not (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)), (where, value)


def _check_exports(client, org, period, capture, *, signed_off: bool):
    def export(fmt):
        url = reverse("disclosures:period_export", args=[org.slug, period.pk, fmt])
        if fmt in disclosures.TASK_FORMATS and not signed_off:  # a draft's: requested, rendered by its task
            with capture(execute=True):
                client.post(url)
        response = client.get(url)
        assert response.status_code == 200, fmt
        return b"".join(response.streaming_content) if response.streaming else response.content

    workbook = openpyxl.load_workbook(io.BytesIO(export("xlsx")))
    cells = list(_cells(workbook))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []  # nothing a spreadsheet would evaluate
    _assert_no_formula((c.value for c in cells), "xlsx")
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {"'" + f for f in FORMULAS} <= texts  # kept, as text with a leading apostrophe
    assert SCRIPT in texts and IMG in texts  # HTML is just text in a spreadsheet
    assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
    # The records sheet keeps numbers as numbers: the neutralising touched text only.
    records = workbook["Records"]
    header = [c.value for c in records[1]]
    tokens = [row[header.index("output_tokens")] for row in records.iter_rows(min_row=2, values_only=True)]
    assert sorted(tokens) == [100, 100, 200, 300]

    evidence = export("evidence")
    if signed_off:  # hostile names resolve in resolution/ as in records.csv: recompute.py finds every figure
        import tempfile

        from tests.disclosures.test_evidence_recompute import _run, _unpack

        with tempfile.TemporaryDirectory() as tmp:
            code, out = _run(_unpack(evidence, Path(tmp) / "pack"), tmp)
            assert code == 0, "\n".join(line for line in out.splitlines() if not line.startswith("OK"))
            assert "OK   records.co2e_location_kg: 4 records recomputed" in out
    with zipfile.ZipFile(io.BytesIO(evidence)) as pack:
        # The uploaded files themselves, byte for byte (their hash is the evidence), under names no spreadsheet opens.
        originals = sorted(n for n in pack.namelist() if n.endswith(".original"))
        files = SourceFile.objects.filter(organisation=org).order_by("sha256")
        assert [pack.read(n) for n in originals] == [stored_file_path(f).read_bytes() for f in files]
        for name in pack.namelist():
            if name.endswith(".csv"):
                rows = list(csv.reader(io.StringIO(pack.read(name).decode("utf-8"))))
                _assert_no_formula((v for row in rows for v in row), name)
        records_csv = pack.read("records.csv").decode("utf-8")
    for formula in FORMULAS:
        quoted = "'" + formula
        assert quoted in records_csv or f'"{quoted.replace(chr(34), chr(34) * 2)}"' in records_csv, formula
    rows = list(csv.reader(io.StringIO(export("csv").decode("utf-8"))))
    _assert_no_formula((v for row in rows for v in row), "datapoints.csv")
    assert len(rows) > 1

    pdf = export("pdf")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF") and len(pdf) > 2000
    xhtml = export("xhtml").decode("utf-8")
    assert SCRIPT not in xhtml and "<img src=x" not in xhtml
    assert signed_off == period.is_signed_off


def test_every_export_neutralises_formulas_and_does_not_break(injected, django_capture_on_commit_callbacks):
    org, client, period = injected["org"], injected["client"], injected["period"]
    _check_exports(client, org, period, django_capture_on_commit_callbacks, signed_off=False)
    officer = injected["officer"]
    with django_capture_on_commit_callbacks(execute=True):  # the exports' tasks run, from the frozen records
        signed = disclosures.sign_off(period, Membership.objects.get(organisation=org, user=officer))
    _check_exports(client, org, signed, django_capture_on_commit_callbacks, signed_off=True)


def test_csv_downloads_of_pages_neutralise_formulas(injected):
    org, client = injected["org"], injected["client"]
    response = client.get(reverse("disclosures:audit_log", args=[org.slug]), {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    _assert_no_formula((v for row in rows for v in row), "audit log")
    assert any(v.startswith("'" + INJECTION_FILENAME) for row in rows for v in row)
