"""Row warnings as codes: a bitmask per row, turned into text only by `warning_messages`.

The notes that name something (a model, a zone, a seat tool's assumed factors) are written once per
distinct key by the estimators and the zone resolution, from the NOTES templates; the conditions a row is in
are these flags. Every text is an `apps.core.messages.Message`: the English text (what a record stores) that
keeps its template, so a page can show it in the reader's language (`render_warning` for a stored text)."""

from __future__ import annotations

import enum
import re
import string
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from apps.core.messages import Message, render


class RowWarning(enum.IntFlag):
    """Conditions of a row that its figures carry a warning for. The values are bits of one int64 per row."""

    SPEND_BASED = 1
    NO_EXCHANGE_RATE = 2
    RESIDUAL_MIX_UNVERIFIED = 4
    REQUEST_COUNT_MISSING = 8
    RENTED_MEASURED_COMPUTE = 16
    GRID_VINTAGE_GAP = 32
    GRID_OTHER_BOUNDARY = 64
    FACILITY_PUE_ASSUMED = 128
    SEAT_INTERACTIONS_ASSUMED = 256
    NO_RESIDUAL_MIX = 512


MESSAGES = {
    RowWarning.SPEND_BASED: Message("spend-based: CO2e from cost (EEIO factor), energy not estimated"),
    RowWarning.NO_EXCHANGE_RATE: Message("no exchange rate for the row's currency: spend-based CO2e unknown"),
    RowWarning.RESIDUAL_MIX_UNVERIFIED: Message("residual-mix factor not yet verified against the AIB publication"),
    RowWarning.REQUEST_COUNT_MISSING: Message("request count missing: time-to-first-token share omitted"),
    RowWarning.RENTED_MEASURED_COMPUTE: Message(
        "rented (not self-hosted) measured compute: Scope 3 cat. 1, not E1-5 energy"
    ),
    RowWarning.GRID_VINTAGE_GAP: Message(
        "grid or residual-mix factor of another year than the year of use (the latest earlier one or else the "
        "earliest; grid_year)"
    ),
    RowWarning.GRID_OTHER_BOUNDARY: Message(
        "grid factor on another boundary than the scope asks (Scope 2: generation, Scope 3: life cycle): "
        "the zone has no other"
    ),
    RowWarning.FACILITY_PUE_ASSUMED: Message("facility PUE not entered for the site: industry average assumed"),
    RowWarning.SEAT_INTERACTIONS_ASSUMED: Message(
        "seat interactions assumed (the source counts no requests for the row's day): active user-days x the tool's "
        "interactions per active day"
    ),
    RowWarning.NO_RESIDUAL_MIX: Message(
        "no residual mix for the zone and year (none published or NA under full disclosure): market-based at "
        "the grid average for the share no instrument covers (GHG Protocol Scope 2 hierarchy)"
    ),
}


def row_flags(conditions: Mapping[RowWarning, np.ndarray], n: int) -> np.ndarray:
    """One int64 bitmask per row from a boolean array per warning."""
    flags = np.zeros(n, dtype=np.int64)
    for flag, mask in conditions.items():
        flags |= mask.astype(np.int64) * int(flag)
    return flags


def warning_messages(flags: int) -> list[Message]:
    """The text of each warning set in `flags`, in the order of the codes."""
    flags = RowWarning(int(flags))
    return [text for flag, text in MESSAGES.items() if flag in flags]


