"""The JSON reader refuses a document nested deeper than MAX_DEPTH from its brackets, as it reads (issue 19), and
never counts a bracket inside a string, whatever block boundary falls where (read_size down to one byte)."""

import io
import json

import pytest

from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.json_reader import MAX_DEPTH, iter_json_values


def _read(data: bytes, read_size: int = 1 << 20):
    return list(iter_json_values(io.BytesIO(data), "deep.json", read_size=read_size))


def test_max_depth_is_read_and_one_level_more_is_refused_at_its_bracket():
    inner = MAX_DEPTH - 1  # the top-level array's item holds the other levels
    assert _read(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) == [("[0]", json.loads("[" * inner + "]" * inner))]
    with pytest.raises(SourceError) as refused:
        _read(b'{"a": ' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}")
    # '{' is level 1 at character 0; the '[' of level 65 is the 64th bracket after the 6 characters '{"a": '.
    assert f"nested more than {MAX_DEPTH} levels deep at character {6 + MAX_DEPTH - 1} (line 1)" in str(refused.value)
    assert str(refused.value).startswith("deep.json")


def test_100000_levels_are_refused_without_building_them():
    with pytest.raises(SourceError, match="nested more than 64 levels"):
        _read(b"[" * 100_000 + b"]" * 100_000)


@pytest.mark.parametrize("read_size", [1, 2, 3, 5, 7, 64, 1 << 20])
def test_brackets_and_escaped_quotes_inside_strings_do_not_count(read_size):
    doc = {
        "text": "[" * 200 + '\\"' + "{" * 200 + '"' + "\\" * 3,
        "more": ["\\", '"[', "]]]]"],
        "nested": [[[{"x": "[[["}]]],
    }
    data = json.dumps(doc).encode()
    assert _read(data, read_size) == [("", doc)]
