"""Keys given twice and numbers that are not finite, refused by every JSON reader (issue 19).

The corpus (tests/security/corpus_hostile.py) sends one of each through every JSON source; here the paths the
refusal names are checked shape by shape (arrays streamed, JSON lines, pages, a single document), and the readers
that use json.loads (OTel lines, CloudWatch messages) refuse the same things.
"""

import io
import json

import pytest

from apps.connectors.sources.errors import SourceError
from apps.connectors.sources.json_reader import iter_json_values, load_json
from apps.connectors.sources.json_strict import StrictJsonError, strict_loads
from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

TWICE = "is given twice in one object"


@pytest.mark.parametrize(
    ("data", "stream_array", "row", "key"),
    [
        (b'[{"a": 1}, {"b": {"c": 1, "c": 2}}]', True, "[1].b", "c"),
        (b'[{"a": 1}, {"b": {"c": 1, "c": 2}}]', False, "[1].b", "c"),
        (b'{"x": [{"a": 1}, {"a": 2, "a": 3}]}', True, "x[1]", "a"),
        (b'{"x": 1}\n{"y": {"z": [1, [2], {"q": 1, "q": 2}]}}\n', True, "[1].y.z[2]", "q"),
        (b'{"x": {"a": 1, "a": 2}}\n{"y": 1}\n', True, "[0].x", "a"),
        (b'{"a": 1, "b": 2, "a": 3}', False, "", "a"),
        (b'[[1, 2], [{"k": 0}, {"k": 1, "j": 2, "k": 3}]]', False, "[1][1]", "k"),
    ],
    ids=["array", "array-whole", "single", "lines-second", "lines-first", "top-level", "nested-arrays"],
)
def test_a_key_given_twice_is_refused_naming_its_object_and_key(data, stream_array, row, key):
    with pytest.raises(SourceError) as info:
        list(iter_json_values(io.BytesIO(data), "d.json", stream_array=stream_array))
    assert (info.value.row, info.value.column) == (row, key)
    assert f"the key '{key}' {TWICE}" in str(info.value) and str(info.value).startswith("d.json, at ")


def test_the_same_key_in_two_objects_is_no_duplicate():
    data = b'[{"a": 1, "b": {"a": 2}}, {"a": 3}]'
    assert [v for _, v in iter_json_values(io.BytesIO(data), "d.json")] == [{"a": 1, "b": {"a": 2}}, {"a": 3}]
    assert load_json(io.BytesIO(data), "d.json") == [("", json.loads(data))]


def test_the_exact_reading_gives_floats_and_no_duplicate_of_its_own():
    # An integer beyond 64 bits has the file read again with numbers as text, turned into floats in place.
    data = b'[{"n": 18446744073709551616, "f": 0.001}, {"f": 2.5, "g": {"h": 1e-3}}]'
    values = [v for _, v in iter_json_values(io.BytesIO(data), "d.json")]
    assert values == json.loads(data) and type(values[1]["g"]["h"]) is float


def test_a_duplicate_after_an_integer_beyond_64_bits_is_found_on_the_exact_reading():
    # The first reading stops at the big integer and the file is read again with numbers as text.
    data = b'[{"n": 18446744073709551616}, {"m": 1.5, "m": 2}]'
    with pytest.raises(SourceError) as info:
        list(iter_json_values(io.BytesIO(data), "d.json"))
    assert (info.value.row, info.value.column) == ("[1]", "m")


@pytest.mark.parametrize(
    ("data", "row", "column", "text"),
    [
        (b'{"a": [1, 2, 1e400]}', "a[2]", None, "the number 1E+400 is out of range"),
        (b'[{"a": {"b": -1e400}}]', "[0].a", "b", "the number -1E+400 is out of range"),
        (b"[1, 1e400]", "[1]", None, "the number 1E+400 is out of range"),
        (b'[{"a": NaN}]', None, None, "invalid JSON at character 7 (line 1): NaN is not a finite number"),
        (b'{"a": 1}\n{"b": -Infinity}\n', None, None, "character 15 (line 2): -Infinity is not a finite number"),
    ],
    ids=["in-array", "in-object", "second-item", "nan", "infinity-line-2"],
)
def test_numbers_that_are_not_finite_are_refused_where_they_stand(data, row, column, text):
    with pytest.raises(SourceError) as info:
        list(iter_json_values(io.BytesIO(data), "d.json"))
    assert (info.value.row, info.value.column) == (row, column)
    assert text in str(info.value), str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1, "a": 2}', "the key 'a' is given twice"),
        ('{"a": [{"b": 1}, {"c": 1, "c": 1}]}', "the key 'c' is given twice"),
        ('{"a": NaN}', "NaN is not a finite number"),
        ('{"a": Infinity}', "Infinity is not a finite number"),
        ('{"a": 1e400}', "the number 1e400 is out of range"),
    ],
)
def test_strict_loads_refuses_what_the_incremental_reader_refuses(text, expected):
    with pytest.raises(StrictJsonError) as info:
        strict_loads(text)
    assert expected in info.value.message and isinstance(info.value, ValueError)
    assert strict_loads('{"a": 1.5, "b": [1e300, -2]}') == {"a": 1.5, "b": [1e300, -2]}


def test_otel_lines_with_a_key_twice_leave_the_fast_path_and_are_refused_naming_the_span():
    lines = fixture_bytes("otel_genai", "traces.jsonl").decode().splitlines()
    second = lines[1].replace('"name": ', '"name": "twice", "name": ', 1)
    assert second != lines[1]
    error = refused("otel_genai", "\n".join([lines[0], second, *lines[2:]]).encode(), "traces.jsonl")
    assert error.row.startswith("[1].resourceSpans[0]") and error.column == "name" and TWICE in error.message


def test_a_cloudwatch_message_with_a_key_twice_or_nan_is_refused_naming_the_event():
    lines = [json.loads(line) for line in fixture_bytes("aws_bedrock_invocations", "invocations.jsonl").splitlines()]
    messages = [json.dumps(r) for r in lines]
    plain = {"events": [{"timestamp": 0, "message": m} for m in messages]}
    as_lines = totals(
        parse_bytes("aws_bedrock_invocations", fixture_bytes("aws_bedrock_invocations", "invocations.jsonl"))
    )
    assert totals(parse_bytes("aws_bedrock_invocations", json.dumps(plain).encode())) == as_lines
    for bad, expected in (
        (messages[1].replace('"inputTokenCount": ', '"inputTokenCount": 5, "inputTokenCount": ', 1), TWICE),
        (messages[1].replace('"inputTokenCount": ', '"inputTokenCount": NaN, "x": ', 1), "NaN is not a finite"),
    ):
        assert bad != messages[1]
        events = {"events": [{"timestamp": 0, "message": m} for m in [messages[0], bad, *messages[2:]]]}
        error = refused("aws_bedrock_invocations", json.dumps(events).encode(), "cw.json")
        assert (error.row, error.column) == ("events[1]", "message") and expected in error.message, error.message


def test_what_a_caller_writes_into_the_values_is_a_plain_write():
    # Between two values the objects are plain dicts: a caller's own write is never taken for a key given twice.
    data = b'[{"a": 1, "b": {"c": 2}}, {"a": 3}, {"a": 4}]'
    seen = []
    for _, value in iter_json_values(io.BytesIO(data), "d.json"):
        value["a"] = value["a"] * 10
        if "b" in value:
            value["b"]["c"] = 0
        seen.append(value)
    assert seen == [{"a": 10, "b": {"c": 0}}, {"a": 30}, {"a": 40}]
