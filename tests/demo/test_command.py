"""`manage.py seed_demo` (the Makefile's `make run` calls it): the organisation, its people, a year of usage
through the connectors and the cost inputs, with one line per run."""

import pytest
from django.core.management import call_command

from apps.connectors.sources import SOURCES
from apps.costs.models import Licence
from apps.footprint.models import UsageRecord

# Sources the demo year does not generate: our own template, the archive format of GitHub's closed-down
# /copilot/metrics (the demo writes the usage metrics reports that replaced it), and the vendors' bills.
# The demo year has no files of the sources of issue 18 (Bedrock, Claude Code, OTel, Cursor) yet, but ChatGPT
# Enterprise's user export.
NOT_IN_DEMO = {
    "generic_csv",
    "github_copilot_metrics",
    "openai_costs",
    "anthropic_cost_report",
    "aws_bedrock_invocations",
    "aws_cur_bedrock",
    "anthropic_claude_code",
    "otel_genai",
    "cursor_admin",
    "cursor_daily_usage",
}

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_every_source_and_the_cost_inputs(monkeypatch, capsys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("seed_demo", "--scale", "0.01")
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Demo organisation 'demo' ready. Log in at http://127.0.0.1:8000/ with:"
    assert "People: 2000 added." in lines
    runs = [line.split()[0] for line in lines if line.startswith("  ") and " records " in line]
    assert set(runs) == set(SOURCES) - NOT_IN_DEMO and len(runs) == 21  # twelve monthly M365 reports
    assert "FAILED" not in out and any(line.startswith("Usage: 21 runs in ") for line in lines)
    assert lines[-1] == "Licences, prices, ROI assumptions and a frugality assessment ready."
    assert UsageRecord.objects.filter(organisation__slug="demo").exists()
    assert Licence.objects.filter(organisation__slug="demo").count() == 3


@pytest.mark.django_db(transaction=True)  # each run commits, as in the command: one test transaction would merge them
def test_seed_demo_sends_one_cache_warm_up_at_its_end(monkeypatch, settings, tmp_path):
    """21 runs and the cost inputs, each its own transaction and generation: one warm-up, after the last."""
    from apps.costs import warm

    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.WARM_CACHES_AFTER_CHANGES = True
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    sent = []
    monkeypatch.setattr(warm, "dispatch", lambda task, *args: sent.append((task.name, args)))
    call_command("seed_demo", "--scale", "0.01")
    org = Licence.objects.filter(organisation__slug="demo").first().organisation
    assert sent == [("costs.warm_caches", (org.pk,))]
    # Outside seed_demo a change still sends its own.
    warm.warm_when_committed(org.pk)  # autocommit: sent at once
    assert len(sent) == 2
