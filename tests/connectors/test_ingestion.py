"""Ingestion end to end: stored once, all or nothing, replaced on overlap, refused with file/row/column."""

import io
import json

import pytest
from django.core.management import call_command
from django.db.models import Sum

from apps.connectors import mapping
from apps.connectors.errors import IngestionRefused
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import IdentityKind, IdentityMapping, IngestionRun, RunStatus, SourceFile
from apps.connectors.storage import store_upload
from apps.footprint import record_writer
from apps.footprint.models import UsageRecord

pytestmark = pytest.mark.django_db

HEADER = "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"


def load(org, content: str | bytes, filename="usage.csv", source="generic_csv"):
    data = content.encode() if isinstance(content, str) else content
    source_file = store_upload(org, io.BytesIO(data), filename)
    run = create_run(org, source, source_file)
    return execute_run(run.pk)


def totals(org):
    return UsageRecord.objects.for_org(org).aggregate(
        requests=Sum("requests"), input_tokens=Sum("input_tokens"), output_tokens=Sum("output_tokens")
    )


def test_a_generic_file_is_stored_with_hand_checked_totals_and_attribution(org_a):
    org = org_a["org"]
    run = load(
        org,
        HEADER
        + "2025-03-01,openai,gpt-4o,10,12000,3000,dev@org-a.example,,FR,1.50,EUR\n"
        + "2025-03-01,openai,gpt-4o,5,6000,1000,dev@org-a.example,,FR,0.50,EUR\n"
        + "2025-03-02,mistral,mistral-small-latest,4,800,200,stranger@org-a.example,Platform,FR,0.10,EUR\n",
    )
    assert run.status == RunStatus.SUCCEEDED, run.errors
    # The two gpt-4o rows share a natural key: one record, 10+5 requests, 12000+6000 in, 3000+1000 out.
    assert run.rows_read == 3 and run.records_stored == 2
    assert (run.requests, run.input_tokens, run.output_tokens) == (19, 18800, 4200)
    assert totals(org) == {"requests": 19, "input_tokens": 18800, "output_tokens": 4200}
    gpt = UsageRecord.objects.for_org(org).get(model="gpt-4o")
    assert gpt.cost == pytest.approx(2.00) and gpt.currency == "EUR"
    assert gpt.person == org_a["person"] and gpt.team == org_a["team"]  # e-mail → person → their team
    mistral = UsageRecord.objects.for_org(org).get(model="mistral-small-latest")
    assert mistral.person is None and mistral.team == org_a["team"]  # team name matched
    assert gpt.grid_zone == "FRA" and gpt.scope == "scope3_cat1"
    assert gpt.energy_kwh > 0 and gpt.co2e_location_kg == pytest.approx(gpt.energy_kwh * gpt.grid_gco2e_per_kwh / 1000)
    assert run.energy_kwh == pytest.approx(gpt.energy_kwh + mistral.energy_kwh)
    assert gpt.factor_set == run.factor_set and gpt.run == run
    assert run.source_file.sha256 == SourceFile.objects.get().sha256 and run.progress_percent == 100


def test_the_same_file_twice_stores_nothing_twice(org_a):
    org = org_a["org"]
    content = HEADER + "2025-03-01,openai,gpt-4o,10,12000,3000,,,FR,1.5,EUR\n"
    first = load(org, content)
    second = load(org, content, filename="renamed-copy.csv")
    assert second.status == RunStatus.SUCCEEDED and second.duplicate_of == first
    assert second.records_stored == 0 and "already loaded" in second.warnings[0]
    assert SourceFile.objects.count() == 1 and UsageRecord.objects.count() == 1
    assert totals(org)["output_tokens"] == 3000


def test_an_overlapping_repull_replaces_and_never_doubles(org_a):
    org = org_a["org"]
    load(
        org,
        HEADER + "2025-03-01,openai,gpt-4o,1,100,10,,,FR,0,EUR\n" + "2025-03-02,openai,gpt-4o,2,200,20,,,FR,0,EUR\n",
    )
    # The re-pull covers day 2 again, with corrected figures, and day 3.
    second = load(
        org,
        HEADER + "2025-03-02,openai,gpt-4o,3,300,30,,,FR,0,EUR\n" + "2025-03-03,openai,gpt-4o,4,400,40,,,FR,0,EUR\n",
    )
    assert second.status == RunStatus.SUCCEEDED
    by_day = dict(UsageRecord.objects.for_org(org).values_list("day__day", "output_tokens"))
    assert by_day == {1: 10, 2: 30, 3: 40}
    assert totals(org) == {"requests": 1 + 3 + 4, "input_tokens": 100 + 300 + 400, "output_tokens": 10 + 30 + 40}
    assert UsageRecord.objects.get(day__day=2).run == second


def test_records_of_one_organisation_do_not_replace_anothers(org_a, org_b):
    content = HEADER + "2025-03-01,openai,gpt-4o,1,100,10,,,FR,0,EUR\n"
    load(org_a["org"], content)
    load(org_b["org"], content)
    assert UsageRecord.objects.for_org(org_a["org"]).count() == 1
    assert UsageRecord.objects.for_org(org_b["org"]).count() == 1
    assert SourceFile.objects.count() == 2  # stored once per organisation


