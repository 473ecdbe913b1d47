"""Issue 17: the evidence pack carries the runs' original files (sources/), or over the organisation's limit their
SHA-256 and a download link that serves the stored file to the organisation's members only."""

import io
import zipfile

import pytest
from django.urls import reverse

from apps.accounts.models import AuditEvent, Membership, Role
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import SourceFile
from apps.connectors.storage import store_upload
from apps.disclosures import services

from .test_e1_figures import CODECARBON
from .test_evidence_recompute import EDGE_CSV, _run, _unpack, edge_period

pytestmark = pytest.mark.django_db


def _sources(data: bytes) -> tuple[zipfile.ZipFile, list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    lines = archive.read("sources/SOURCES.csv").decode().splitlines()
    return archive, [line.split(",") for line in lines]


def test_the_pack_carries_the_original_files_and_recompute_checks_them(org_a, tmp_path):
    period = edge_period(org_a)
    archive, rows = _sources(services.render(period, "evidence"))
    assert rows[0] == ["filename", "sha256", "size_bytes", "runs", "in_pack", "download", "note"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"jobs.csv", "api.csv"}
    api = by_name["api.csv"]
    assert archive.read(api[4]) == EDGE_CSV.encode()  # the bytes as uploaded
    assert archive.read(by_name["jobs.csv"][4]) == CODECARBON.encode()
    assert api[1] == SourceFile.objects.get(organisation=org_a["org"], filename="api.csv").sha256
    code, out = _run(_unpack(services.render(period, "evidence"), tmp_path / "pack"), tmp_path)
    assert code == 0, out[-2000:]
    assert f"OK   file {api[4]} sha256 {api[1]}" in out


def test_a_source_file_changed_in_the_pack_fails_naming_it(org_a, tmp_path):
    period = edge_period(org_a)
    data = services.render(period, "evidence")
    _archive, rows = _sources(data)
    where = _unpack(data, tmp_path / "pack")
    changed = where / rows[1][4]
    changed.write_bytes(changed.read_bytes().replace(b"1000", b"1001", 1))
    code, out = _run(where, tmp_path)
    assert code == 1
    assert f"DIFF file {rows[1][4]}: sha256" in out


def test_over_the_limit_a_file_is_listed_with_its_hash_and_download_link(org_a, tmp_path):
    org = org_a["org"]
    org.evidence_file_max_mb = 0  # every file is over 0 MB
    org.save()
    period = edge_period(org_a)
    archive, rows = _sources(services.render(period, "evidence"))
    assert not [n for n in archive.namelist() if n.startswith("sources/") and n != "sources/SOURCES.csv"]
    for row in rows[1:]:
        assert row[4] == "" and row[5] == f"/o/{org.slug}/files/{row[1]}/" and "over the pack's limit of 0 MB" in row[6]
    code, out = _run(_unpack(services.render(period, "evidence"), tmp_path / "pack"), tmp_path)
    assert code == 0, out[-2000:]
    assert "NOTE source api.csv not in the pack" in out


def test_the_default_limit_is_the_setting(org_a, settings):
    from apps.disclosures.evidence_files import file_limit_mb

    settings.EVIDENCE_FILE_MAX_MB = 7
    org = org_a["org"]
    assert org.evidence_file_max_mb is None and file_limit_mb(org) == 7
    org.evidence_file_max_mb = 3
    assert file_limit_mb(org) == 3


def test_the_download_link_serves_members_only(org_a, org_b, client_for, client):
    period = edge_period(org_a)
    source = SourceFile.objects.get(organisation=org_a["org"], filename="api.csv")
    url = reverse("connectors:source_file", kwargs={"org_slug": org_a["org"].slug, "sha256": source.sha256})
    assert client.get(url).status_code == 302  # to the login page
    outsider = client_for(org_b["users"][Role.ADMIN])
    assert outsider.get(url).status_code == 404
    reader = client_for(org_a["users"][Role.AUDITOR])  # read-only members may download it
    answer = reader.get(url)
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == EDGE_CSV.encode()
    assert "attachment" in answer["Content-Disposition"] and "api.csv" in answer["Content-Disposition"]
    assert AuditEvent.objects.filter(organisation=period.organisation, action="source_file.download").count() == 1


def test_the_admin_sets_the_limit_on_the_organisation_page(org_a, client_for):
    org = org_a["org"]
    url = f"/o/{org.slug}/organisation/"
    admin = client_for(org_a["users"][Role.ADMIN])
    assert "Largest source file in the evidence pack (MB)" in admin.get(url).content.decode()
    assert admin.post(url, {"name": org.name, "evidence_file_max_mb": "7"}).status_code == 302
    org.refresh_from_db()
    assert org.evidence_file_max_mb == 7
    event = AuditEvent.objects.filter(organisation=org, action="organisation.update").latest("pk")
    assert event.detail["evidence_file_max_mb"] == "7"
    assert admin.post(url, {"name": org.name, "evidence_file_max_mb": ""}).status_code == 302
    org.refresh_from_db()
    assert org.evidence_file_max_mb is None  # empty: the site's EVIDENCE_FILE_MAX_MB again


def test_a_period_without_records_recomputes_too(org_a, tmp_path):
    import datetime as dt

    org = org_a["org"]
    period = services.create_period(org, None, dt.date(2024, 1, 1), dt.date(2024, 12, 31), net_revenue_eur=1_000_000)
    period = services.sign_off(period, Membership.objects.get(user=org_a["users"][Role.OFFICER]))  # single signer
    code, out = _run(_unpack(services.render(period, "evidence"), tmp_path / "pack"), tmp_path)
    assert code == 0, out[-2000:]
    assert "OK   datapoint E1-6_11 value = 0.0" in out


def test_a_period_under_the_revised_standard_recomputes_by_figure(org_a, tmp_path):
    """Its datapoints carry paragraph ids and the Set 1 figure they show (`figure`); the figures it does not carry
    are listed beside it (`not_carried`): recompute.py checks both, and the comparative against the Set 1 year."""
    import datetime as dt

    from .test_revised_standard import CSV

    org = org_a["org"]
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(CSV.encode()), "api.csv")).pk)
    assert run.status == "succeeded", run.errors
    officer = Membership.objects.get(user=org_a["users"][Role.OFFICER])
    earlier = services.create_period(org, None, dt.date(2025, 1, 1), dt.date(2025, 12, 31), net_revenue_eur=10**6)
    services.sign_off(earlier, officer)
    period = services.create_period(
        org, None, dt.date(2026, 1, 1), dt.date(2026, 12, 31), net_revenue_eur=10**6, standard="esrs_2026"
    )
    period = services.sign_off(period, officer)
    assert any(dp.get("figure") and dp["figure"] != dp["id"] for dp in period.snapshot["datapoints"])
    code, out = _run(_unpack(services.render(period, "evidence"), tmp_path / "pack"), tmp_path)
    assert code == 0, out[-2000:]
    assert "OK   datapoint E1-8 §30(a)(iii) value" in out and "OK   datapoint E1-8 §30(a)(iii) change_pct" in out
    assert "OK   not carried E1-6_12 value" in out
