"""The JSON reader refuses a document nested deeper than MAX_DEPTH from its brackets, as it reads (issue 19), and
never counts a bracket inside a string, whatever block boundary falls where (read_size down to one byte)."""

import io
import json

import pytest

from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.json_reader import iter_json_values
from apps.connectors.sources.json_scan import MAX_DEPTH, MAX_STRING_BYTES


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


@pytest.mark.parametrize("read_size", [1 << 20, 100_003])
def test_a_string_longer_than_the_bound_is_refused_where_it_starts_and_one_at_the_bound_is_read(read_size):
    # A 190 MiB string took 400 s before (yajl rescans a string that spans its pieces); refused from its first block.
    # The string's text is exactly MAX_STRING_BYTES bytes: x's, then ten escaped quotes (which end nothing).
    text = b"x" * (MAX_STRING_BYTES - 20) + b'\\"' * 10
    [(_, value)] = _read(b'{"a": "' + text + b'"}', read_size)
    assert value == {"a": "x" * (MAX_STRING_BYTES - 20) + '"' * 10}
    with pytest.raises(SourceError, match="the string that starts at character 6 "):
        _read(b'{"a": "' + text + b'x"}', read_size)
    data = b'[{"a": 1},\n {"b": "' + b"y" * (MAX_STRING_BYTES + 1) + b'"}]'
    with pytest.raises(SourceError) as refused:
        _read(data, read_size)
    assert f"the string that starts at character 18 (line 2) is longer than {MAX_STRING_BYTES:,} bytes" in str(
        refused.value
    )


def test_a_string_in_a_huge_file_is_refused_in_bounded_time_and_memory(tmp_path):
    path = tmp_path / "one-line.json"
    with path.open("wb") as out:
        out.write(b'[{"messages": "')
        for _ in range(64):
            out.write(b"z" * (1 << 20))
        out.write(b'"}]')
    with path.open("rb") as fh:
        with pytest.raises(SourceError, match="is longer than"):
            list(iter_json_values(fh, "one-line.json"))
        assert fh.tell() <= MAX_STRING_BYTES + 2 * (1 << 20)  # read no further than the block that crossed the bound
