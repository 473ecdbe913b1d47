"""The incremental JSON reader fuzzed against json.loads (issue 19): random documents, some with a key given twice,
a number beyond a double or a long run of brackets in a string, read in random block sizes. Whatever the reader
gives must be what json.loads gives, and whatever it refuses must be what strict_loads (json.loads with the same
rules) refuses. New cases every run; a failure prints the seed (`pytest --hypothesis-seed=N` replays it)."""

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.json_reader import iter_json_values
from apps.connectors.sources.json_strict import StrictJsonError, strict_loads

KEYS = st.sampled_from(["a", "b", "input_tokens", "é", "[", '"', "\\", "k{"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.sampled_from('ab[]{}"\\é,: '), max_size=12),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=25,
)
# A file is an array or an object (the readers take a top-level scalar for text, not JSON).
DOCUMENTS = st.one_of(st.lists(VALUES, max_size=4), st.dictionaries(KEYS, VALUES, max_size=4))


def _dump(value, state: dict) -> str:
    """json.dumps of the value; while state["twice"], the first object met (in text order) gets its first key given
    twice, first with the value 0. Built from the value, not by searching the text: a "{" may sit in a string."""
    if isinstance(value, dict):
        parts = []
        if state["twice"] and value:
            state["twice"] = False
            parts.append(f"{json.dumps(next(iter(value)), ensure_ascii=False)}: 0")
        parts += [f"{json.dumps(k, ensure_ascii=False)}: {_dump(v, state)}" for k, v in value.items()]
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dump(v, state) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _text(value, twice: bool, huge: bool) -> str:
    """The document as JSON; `twice` repeats the first key of the first object found (with another value), `huge`
    adds a number beyond a double's range first in the document."""
    text = _dump(value, {"twice": twice})
    if huge:  # first in the array, or under its own key first in the object
        first = "1e999" if text[0] == "[" else '"huge": 1e999'
        text = text[0] + first + (", " if text[1] not in "]}" else "") + text[1:]
    return text


def test_the_key_given_twice_is_found_by_structure_not_by_searching_the_text():
    assert _text([["{"], {"a": 1}], twice=True, huge=False) == '[["{"], {"a": 0, "a": 1}]'
    assert _text([["{"]], twice=True, huge=False) == '[["{"]]'
    assert json.loads(_text({"a": [1.5, None], "é": "x"}, twice=False, huge=False)) == {"a": [1.5, None], "é": "x"}


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=DOCUMENTS, twice=st.booleans(), huge=st.booleans(), read_size=st.sampled_from([1, 3, 17, 4096, 1 << 20]))
def test_the_reader_gives_what_json_loads_gives_and_refuses_what_strict_loads_refuses(value, twice, huge, read_size):
    text = _text(value, twice, huge)
    try:
        expected = strict_loads(text)
    except StrictJsonError as exc:
        expected = exc
    try:
        got = list(iter_json_values(io.BytesIO(text.encode()), "f.json", stream_array=False, read_size=read_size))
    except SourceError as exc:
        got = exc
    if isinstance(expected, StrictJsonError):
        assert isinstance(got, SourceError), (text, got)
        if not huge:  # with both, which one each reader meets first may differ
            assert ("given twice" in expected.message) == ("given twice" in got.message), (text, got.message)
    else:
        assert got == [("", expected)], text