BAD_CSV = [
    (
        "missing column",
        HEADER.replace(",output_tokens", "") + "2025-03-01,openai,gpt-4o,1,100,,,FR,0,EUR\n",
        None,
        "output_tokens",
    ),
    (
        "renamed column",
        HEADER.replace("output_tokens", "ouput_tokens") + "2025-03-01,openai,gpt-4o,1,100,10,,,FR,0,EUR\n",
        None,
        "ouput_tokens",
    ),
    (
        "non-numeric tokens",
        HEADER + "2025-03-01,openai,gpt-4o,1,100,10,,,FR,0,EUR\n2025-03-02,openai,gpt-4o,1,abc,10,,,FR,0,EUR\n",
        3,
        "input_tokens",
    ),
    ("negative tokens", HEADER + "2025-03-01,openai,gpt-4o,1,100,-10,,,FR,0,EUR\n", 2, "output_tokens"),
    (
        "unparseable date",
        HEADER + "2025-03-01,openai,gpt-4o,1,100,10,,,FR,0,EUR\n01/13/2025x,openai,gpt-4o,1,1,1,,,FR,0,EUR\n",
        3,
        "date",
    ),
]


@pytest.mark.parametrize(("case", "content", "row", "column"), BAD_CSV, ids=[c[0] for c in BAD_CSV])
def test_bad_csv_fails_the_run_naming_file_row_and_column_and_stores_nothing(org_a, case, content, row, column):
    run = load(org_a["org"], content, filename="bad.csv")
    assert run.status == RunStatus.FAILED
    assert len(run.errors) == 1
    error = run.errors[0]
    assert error["message"].startswith("bad.csv"), error
    assert column in error["message"]
    if row is not None:
        assert error["row"] == row and f"row {row}" in error["message"]
    assert UsageRecord.objects.count() == 0 and run.records_stored == 0


def test_wrong_encoding_wrong_source_and_truncated_json_are_refused(org_a):
    org = org_a["org"]
    latin1 = (HEADER + "2025-03-01,openai,gpt-4o,1,100,10,rené@org-a.example,,FR,0,EUR\n").encode("latin-1")
    run = load(org, latin1, filename="latin1.csv")
    assert run.status == RunStatus.FAILED and "latin1.csv" in run.errors[0]["message"]
    assert "UTF-8" in run.errors[0]["message"] or "utf-8" in run.errors[0]["message"]
    wrong = load(
        org, HEADER + "2025-03-01,openai,gpt-4o,1,100,10,,,FR,0,EUR\n", filename="g.csv", source="openai_usage"
    )
    assert wrong.status == RunStatus.FAILED and "g.csv" in wrong.errors[0]["message"]
    page = {
        "object": "page",
        "data": [{"object": "bucket", "start_time": 1735689600, "end_time": 1735776000, "results": []}],
        "has_more": False,
        "next_page": None,
    }
    truncated = json.dumps(page)[:-20].encode()
    cut = load(org, truncated, filename="usage.json", source="openai_usage")
    assert cut.status == RunStatus.FAILED and "usage.json" in cut.errors[0]["message"]
    assert UsageRecord.objects.count() == 0


def test_empty_and_oversized_files_are_refused_before_any_run(org_a, settings, tmp_path):
    org = org_a["org"]
    with pytest.raises(IngestionRefused, match=r"empty\.csv: the file is empty"):
        store_upload(org, io.BytesIO(b""), "empty.csv")
    settings.MAX_UPLOAD_MB = 1
    with pytest.raises(IngestionRefused, match=r"big\.csv: the file is larger than the 1 MB limit"):
        store_upload(org, io.BytesIO(b"x" * (1024 * 1024 + 1)), "big.csv")
    assert SourceFile.objects.count() == 0
    assert [p.name for p in (tmp_path / "uploads").iterdir() if p.is_file()] == []  # no partial file left


def test_unknown_source_is_refused(org_a):
    source_file = store_upload(org_a["org"], io.BytesIO(b"a,b\n1,2\n"), "x.csv")
    with pytest.raises(IngestionRefused, match=r"Unknown source 'nope'\. Known sources: .*generic_csv"):
        create_run(org_a["org"], "nope", source_file)


