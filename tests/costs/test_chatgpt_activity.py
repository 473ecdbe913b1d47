"""ChatGPT Enterprise in the cost app (issue 18): its ROI counts active user-days from the workspace analytics
export's records, not other seat tools' rows, and the export is the licence's seat file."""

import json

import pandas as pd
import pytest
from django.core.management import call_command

from apps.costs.models import TOOL_SOURCES, Tool
from apps.costs.roi import _active_days
from apps.costs.seats import seat_table
from tests.connectors.helpers import fixture_bytes


def test_chatgpt_active_days_come_from_its_export_only():
    frame = pd.DataFrame(
        {
            "source": ["chatgpt_enterprise_analytics", "chatgpt_enterprise_analytics", "m365_copilot_usage"],
            "usage_kind": ["seat_activity"] * 3,
            "team": ["Legal", "Marketing", "Legal"],
            "active_user_days": [3, 4, 5],
        }
    )
    by_team, total, note = _active_days(None, frame, Tool.CHATGPT_ENTERPRISE)
    assert total == 7 and by_team.to_dict() == {"Legal": 3.0, "Marketing": 4.0}
    assert "first and last day active" in note


@pytest.mark.django_db
def test_the_export_is_a_seat_file_of_the_licence(org_a, tmp_path, capsys):
    # tests/fixtures/chatgpt_enterprise_analytics/user_engagement_weekly.csv: seven workspace users, Farid never
    # active, Gina invited, Chloé last active 2026-02-12 (before the week).
    path = tmp_path / "week.csv"
    path.write_bytes(fixture_bytes("chatgpt_enterprise_analytics", "user_engagement_weekly.csv"))
    call_command("ingest", "--org", "org-a", "--source", "chatgpt_enterprise_analytics", str(path), "--json")
    assert json.loads(capsys.readouterr().out)["status"] == "succeeded"
    table, source_file = seat_table(org_a["org"], TOOL_SOURCES[Tool.CHATGPT_ENTERPRISE]["seat_source"])
    assert source_file.filename == "week.csv" and len(table) == 7
    last = dict(zip(table["person"], table["last_activity_at"].dt.strftime("%Y-%m-%d"), strict=True))
    assert last["chloe.martin@example.com"] == "2026-02-12" and last["ada.lovelace@example.com"] == "2026-03-06"
    assert table["last_activity_at"].isna().sum() == 2
