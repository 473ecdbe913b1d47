"""GitHub Copilot metrics API archive: several hundred days in 28-day pulls back to back, requests, active
user-days and records == ingest --json.

Follows GitHub's page:
  https://docs.github.com/en/rest/copilot/copilot-metrics#get-copilot-metrics-for-an-organization
  (a list of day objects: date, total_active_users, total_engaged_users, copilot_ide_code_completions
  .editors[].models[].languages[].total_code_suggestions, copilot_ide_chat.editors[].models[].total_chats,
  copilot_dotcom_chat.models[].total_chats, copilot_dotcom_pull_requests.repositories[].models[]
  .total_pr_summaries_created; a model named "default" or a custom model; at most 28 days a call)
The days are generated here; the expected totals are summed from the generator's own numbers.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from tests.connectors.doc_totals import amounts, as_text, ingest_json

KEY = "github_copilot_metrics"
DAY0 = date(2025, 1, 1)
CUSTOM = "a-custom-model"


def model(rng: random.Random, field: str, total: int) -> dict:
    name = rng.choice(["default", "default", CUSTOM])
    return {"name": name, "is_custom_model": name != "default", "custom_model_training_date": None, field: total}


def day_object(rng: random.Random, day: date) -> tuple[dict, dict[str, int], int]:
    """One day in the documented shape, its requests per model ('copilot' for default) and its active users."""
    requests: dict[str, int] = {"copilot": 0}

    def counted(m: dict, field: str) -> dict:
        name = "copilot" if m["name"] == "default" else m["name"]
        requests[name] = requests.get(name, 0) + int(m[field])
        return m

    editors = []
    for editor in rng.sample(["vscode", "neovim", "jetbrains"], rng.randint(0, 3)):
        models = []
        for _ in range(rng.randint(1, 2)):
            m = model(rng, "total_engaged_users", rng.randint(0, 30))
            m["languages"] = [
                {
                    "name": lang,
                    "total_engaged_users": rng.randint(0, 10),
                    "total_code_suggestions": as_text(rng, rng.randint(0, 900)),
                    "total_code_acceptances": rng.randint(0, 100),
                    "total_code_lines_suggested": rng.randint(0, 2000),
                    "total_code_lines_accepted": rng.randint(0, 500),
                }
                for lang in rng.sample(["python", "ruby", "typescript"], rng.randint(1, 3))
            ]
            for lang in m["languages"]:
                counted({"name": m["name"], "n": lang["total_code_suggestions"]}, "n")
            models.append(m)
        editors.append({"name": editor, "total_engaged_users": rng.randint(0, 40), "models": models})
    chat_editors = [
        {
            "name": "vscode",
            "total_engaged_users": 5,
            "models": [counted(model(rng, "total_chats", rng.randint(0, 80)), "total_chats")],
        }
        for _ in range(rng.randint(0, 1))
    ]
    dotcom = [counted(model(rng, "total_chats", rng.randint(0, 40)), "total_chats") for _ in range(rng.randint(0, 1))]
    repos = [
        {
            "name": f"repo-{r}",
            "total_engaged_users": 2,
            "models": [
                counted(model(rng, "total_pr_summaries_created", rng.randint(0, 9)), "total_pr_summaries_created")
            ],
        }
        for r in range(rng.randint(0, 2))
    ]
    active = rng.randint(1, 150)
    obj = {
        "date": day.isoformat(),
        "total_active_users": as_text(rng, active),
        "total_engaged_users": rng.randint(0, active),
        "copilot_ide_code_completions": {"total_engaged_users": 30, "languages": [], "editors": editors}
        if editors or rng.random() < 0.5
        else None,  # a section GitHub leaves out on a quiet day
        "copilot_ide_chat": {"total_engaged_users": 5, "editors": chat_editors},
        "copilot_dotcom_chat": {"total_engaged_users": 3, "models": dotcom},
        "copilot_dotcom_pull_requests": {"total_engaged_users": 2, "repositories": repos},
    }
    return obj, requests, active


def test_archive_of_28_day_pulls_gives_requests_and_active_user_days_in_ingest_json(org_a, tmp_path, capsys):
    rng = random.Random(15)
    days, requests, active, records = [], 0, 0, 0
    for d in range(336):
        obj, per_model, users = day_object(rng, DAY0 + timedelta(days=d))
        days.append(obj)
        requests += sum(per_model.values())
        active += users  # active users are put once a day, on the copilot row
        records += len(per_model)
    pulls = [days[i : i + 28] for i in range(0, len(days), 28)]
    data = b"\xef\xbb\xbf" + "\n".join(json.dumps(p) for p in pulls).encode()
    out = ingest_json(tmp_path, capsys, KEY, "copilot-metrics.json", data)
    assert amounts(out) == {
        "requests": requests,
        "input_tokens": 0,
        "cached_input_tokens": 0,
        "output_tokens": 0,
        "active_user_days": active,
    }
    assert (out["rows"], out["records"]) == (len(days), records)
