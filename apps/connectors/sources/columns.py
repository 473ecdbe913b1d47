"""The columns a source reads, with the spellings accepted in files, matched to a file's header."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apps.connectors.sources.detect import wrong_source_hint
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.names import norm
from apps.core.messages import Message


@dataclass(frozen=True)
class Field:
    """One column a source reads: ``name`` is what the code calls it, ``aliases`` the spellings
    accepted in files (compared after :func:`norm`)."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def spellings(self) -> tuple[str, ...]:
        """The name and its aliases, normalised."""
        return tuple(norm(a) for a in (self.name, *self.aliases))

    @property
    def label(self) -> str:
        """The column as the vendor's export spells it (the first alias), for messages."""
        return self.aliases[0] if self.aliases else self.name


def resolve_columns(
    header: Sequence[str],
    fields: Sequence[Field],
    filename: str,
    source_key: str,
    *,
    refuse_unknown: bool = False,
) -> dict[str, str]:
    """Map each field to the header column that spells it. Raises SourceError listing the expected
    columns that are missing, the unknown ones found, and which source the file looks like."""
    by_norm: dict[str, str] = {}
    for col in header:
        by_norm.setdefault(norm(col), col)
    found: dict[str, str] = {}
    missing: list[str] = []
    for field in fields:
        hit = next((by_norm[s] for s in field.spellings() if s in by_norm), None)
        if hit is not None:
            found[field.name] = hit
        elif field.required:
            missing.append(field.label)
    used = set(found.values())
    unknown = [c for c in header if c not in used]
    if missing or (refuse_unknown and unknown):
        problems = []
        if missing:
            problems.append(Message("missing expected column(s) {columns}", columns=_quote_list(missing)))
        if unknown:
            problems.append(Message("found column(s) it does not use {columns}", columns=_quote_list(unknown)))
        problem = (
            problems[0] if len(problems) == 1 else Message("{first}; {second}", first=problems[0], second=problems[1])
        )
        hint = wrong_source_hint({norm(c) for c in header}, source_key)
        raise SourceError(
            filename, 1 if header else None, None, Message("{problem}.{hint}", problem=problem, hint=hint)
        )
    return found


def _quote_list(items: Sequence[str], limit: int = 12) -> Message:
    shown = ", ".join(f"'{i}'" for i in items[:limit])
    more = Message(" (and {n} more)", n=len(items) - limit) if len(items) > limit else ""
    return Message("{shown}{more}", shown=shown, more=more)
