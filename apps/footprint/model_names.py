"""Model names as sources spell them, reduced to what the lineage table looks up, and to their family.

Sources name one model many ways: a gateway prefix (`openai/gpt-4o`, `vertex_ai/gemini-2.5-pro`), an AWS
Bedrock id (`anthropic.claude-3-5-sonnet-20240620-v1:0`, cross-region `eu.anthropic...`), a Vertex AI
version tag (`claude-sonnet-4@20250514`), a dated version (`gpt-4o-2024-08-06`) or an Azure deployment name
(`gpt-4o-0513`). `lookup_candidates` lists the spellings to try, in order; `model_family` groups the
versions of one model on the pages. Pure string functions, no Django, no factor set.
"""

from __future__ import annotations

import re

# Gateway prefixes LiteLLM and the clouds put before a model name (`provider/model`).
_PREFIX = re.compile(r"^[a-z0-9_.-]+/")
# Bedrock: optional cross-region inference prefix, the vendor, the model, the version suffix (-v1:0).
_BEDROCK = re.compile(r"^(?:(?:us|eu|apac|us-gov|global)\.)?[a-z0-9]+\.(?P<model>.+?)(?:-v\d+(?::\d+)?)?$")
# Dated suffixes: -2024-08-06, -20250514, @20250514, -03-2025 (Cohere), -0513 / -2411 (Azure, Mistral),
# -001 (Vertex stable versions), -latest.
_DATED = (
    re.compile(r"[-@]\d{4}-\d{2}-\d{2}$"),
    re.compile(r"[-@]\d{8}$"),
    re.compile(r"-\d{2}-\d{4}$"),
    re.compile(r"-\d{4}$"),
    re.compile(r"-\d{3}$"),
    re.compile(r"-latest$"),
)


def lookup_candidates(name: str) -> list[str]:
    """The spellings of `name` to look up, most specific first (lower case, no duplicates)."""
    raw = str(name).strip().lower()
    out: list[str] = []

    def add(value: str) -> None:
        if value and value not in out:
            out.append(value)

    add(raw)
    bare = _PREFIX.sub("", raw)
    add(bare)
    if "." in bare and not re.match(r"^[a-z]+-\d", bare):
        m = _BEDROCK.match(bare)
        if m:
            add(m.group("model"))
    for value in list(out):
        if "@" in value:  # Vertex AI: claude-sonnet-4@20250514 is the dated id claude-sonnet-4-20250514
            add(value.replace("@", "-"))
    return out


def model_family(name: str) -> str:
    """The family a model name belongs to: the name without gateway prefix, Bedrock vendor and version
    suffix, Vertex tag or date (`gpt-4o-2024-08-06`, `openai/gpt-4o` and `gpt-4o-0513` -> `gpt-4o`;
    `anthropic.claude-sonnet-4-20250514-v1:0` -> `claude-sonnet-4`). Names without any of these are
    their own family, in the source's spelling. Pure: the pages group by it."""
    candidates = lookup_candidates(name)
    if not candidates:
        return ""
    family = candidates[-1].split("@", 1)[0]
    for _ in range(2):  # a date then -latest, or -001 after a date: at most two suffixes
        for pattern in _DATED:
            stripped = pattern.sub("", family)
            if stripped != family and stripped:
                family = stripped
                break
    # The name's own spelling (case) of the family: `Microsoft 365 Copilot` stays as the source wrote it.
    raw = str(name).strip()
    at = raw.lower().find(family)
    return raw[at : at + len(family)] if at >= 0 else family


_PARAM_COUNT = re.compile(r"(?<![a-z0-9.x])(\d+(?:\.\d+)?)b(?![a-z0-9])")


def published_params_b(model: str) -> float | None:
    """The parameter count (billions) a model name states as a separate part (`llama-3.1-70b`, `qwen-7b`,
    `mixtral-8x7b` is not one: 8 experts of 7B), or None."""
    found = _PARAM_COUNT.findall(str(model).lower().replace("_", "-"))
    return float(found[-1]) if found else None
