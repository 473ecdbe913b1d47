"""The pages of a vendor API's JSON answers: one page, a JSON list of pages (a pull's document), or pages written
one after another (JSON lines / ``--paginate`` output), each an object with a list of entries (``data``, ...)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from apps.connectors.sources.detect import json_fields, wrong_source_hint
from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.json_reader import load_json
from apps.core.messages import Message


def iter_pages(
    stream: BinaryIO, filename: str, key: str, *, what: str, items: str = "data", of: str = ""
) -> Iterator[tuple[str, dict]]:
    """(JSON path, page) of every page of the file, in order. A page that is not an object with an `items` list
    is refused: "expected <what>, an object with a '<items>' list[ of <of>]", with the "looks like" hint."""
    for top_path, value in load_json(stream, filename, key):
        pages = value if isinstance(value, list) else [value]
        for i, page in enumerate(pages):
            path = f"{top_path}[{i}]" if isinstance(value, list) else top_path
            if not isinstance(page, dict) or not isinstance(page.get(items), list):
                listing = (
                    Message("'{items}' list of {of}", items=items, of=of)
                    if of
                    else Message("'{items}' list", items=items)
                )
                hint = wrong_source_hint(json_fields(page), key)
                raise SourceError(
                    filename,
                    path,
                    items if isinstance(page, dict) else None,
                    Message("expected {what}, an object with a {listing}{hint}", what=what, listing=listing, hint=hint),
                )
            yield path, page


def entry_path(path: str, items: str, index: int) -> str:
    """The JSON path of entry `index` of a page's `items` list (``data[3]`` at the top level)."""
    return f"{path}.{items}[{index}]" if path else f"{items}[{index}]"