def test_a_failure_while_writing_leaves_nothing_and_the_run_is_not_succeeded(org_a, monkeypatch):
    calls = {"n": 0}
    real_write_batch = record_writer.write_batch

    def failing_write_batch(cursor, writer, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_write_batch(cursor, writer, rows)

    monkeypatch.setattr(record_writer, "UPSERT_BATCH", 2)
    monkeypatch.setattr(record_writer, "write_batch", failing_write_batch)
    rows = "".join(f"2025-03-{d:02d},openai,gpt-4o,1,100,10,,,FR,0,EUR\n" for d in range(1, 6))
    run = load(org_a["org"], HEADER + rows)
    assert calls["n"] == 2
    assert run.status == RunStatus.FAILED and "internal error" in run.errors[0]["message"]
    assert UsageRecord.objects.count() == 0


def test_a_finished_run_is_not_run_again(org_a):
    run = load(org_a["org"], HEADER + "2025-03-01,openai,gpt-4o,1,100,10,,,FR,0,EUR\n")
    again = execute_run(run.pk)  # e.g. a task delivered twice
    assert again.attempts == 1 and UsageRecord.objects.count() == 1


def test_ingest_command_json_and_exit_codes(org_a, tmp_path, capsys):
    path = tmp_path / "usage.csv"
    path.write_text(
        HEADER + "2025-03-01,openai,gpt-4o,2,100,10,,,FR,0,EUR\n2025-03-01,openai,gpt-4o-mini,3,50,5,,,FR,0,EUR\n"
    )
    call_command("ingest", "--org", "org-a", "--source", "generic_csv", str(path), "--json")
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {
        "run",
        "status",
        "source",
        "rows",
        "records",
        "requests",
        "input_tokens",
        "output_tokens",
        "energy_kwh",
        "co2e_kg",
        "errors",
    }
    assert (out["status"], out["rows"], out["records"], out["requests"], out["input_tokens"], out["output_tokens"]) == (
        "succeeded",
        2,
        2,
        5,
        150,
        15,
    )
    assert out["energy_kwh"] > 0 and out["errors"] == []
    call_command("ingest", "--org", "org-a", "--source", "generic_csv", str(path), "--json")
    again = json.loads(capsys.readouterr().out)
    assert again["status"] == "succeeded" and again["records"] == 0 and again["duplicate_of"] == out["run"]
    assert "nothing new was stored" in again["message"]
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "2025-03-01,openai,gpt-4o,2,x,10,,,FR,0,EUR\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("ingest", "--org", "org-a", "--source", "generic_csv", str(bad), "--json")
    assert exit_info.value.code == 1
    failed = json.loads(capsys.readouterr().out)
    assert failed["status"] == "failed" and failed["records"] == 0
    assert failed["errors"][0]["row"] == 2 and failed["errors"][0]["column"] == "input_tokens"
    assert UsageRecord.objects.count() == 2


def test_unmapped_identities_are_listed_and_a_mapping_reattributes(org_a):
    org = org_a["org"]
    load(
        org,
        HEADER
        + "2025-03-01,openai,gpt-4o,1,100,10,robot-7,,FR,0,EUR\n"
        + "2025-03-01,openai,gpt-4o,1,100,10,,growth-squad,FR,0,EUR\n",
    )
    unmapped = mapping.unmapped_identities(org)
    assert unmapped[IdentityKind.PERSON] == ["robot-7"] and unmapped[IdentityKind.TEAM] == ["growth-squad"]
    IdentityMapping.objects.create(organisation=org, kind=IdentityKind.PERSON, value="robot-7", person=org_a["person"])
    IdentityMapping.objects.create(organisation=org, kind=IdentityKind.TEAM, value="growth-squad", team=org_a["team"])
    assert mapping.apply_mappings(org) == 2
    assert UsageRecord.objects.for_org(org).filter(team=org_a["team"]).count() == 2
    assert UsageRecord.objects.for_org(org).get(person_ref="robot-7").person == org_a["person"]
    assert mapping.unmapped_identities(org) == {k: [] for k in unmapped}
    assert IngestionRun.objects.count() == 1


@pytest.mark.parametrize("replaces", [False, True], ids=["insert", "upsert"])
def test_values_the_same_on_every_row_are_stored_as_given(org_a, replaces):
    """Columns with one value over a batch are written into SQLite's statement rather than bound per row: quotes,
    '%' (Django's placeholder sign) and non-ASCII text must arrive as they were, on insert and on upsert."""
    org = org_a["org"]
    model, team, zone = "o'brien-%s-100%", 'R&D "lab"', "FR"
    quoted_team = '"' + team.replace('"', '""') + '"'
    if replaces:  # an earlier record with day 1's key makes the run upsert
        load(org, HEADER + f"2025-03-01,openai,{model},9,9,9,,{quoted_team},{zone},0.25,EUR\n", filename="first.csv")
    rows = "".join(
        f"2025-03-0{d},openai,{model},{d},{100 * d},{10 * d},,{quoted_team},{zone},0.25,EUR\n" for d in (1, 2)
    )
    run = load(org, HEADER + rows, filename="second.csv")
    assert run.status == RunStatus.SUCCEEDED, run.errors
    stored = sorted(
        UsageRecord.objects.for_org(org)
        .filter(run=run)
        .values_list("day__day", "model", "team_ref", "requests", "output_tokens", "cost")
    )
    assert stored == [(1, model, team, 1, 10, 0.25), (2, model, team, 2, 20, 0.25)]
    assert UsageRecord.objects.for_org(org).count() == 2  # the upsert replaced day 1's earlier record