# The notes that name something, one per distinct key. A quoted name is passed already quoted (repr), so the
# English text stays what the f-strings wrote, whatever the name holds.
ARCH_NOT_RELEASED = "{model}: architecture not released, parameter range from ecologits"
UNKNOWN_MODEL = (
    "unknown model {provider}/{model}: size class '{size_class}' ({active_min}-{active_max}B active), wide range"
)
NO_DATACENTRE_PUE = "provider {provider} has no data-centre PUE: range of all providers used"
EMBEDDING_MODEL = "{model}: embedding model, a prefill-only pass of an assumed {size} model"
SEAT_TOOL = (
    "seat tool '{tool}': {wh} Wh per interaction; assumed {per_day} interactions per active day ({status}) "
    "where the source counts no requests"
)
UNKNOWN_ZONE = "unknown zone {zone}: world average used"
SEAT_DEFAULT_ZONE = "no zone: seat tool default {zone}"
NO_ZONE = "no zone: world average used"
# The warning of a one-row estimate (`calculator.estimate_request`, the API's and the estimator page's).
ESTIMATE_ARCH_NOT_RELEASED = "architecture not released: parameter range from ecologits"
NOTES = (
    ARCH_NOT_RELEASED,
    UNKNOWN_MODEL,
    NO_DATACENTRE_PUE,
    EMBEDDING_MODEL,
    SEAT_TOOL,
    UNKNOWN_ZONE,
    SEAT_DEFAULT_ZONE,
    NO_ZONE,
)
SEPARATOR = "; "
# Fields whose value is a word of the factor tables' own vocabulary ("assumption"), translated as a message too.
WORD_FIELDS = frozenset({"status"})


class JoinedWarnings(Message):
    """Several warnings joined by SEPARATOR (a record's `warning`): its template is only "{w0}; {w1}...", with
    no words to translate, and each part a Message of its own."""


def join_warnings(parts: Iterable[str]) -> str:
    """The non-empty `parts` (joined ones flattened) as one text: "" for none, the part itself for one."""
    flat: list[str] = []
    for part in parts:
        if isinstance(part, JoinedWarnings):
            flat.extend(part.params.values())
        elif part:
            flat.append(part)
    if len(flat) <= 1:
        return flat[0] if flat else ""
    names = [f"w{i}" for i in range(len(flat))]
    return JoinedWarnings(SEPARATOR.join(f"{{{n}}}" for n in names), **dict(zip(names, flat, strict=True)))


class WarningTexts(dict):
    """{English text: its Message}, the distinct warnings of an estimated frame (its attrs["warning_messages"]).
    Never changed once built, so a frame's copies share it instead of deep-copying it on every column read."""

    def __deepcopy__(self, memo):
        return self


def _pattern(template: str) -> re.Pattern:
    # The template's words literally, each field any text, up to the next warning or the end.
    out = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        out.append(re.escape(literal))
        if field is not None:
            out.append(f"(?P<{field}>.+?)")
    return re.compile("".join(out) + f"(?={re.escape(SEPARATOR)}|\\Z)", re.S)


# Longest first: a template that is a prefix of another never takes its text.
TEMPLATES = tuple(sorted([*(m.template for m in MESSAGES.values()), *NOTES], key=len, reverse=True))
_PATTERNS = tuple((_pattern(t), t) for t in TEMPLATES)


def parse_warning(text: str) -> list[str]:
    """A stored `warning` text (a record's, old or new) as its parts: a Message for each part written from a
    known template, the text as it is for any other part (a warning of an older method version)."""
    parts: list[str] = []
    pos, end = 0, len(text)
    while pos < end:
        for pattern, template in _PATTERNS:
            found = pattern.match(text, pos)
            if found:
                params = {k: Message(v) if k in WORD_FIELDS else v for k, v in found.groupdict().items()}
                parts.append(Message(template, **params))
                pos = found.end()
                break
        else:
            stop = text.find(SEPARATOR, pos)
            stop = end if stop < 0 else stop
            parts.append(text[pos:stop])
            pos = stop
        if text.startswith(SEPARATOR, pos):
            pos += len(SEPARATOR)
    return parts


def render_warning(text: str, gettext: Callable[[str], str]) -> str:
    """A stored `warning` text in `gettext`'s language, part by part; a part of no known template as it is."""
    return SEPARATOR.join(render(p.to_dict(), gettext) if isinstance(p, Message) else p for p in parse_warning(text))
