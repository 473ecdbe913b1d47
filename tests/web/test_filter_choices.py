"""The dashboard's filter choices: sources and providers on record, cached until a run succeeds."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.disclosures.filters import choices

pytestmark = pytest.mark.django_db
HEADER = "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"


def _load(org, rows: str, name: str):
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO((HEADER + rows).encode()), name)).pk)
    assert run.status == "succeeded", run.errors


def test_choices_follow_each_successful_run_and_are_served_from_the_cache_in_between(org_a, org_b):
    org = org_a["org"]
    _load(org, "2025-03-01,openai,gpt-4o,1,100,10,,,FR,0,EUR\n", "march.csv")
    _load(org_b["org"], "2025-03-01,mistral,mistral-large,1,100,10,,,FR,0,EUR\n", "theirs.csv")
    first = choices(org)
    assert (first["sources"], first["providers"]) == (["generic_csv"], ["openai"])
    with CaptureQueriesContext(connection) as captured:
        again = choices(org)
    # teams, the runs' version, periods: no scan of the records (the cache's own table aside: without Redis the
    # cache is a table of the database)
    assert len([q for q in captured.captured_queries if "ledger_cache" not in q["sql"]]) == 3
    assert (again["sources"], again["providers"]) == (["generic_csv"], ["openai"])

    _load(org, "2025-04-01,anthropic,claude-sonnet-4,1,100,10,,,FR,0,EUR\n", "april.csv")
    after = choices(org)
    assert (after["sources"], after["providers"]) == (["generic_csv"], ["anthropic", "openai"])
    # The other organisation's providers never show, cached or not.
    assert choices(org_b["org"])["providers"] == ["mistral"]
