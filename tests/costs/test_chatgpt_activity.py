"""ChatGPT Enterprise's ROI counts its active user-days from the workspace analytics export's records (issue 18),
not from other seat tools' rows."""

import pandas as pd

from apps.costs.models import Tool
from apps.costs.roi import _active_days


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
