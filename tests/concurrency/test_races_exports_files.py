"""More races of issue 19, in the way of tests/concurrency/test_races.py (threads against the live server, bounded
in count and time): the same export of a signed-off period requested and downloaded by ten clients at once (it
was an IntegrityError on "one_export_per_format", a 500), and overlapping files uploaded at once (they must end
with the totals of the same files loaded one after another). No answer may be a 5xx."""

import csv
import datetime as dt
import hashlib
import io

import pytest

from apps.accounts.models import Membership
from apps.accounts.services import save_person
from apps.connectors import ingestion
from apps.connectors.models import IngestionRun, RunStatus
from apps.connectors.storage import store_upload
from apps.disclosures.models import PeriodExport, PeriodStatus
from apps.disclosures.services import create_period, request_sign_off
from apps.footprint.models import UsageRecord

from ..connectors.helpers import fixture_bytes
from .test_races import WORKERS, _parallel, api  # noqa: F401  (api is a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

CSV_BYTES = fixture_bytes("generic_csv", "usage.csv")


@pytest.fixture
def signed_off(org_a):
    """A period of 2025 holding the generic CSV's records, signed off (its task runs in-process)."""
    org, officer = org_a["org"], org_a["users"]["officer"]
    period = create_period(org, officer, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    run = ingestion.execute_run(
        ingestion.create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV_BYTES), "usage.csv"), officer).pk
    )
    assert run.status == RunStatus.SUCCEEDED, run.errors
    request_sign_off(period=period, membership=Membership.objects.get(user=officer, organisation=org))
    period.refresh_from_db()
    assert period.status == PeriodStatus.SIGNED_OFF
    return period


@pytest.mark.parametrize("fmt", ["xhtml", "csv"])
def test_ten_downloads_at_once_of_a_signed_off_snapshot_export_give_one_kept_file(api, signed_off, fmt):  # noqa: F811
    answers = _parallel(WORKERS, lambda i: api("get", f"periods/{signed_off.pk}/exports/{fmt}/"))

    assert [a.status_code for a in answers] == [200] * WORKERS, [a.text[:200] for a in answers]
    assert len({hashlib.sha256(a.content).hexdigest() for a in answers}) == 1  # the same bytes for everyone
    assert PeriodExport.objects.filter(period=signed_off, format=fmt).count() <= 1


def test_ten_requests_at_once_for_a_drafts_pdf_render_it_once(api, org_a):  # noqa: F811
    org, officer = org_a["org"], org_a["users"]["officer"]
    period = create_period(org, officer, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    run = ingestion.execute_run(
        ingestion.create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV_BYTES), "usage.csv"), officer).pk
    )
    assert run.status == RunStatus.SUCCEEDED, run.errors

    answers = _parallel(WORKERS, lambda i: api("post", f"periods/{period.pk}/exports/pdf/"))

    assert [a.status_code for a in answers] == [202] * WORKERS, [a.text[:200] for a in answers]
    [kept] = PeriodExport.objects.filter(period=period, format="pdf")  # one row, however many renders were asked
    assert kept.state == "ready" and bytes(kept.content[:5]) == b"%PDF-"
    downloads = _parallel(WORKERS, lambda i: api("get", f"periods/{period.pk}/exports/pdf/"))
    assert [d.status_code for d in downloads] == [200] * WORKERS
    assert len({d.content for d in downloads}) == 1 and downloads[0].content[:5] == b"%PDF-"


def _rows() -> tuple[list[str], list[list[str]]]:
    """The generic CSV's header and 16 rows of its first row's shape, one a day of May 2025, three users."""
    table = list(csv.reader(io.StringIO(CSV_BYTES.decode("utf-8"))))
    header, first = table[0], table[1]
    at = {name: header.index(name) for name in ("date", "input_tokens", "output_tokens", "user")}
    rows = []
    for day in range(1, 17):
        row = list(first)
        row[at["date"]], row[at["user"]] = f"2025-05-{day:02d}", f"u{day % 3}@contoso.com"
        row[at["input_tokens"]], row[at["output_tokens"]] = str(1000 + day), str(100 + day)
        rows.append(row)
    return header, rows


def _file(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def test_overlapping_files_uploaded_at_once_end_as_loaded_one_after_another(api, org_a, org_b):  # noqa: F811
    """Ten files, each a different window of the same rows (neighbours share rows): loaded serially in org-b first,
    then all at once in org-a; org-a must hold what org-b holds, record for record."""
    header, rows = _rows()
    files = [_file(header, rows[i : i + 6]) for i in range(WORKERS)]  # file i shares five rows with file i + 1
    for i, data in enumerate(files):
        org = org_b["org"]
        source_file = store_upload(org, io.BytesIO(data), f"part-{i}.csv")
        assert ingestion.execute_run(ingestion.create_run(org, "generic_csv", source_file).pk).status == "succeeded"

    def upload(i):
        return api(
            "post", "runs/", files={"file": (f"part-{i}.csv", files[i], "text/csv")}, data={"source": "generic_csv"}
        )

    answers = _parallel(WORKERS, upload)
    assert [a.status_code for a in answers] == [201] * WORKERS, [a.text[:200] for a in answers]
    runs = IngestionRun.objects.filter(organisation=org_a["org"])
    assert sorted(runs.values_list("status", flat=True)) == [RunStatus.SUCCEEDED] * WORKERS

    def records(org):
        fields = ("day", "model", "person_ref", "team_ref", "input_tokens", "output_tokens", "requests")
        return sorted(UsageRecord.objects.filter(organisation=org).values_list(*fields))

    assert records(org_a["org"]) == records(org_b["org"]) and records(org_a["org"])


def test_a_mapping_saved_while_ten_files_load_attributes_every_record_as_a_serial_run_would(api, org_a):  # noqa: F811
    """Ten uploads and one mapping edit at once: whatever order they commit in, every record of the mapped user
    ends attributed to its person, as when the mapping is saved before the files or after them. They are also the
    installation's first runs: on PostgreSQL each stored the built-in factor set (its row has no organisation, so
    the unique constraint did not hold) and all but one then failed with an internal error (issue 19)."""
    org = org_a["org"]
    dana = save_person(org, "dana@contoso.com", "Dana", None)
    header, rows = _rows()
    files = [_file(header, rows[i : i + 6]) for i in range(WORKERS)]

    def work(i):
        if i == WORKERS:
            return api("post", "mappings/", json={"kind": "person", "value": "u1@contoso.com", "person": dana.pk})
        return api(
            "post", "runs/", files={"file": (f"part-{i}.csv", files[i], "text/csv")}, data={"source": "generic_csv"}
        )

    answers = _parallel(WORKERS + 1, work)
    assert all(a.status_code in (200, 201) for a in answers), [a.text[:200] for a in answers]
    runs = IngestionRun.objects.filter(organisation=org)
    assert sorted(runs.values_list("status", flat=True)) == [RunStatus.SUCCEEDED] * WORKERS, [r.errors for r in runs]
    mapped = UsageRecord.objects.filter(organisation=org, person_ref="u1@contoso.com")
    assert mapped.exists() and set(mapped.values_list("person_id", flat=True)) == {dana.pk}
    others = UsageRecord.objects.filter(organisation=org).exclude(person_ref="u1@contoso.com")
    assert others.exists() and set(others.values_list("person_id", flat=True)) == {None}
