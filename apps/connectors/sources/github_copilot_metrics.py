"""GitHub Copilot metrics (``GET /orgs/{org}/copilot/metrics``, also the team and enterprise variants),
JSON: a list of day objects, or several such lists one after another.

Each day has ``date``, ``total_active_users``, ``total_engaged_users`` and per-feature sections:
``copilot_ide_code_completions.editors[].models[].languages[]`` (``total_code_suggestions``),
``copilot_ide_chat.editors[].models[]`` (``total_chats``), ``copilot_dotcom_chat.models[]``
(``total_chats``) and ``copilot_dotcom_pull_requests.repositories[].models[]``
(``total_pr_summaries_created``).

Usage frame rows (``seat_activity``, provider ``github``), one per day x model:

* model: ``copilot`` for GitHub's ``default`` model, else the custom model's name. The editor is not
  a frame column, so counts are summed over editors.
* active_user_days: the day's ``total_active_users``, put on the ``copilot`` row only (active users
  cannot be split by model without counting a person twice).
* requests: code suggestions + IDE chats + github.com chats + PR summaries, our proxy for model
  requests (a suggestion shown is a completion request; acceptances are not added again).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, BinaryIO, ClassVar

import pandas as pd
from pydantic import Field

from apps.connectors.sources.detect import json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.frames import finish
from apps.connectors.sources.json_models import Count, Items, JsonRow, RequiredCount, Section, Text, validate
from apps.connectors.sources.json_reader import load_json
from apps.connectors.sources.json_values import json_day
from apps.connectors.sources.skips import counted
from apps.core.messages import Message
from apps.footprint.usage_frame import USAGE_KIND_SEAT_ACTIVITY

KEY = "github_copilot_metrics"
LABEL = "GitHub Copilot metrics"
SIGNATURE = (
    "date",
    "total_active_users",
    "total_engaged_users",
    "copilot_ide_code_completions",
    "copilot_ide_chat",
)
PROVIDER = "github"
DEFAULT_MODEL = "copilot"


class _Named(JsonRow):
    name: Text = ""

    @property
    def model(self) -> str:
        """The frame's model: ``copilot`` for GitHub's default model, else the custom model's name."""
        return DEFAULT_MODEL if self.name in ("", "default") else self.name


class Language(JsonRow):
    total_code_suggestions: Count = 0


class CompletionModel(_Named):
    languages: Items[Language] = []


class CompletionEditor(JsonRow):
    models: Items[CompletionModel] = []


class Completions(JsonRow):
    editors: Items[CompletionEditor] = []


class ChatModel(_Named):
    total_chats: Count = 0


class ChatEditor(JsonRow):
    models: Items[ChatModel] = []


class IdeChat(JsonRow):
    editors: Items[ChatEditor] = []


class DotcomChat(JsonRow):
    models: Items[ChatModel] = []


class PullRequestModel(_Named):
    total_pr_summaries_created: Count = 0


class Repository(JsonRow):
    models: Items[PullRequestModel] = []


class PullRequests(JsonRow):
    repositories: Items[Repository] = []


class Day(JsonRow):
    """One day of the metrics (its ``date`` is read apart, first); sections checked in this order."""

    WHAT: ClassVar[str] = Message("a Copilot metrics day")

    copilot_ide_code_completions: Section[Completions] = Completions()
    copilot_ide_chat: Section[IdeChat] = IdeChat()
    copilot_dotcom_chat: Section[DotcomChat] = DotcomChat()
    copilot_dotcom_pull_requests: Section[PullRequests] = PullRequests()
    total_active_users: RequiredCount = Field(default=None, validate_default=True)


def parse(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """Parse Copilot metrics days into seat_activity rows (see the module docstring)."""
    rows: list[dict[str, Any]] = []
    read = 0
    seen: dict[pd.Timestamp, str] = {}
    for top_path, value in load_json(stream, filename, KEY):
        days = value if isinstance(value, list) else [value]
        for i, day_obj in enumerate(days):
            path = f"{top_path}[{i}]" if isinstance(value, list) else top_path
            if not isinstance(day_obj, dict) or "date" not in day_obj or "total_active_users" not in day_obj:
                raise SourceError(
                    filename,
                    path,
                    "date" if isinstance(day_obj, dict) else None,
                    Message(
                        "expected a Copilot metrics day with 'date' and 'total_active_users'{hint}",
                        hint=wrong_source_hint(json_fields(day_obj), KEY),
                    ),
                )
            read += 1
            day_rows = _parse_day(day_obj, filename, path)
            day = day_rows[0]["day"]
            if day in seen:  # one object per day: a repeat (overlapping pulls) would count the day twice
                raise SourceError(
                    filename,
                    path,
                    "date",
                    Message(
                        "the day {day} already appears at {where}; "
                        "the file repeats a day (overlapping pulls?): keep one and upload again",
                        day=f"{day:%Y-%m-%d}",
                        where=seen[day],
                    ),
                )
            seen[day] = path or Message("the top level")
            rows += day_rows
    return finish(rows, KEY, attrs=counted(read))


def _parse_day(d: dict, filename: str, path: str) -> list[dict]:
    day = json_day(d.get("date"), filename, path, "date")
    metrics = validate(Day, d, filename, path)
    requests: dict[str, int] = defaultdict(int)
    requests[DEFAULT_MODEL] += 0  # the active-user row exists even on a day without counted requests
    for editor in metrics.copilot_ide_code_completions.editors:
        for model in editor.models:
            for lang in model.languages:
                requests[model.model] += lang.total_code_suggestions
    for editor in metrics.copilot_ide_chat.editors:
        for model in editor.models:
            requests[model.model] += model.total_chats
    for model in metrics.copilot_dotcom_chat.models:
        requests[model.model] += model.total_chats
    for repo in metrics.copilot_dotcom_pull_requests.repositories:
        for model in repo.models:
            requests[model.model] += model.total_pr_summaries_created
    active = metrics.total_active_users
    return [
        {
            "day": day,
            "provider": PROVIDER,
            "model": model,
            "usage_kind": USAGE_KIND_SEAT_ACTIVITY,
            "requests": n,
            "active_user_days": active if model == DEFAULT_MODEL else 0,
        }
        for model, n in requests.items()
    ]
