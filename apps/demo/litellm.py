"""The LiteLLM gateway's spend logs: vectorised Arrow blocks of requests, written as the CSV export."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .people import DEMO_SEED, DemoPerson, team_members
from .timeline import day_weights

LITELLM_ROWS = 200_000  # gateway requests in the full-scale demo year
LITELLM_HEADER = (
    "request_id",
    "call_type",
    "api_key",
    "spend",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "startTime",
    "endTime",
    "model",
    "model_group",
    "custom_llm_provider",
    "api_base",
    "user",
    "metadata",
    "cache_hit",
    "request_tags",
    "team_id",
    "end_user",
)
UNKNOWN_GATEWAY_KEY = "9b1f0c3e7a2d4b6f8e0a1c3e5f7092b4d6f8a0c2e4f6a8b0c2d4e6f8a0b2c4d6"
CONTRACTOR = "j.doe@agency-partner.example"


@dataclass(frozen=True)
class Workload:
    """A stream of gateway requests: who sends them, to which models, of what size."""

    name: str
    team: str  # team alias on the key ('' for an orphan key)
    share: float  # of all gateway requests
    models: tuple[tuple[str, str, float, float], ...]  # (model, provider, share in January, share in December)
    prompt: float  # median prompt tokens
    completion: float  # median completion tokens
    users: str = "team"  # 'team': the team's people in `user`; 'meta': in metadata only; '': a service key


WORKLOADS = (
    Workload(
        "eng-assistant",
        "Engineering",
        0.30,
        (
            ("claude-sonnet-4-5", "anthropic", 0.5, 0.55),
            ("gpt-4.1", "openai", 0.35, 0.2),
            ("gpt-4.1-mini", "openai", 0.15, 0.25),
        ),
        3000,
        600,
    ),
    Workload(
        "support-bot",
        "Customer Support",
        0.27,
        (("gpt-4o", "openai", 0.7, 0.1), ("gpt-4o-mini", "openai", 0.3, 0.9)),
        1500,
        220,
        users="",
    ),
    # Marketing sends short, simple prompts to a big model: the right-sizing case.
    Workload(
        "marketing-content",
        "Marketing",
        0.16,
        (("gpt-4o", "openai", 0.85, 0.85), ("gemini-2.5-flash", "vertex_ai", 0.15, 0.15)),
        250,
        140,
    ),
    Workload(
        "ds-batch",
        "Data Science",
        0.15,
        (
            ("gpt-4.1-mini", "openai", 0.4, 0.3),
            ("claude-haiku-4-5", "anthropic", 0.4, 0.5),
            ("gemini-2.5-pro", "vertex_ai", 0.2, 0.2),
        ),
        1200,
        80,
        users="meta",
    ),
    Workload(
        "office-assistant",
        "Finance",
        0.06,
        (("gpt-4.1", "openai", 0.6, 0.5), ("claude-sonnet-4-5", "anthropic", 0.4, 0.5)),
        2500,
        500,
    ),
    Workload("legal-assistant", "Legal", 0.04, (("claude-sonnet-4-5", "anthropic", 1.0, 1.0),), 7000, 900),
    Workload("", "", 0.02, (("gpt-4o-mini", "openai", 1.0, 1.0),), 800, 200, users=""),  # an orphan key
)
# USD per 1M tokens (input, output), list prices of late 2025.
PRICES = {
    "gpt-4o": (2.5, 10.0),
    "gpt-4o-mini": (0.15, 0.6),
    "gpt-4.1": (2.0, 8.0),
    "gpt-4.1-mini": (0.4, 1.6),
    "claude-sonnet-4-5": (3.0, 15.0),
    "claude-haiku-4-5": (1.0, 5.0),
    "gemini-2.5-flash": (0.3, 2.5),
    "gemini-2.5-pro": (1.25, 10.0),
}
API_BASES = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "vertex_ai": "https://europe-west4-aiplatform.googleapis.com",
}


def _key_hash(name: str) -> str:
    return hashlib.sha256(f"sk-demo-{name}".encode()).hexdigest()


def iter_litellm_blocks(
    rows: int, year: int, people: list[DemoPerson], seed: int = DEMO_SEED, block_rows: int = 250_000
) -> Iterator[pa.Table]:
    """LiteLLM spend-log rows as Arrow tables of at most `block_rows` rows (string columns, in the
    order of LITELLM_HEADER), `rows` in all, in time order within each block. Vectorised: millions of
    rows take seconds, and memory stays flat because blocks are written one at a time."""
    rng = np.random.default_rng(seed + 9)
    cal = day_weights(year)
    day_p = (cal["weight"] / cal["weight"].sum()).to_numpy()
    day_ns = cal["day"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    t_of_day = cal["t"].to_numpy()
    shares = np.array([w.share for w in WORKLOADS])
    shares = shares / shares.sum()
    members = {w.team: [p.email for p in team_members(people, w.team)] for w in WORKLOADS if w.team}
    # A contractor outside the directory uses the marketing tool: an unmapped person.
    mkt = members.get("Marketing", [])
    members["Marketing"] = [*mkt[:3], CONTRACTOR, *mkt[3:]]  # among the heavier users, so it shows
    done = 0
    while done < rows:
        n = min(block_rows, rows - done)
        day_idx = np.sort(rng.choice(len(day_p), n, p=day_p))
        seconds = np.clip(rng.normal(13.5 * 3600, 3 * 3600, n), 0, 86_399).astype(np.int64)
        start_ns = day_ns[day_idx] + seconds * 1_000_000_000 + rng.integers(0, 1000, n) * 1_000_000
        work = rng.choice(len(WORKLOADS), n, p=shares)
        t = t_of_day[day_idx]
        model = np.empty(n, dtype=object)
        provider = np.empty(n, dtype=object)
        user = np.full(n, "", dtype=object)
        meta_user = np.full(n, "", dtype=object)
        team = np.empty(n, dtype=object)
        key_alias = np.empty(n, dtype=object)
        prompt = np.empty(n, dtype=np.int64)
        completion = np.empty(n, dtype=np.int64)
        for w_i, w in enumerate(WORKLOADS):
            idx = np.flatnonzero(work == w_i)
            if not len(idx):
                continue
            jan = np.array([m[2] for m in w.models])
            dec = np.array([m[3] for m in w.models])
            # The model mix drifts linearly from January's shares to December's.
            probs = jan[None, :] * (1 - t[idx, None]) + dec[None, :] * t[idx, None]
            cum = probs.cumsum(axis=1) / probs.sum(axis=1, keepdims=True)
            pick = (rng.random(len(idx))[:, None] > cum).sum(axis=1)
            pick = np.minimum(pick, len(w.models) - 1)
            model[idx] = np.array([m[0] for m in w.models], dtype=object)[pick]
            provider[idx] = np.array([m[1] for m in w.models], dtype=object)[pick]
            team[idx] = w.team
            key_alias[idx] = w.name
            prompt[idx] = np.maximum(1, rng.lognormal(np.log(w.prompt), 0.6, len(idx))).astype(np.int64)
            completion[idx] = np.maximum(1, rng.lognormal(np.log(w.completion), 0.5, len(idx))).astype(np.int64)
            if w.users and members.get(w.team):
                pool = np.array(members[w.team], dtype=object)
                chosen = pool[_zipf_indices(rng, len(pool), len(idx))]
                if w.users == "team":
                    user[idx] = chosen
                else:
                    meta_user[idx] = chosen
        cached = (prompt * rng.choice([0.0, 0.25, 0.5], n, p=[0.5, 0.3, 0.2])).astype(np.int64)
        cache_hit = rng.random(n) < 0.03
        price_in = np.array([PRICES[m][0] for m in model]) / 1e6
        price_out = np.array([PRICES[m][1] for m in model]) / 1e6
        spend = np.where(cache_hit, 0.0, (prompt - cached) * price_in + cached * price_in / 2 + completion * price_out)
        latency_ms = (completion * rng.uniform(8, 25, n)).astype(np.int64) + 300
        orphan = key_alias == ""
        api_key = np.array([_key_hash(k) if k else UNKNOWN_GATEWAY_KEY for k in key_alias], dtype=object)
        team_id = np.where(orphan, "", np.char.add("team-", np.char.lower(team.astype(str))).astype(object))
        start = np.datetime_as_string(start_ns.astype("datetime64[ns]"), unit="ms")
        end = np.datetime_as_string((start_ns + latency_ms * 1_000_000).astype("datetime64[ns]"), unit="ms")
        ids = pc.binary_join_element_wise("chatcmpl-", pc.cast(pa.array(np.arange(done, done + n)), pa.string()), "")
        s = pa.array
        q = '"'
        # The metadata JSON as LiteLLM stores it: key alias, team alias, key owner and the usage object.
        metadata = pc.binary_join_element_wise(
            "{" + q + "user_api_key_alias" + q + ": " + q,
            s(key_alias, pa.string()),
            q + ", " + q + "user_api_key_team_alias" + q + ": " + q,
            s(team, pa.string()),
            q + ", " + q + "user_api_key_user_id" + q + ": " + q,
            s(np.where(user != "", user, meta_user), pa.string()),
            q
            + ", "
            + q
            + "usage_object"
            + q
            + ": {"
            + q
            + "prompt_tokens_details"
            + q
            + ": {"
            + q
            + "cached_tokens"
            + q
            + ": ",
            pc.cast(s(cached), pa.string()),
            "}}}",
            "",
        )
        table = pa.table(
            {
                "request_id": ids,
                "call_type": s(np.full(n, "acompletion", dtype=object), pa.string()),
                "api_key": s(api_key, pa.string()),
                "spend": pc.cast(s(np.round(spend, 8)), pa.string()),
                "total_tokens": pc.cast(s(prompt + completion), pa.string()),
                "prompt_tokens": pc.cast(s(prompt), pa.string()),
                "completion_tokens": pc.cast(s(completion), pa.string()),
                "startTime": pc.binary_join_element_wise(s(start, pa.string()), "Z", ""),
                "endTime": pc.binary_join_element_wise(s(end, pa.string()), "Z", ""),
                "model": s(model, pa.string()),
                "model_group": s(model, pa.string()),
                "custom_llm_provider": s(provider, pa.string()),
                "api_base": s([API_BASES[p] for p in provider], pa.string()),
                "user": s(user, pa.string()),
                "metadata": metadata,
                "cache_hit": s(np.where(cache_hit, "True", "False"), pa.string()),
                "request_tags": s(np.full(n, "[]", dtype=object), pa.string()),
                "team_id": s(team_id, pa.string()),
                "end_user": s(np.full(n, "", dtype=object), pa.string()),
            }
        )
        yield table
        done += n


def _zipf_indices(rng: np.random.Generator, pool: int, n: int) -> np.ndarray:
    """`n` indices into a pool of `pool` people, heavy-tailed (a few power users, many light ones)
    and the same people heavy every run (rank i has weight 1/(i+1)^0.8)."""
    weights = 1.0 / np.arange(1, pool + 1) ** 0.8
    return rng.choice(pool, n, p=weights / weights.sum())


def write_litellm_csv(target, rows: int, year: int, people: list[DemoPerson], seed: int = DEMO_SEED) -> None:
    """Write a LiteLLM spend-log CSV export (``LiteLLM_SpendLogs`` columns) of `rows` requests to
    `target` (a path or a binary file)."""
    options = pacsv.WriteOptions(include_header=True)
    with pacsv.CSVWriter(target, pa.schema([(c, pa.string()) for c in LITELLM_HEADER]), write_options=options) as w:
        for table in iter_litellm_blocks(rows, year, people, seed):
            w.write_table(table)
