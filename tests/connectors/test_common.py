"""Bad inputs every source shares: empty files, encodings, truncated JSON, wrong source, registry."""

import codecs
import io
import json

import pytest

from apps.connectors.sources import SourceError, get_source, iter_source_chunks
from apps.connectors.sources.json_reader import iter_json_values
from tests.connectors.helpers import FIXTURES, fixture_bytes, parse_bytes, refused, totals


def test_unknown_key_lists_the_keys():
    with pytest.raises(
        KeyError,
        match="known sources: anthropic_claude_code, anthropic_cost_report, anthropic_usage, aws_bedrock_invocations",
    ):
        get_source("openai")


@pytest.mark.parametrize(
    "key",
    [
        "generic_csv",
        "litellm_spend_logs",
        "codecarbon_emissions",
        "azure_openai_cost",
        "gcp_billing_export",
        "m365_copilot_usage",
    ],
)
def test_header_only_csv(key):
    header = next(iter(sorted((FIXTURES / key).glob("*.csv")))).read_bytes().split(b"\n", 1)[0]
    err = refused(key, header + b"\n", "header.csv")
    assert "header but no data rows" in str(err)


def test_latin1_bytes_are_refused_with_the_row():
    text = (
        fixture_bytes("generic_csv", "usage.csv")
        .decode()
        .replace("dana@contoso.com,legal,FR,0.025", "dana@contoso.com,légal,FR,0.025")
    )
    err = refused("generic_csv", text.encode("latin-1"), "usage.csv")
    assert "usage.csv, row 3" in str(err)
    assert "not valid UTF-8 (byte 0xe9)" in str(err) and "CSV UTF-8" in str(err)


def test_utf16_with_bom_is_transcoded():
    data = fixture_bytes("generic_csv", "usage.csv").decode().replace(",", "\t").encode("utf-16")
    assert totals(parse_bytes("generic_csv", data)) == totals(
        parse_bytes("generic_csv", fixture_bytes("generic_csv", "usage.csv"))
    )


def test_utf8_bom_is_fine():
    data = codecs.BOM_UTF8 + fixture_bytes("generic_csv", "usage.csv")
    assert totals(parse_bytes("generic_csv", data))["requests"] == 115


def test_truncated_json_reports_the_position():
    data = fixture_bytes("anthropic_usage", "usage_report_messages.json")
    cut = data[:700]
    err = refused("anthropic_usage", cut, "report.json")
    assert "report.json: the JSON ends early at character" in str(err) and "looks truncated" in str(err)


def test_truncated_json_array_streamed():
    data = fixture_bytes("github_copilot_metrics", "metrics.json").rstrip()[:-1]  # drop the closing ']'
    err = refused("github_copilot_metrics", data, "m.json")
    assert "looks truncated" in str(err)


def test_broken_json_in_the_middle_is_not_called_truncated():
    data = fixture_bytes("anthropic_usage", "usage_report_messages.json").replace(
        b'"output_tokens": 700,', b'"output_tokens": 700,,'
    )
    err = refused("anthropic_usage", data, "report.json")
    assert "invalid JSON at character" in str(err) and "line 23" in str(err)


def test_csv_given_to_a_json_source_and_json_to_a_csv_source():
    err = refused("openai_usage", fixture_bytes("litellm_spend_logs", "spend_logs.csv"), "logs.csv")
    assert "not JSON" in str(err) and "'litellm_spend_logs'" in str(err)
    err = refused("generic_csv", fixture_bytes("openai_usage", "completions_and_embeddings_pages.json"), "u.json")
    assert "the file is JSON" in str(err) and "'openai_usage'" in str(err)


def test_ragged_csv_row():
    text = fixture_bytes("generic_csv", "usage.csv").decode() + "2025-04-03,openai,gpt-4o\n"
    err = refused("generic_csv", text.encode(), "usage.csv")
    assert str(err).startswith("usage.csv, row 5: expected 14 values as in the header, got 3")


def test_source_error_dict_shape():
    err = SourceError("a.csv", 12, "output_tokens", "expected a whole number >= 0, got 'abc'")
    assert str(err) == "a.csv, row 12, column 'output_tokens': expected a whole number >= 0, got 'abc'"
    assert err.to_dict() == {
        "file": "a.csv",
        "row": 12,
        "column": "output_tokens",
        "message": "expected a whole number >= 0, got 'abc'",
    }


def test_iter_source_chunks_falls_back_to_parse():
    chunks = list(
        iter_source_chunks(
            "openai_usage",
            io.BytesIO(fixture_bytes("openai_usage", "completions_and_embeddings_pages.json")),
            "u.json",
        )
    )
    assert len(chunks) == 1 and int(chunks[0]["requests"].sum()) == 19


def test_non_seekable_stream():
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self._b = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buf):
            chunk = self._b.read(len(buf))
            buf[: len(chunk)] = chunk
            return len(chunk)

    data = fixture_bytes("generic_csv", "usage.csv")
    frame = get_source("generic_csv").parse(io.BufferedReader(Pipe(data)), "pipe.csv")
    assert int(frame["requests"].sum()) == 115


def test_json_values_across_read_blocks():
    # JSON lines longer than a read block: every value is read whole, whatever block boundary it straddles.
    lines = b"\n".join(json.dumps({"n": i, "text": "x" * 500}).encode() for i in range(5000))
    values = list(iter_json_values(io.BytesIO(lines), "lines.json"))
    assert [path for path, _ in values[:2]] == ["[0]", "[1]"] and len(values) == 5000
    assert values[-1][1] == {"n": 4999, "text": "x" * 500}


def test_numbers_read_as_json_loads_reads_them():
    data = b'{"big": 18446744073709551616, "frac": 0.25, "exp": 1E5, "tiny": 1e-999, "neg": -3}'
    [(path, value)] = list(iter_json_values(io.BytesIO(data), "n.json"))
    assert path == "" and value == json.loads(data)
    assert [type(value[k]) for k in ("big", "frac", "exp", "tiny", "neg")] == [int, float, float, float, int]


def test_a_number_json_loads_reads_as_infinity_is_refused_naming_its_key():
    # json.loads gives inf for 1e999 (issue 19: it reached the totals); the reader refuses it where it stands.
    data = b'{"big": 18446744073709551616, "huge": 1e999}'
    with pytest.raises(SourceError) as refused:
        list(iter_json_values(io.BytesIO(data), "n.json"))
    assert (refused.value.row, refused.value.column) == ("", "huge")
    assert str(refused.value).startswith("n.json, at huge: the number 1E+999 is out of range")


def test_integer_too_long_to_read_in_a_streamed_array():
    # The C parser would crash the process on it; it is refused before the parser reaches its end.
    logs = json.loads(fixture_bytes("litellm_spend_logs", "spend_logs.json"))
    text = json.dumps(logs).replace('"prompt_tokens": ', '"prompt_tokens": ' + "9" * 5000, 1)
    err = refused("litellm_spend_logs", text.encode(), "logs.json")
    assert "has too many digits" in str(err) and "logs.json: the number at character" in str(err)
    # The same digits in a string are only text.
    data = b'[{"id": "' + b"9" * 5000 + b'"}]'
    assert list(iter_json_values(io.BytesIO(data), "ids.json")) == [("[0]", {"id": "9" * 5000})]


# The messages of the JSON reader before ijson, word for word (yajl's own are translated into them).
BROKEN_JSON = [
    (b'[{"a": [1 2]}]', "x.json: invalid JSON at character 10 (line 1): Expecting ',' delimiter"),
    (b'[{"a": 1} {"b": 2}]', "x.json: invalid JSON at character 10 (line 1): expected ',' or ']' after item [0]"),
    (b'{"a": 1 "b": 2}', "x.json: invalid JSON at character 8 (line 1): Expecting ',' delimiter"),
    (b'{"a" 1}', "x.json: invalid JSON at character 5 (line 1): Expecting ':' delimiter"),
    (b'{"a": [1, 2,]}', "x.json: invalid JSON at character 12 (line 1): Expecting value"),
    (b'{"a": "x\ny"}', "x.json: invalid JSON at character 8 (line 1): Invalid control character at"),
    (b'{"a": tru, "b": 1}', "x.json: invalid JSON at character 6 (line 1): Expecting value"),
    (b'[{"a": 1},, {"b": 2}]', "x.json: invalid JSON at character 10 (line 1): Expecting value"),
    (b'[{"a": 1}] [', "x.json: invalid JSON at character 11 (line 1): extra data after the array"),
    (b'{"a": 1]', "x.json: the JSON ends early at character 8 (line 1) inside [0]; the file looks truncated"),
    (b'[{"a": 1},', "x.json: the JSON ends early at character 10 (line 1); the file looks truncated"),
    (b'[{"a": 1}', "x.json: the JSON ends early at character 9 (line 1) after item [0]; the file looks truncated"),
    (b'[{"a": {"b": 1}', "x.json: the JSON ends early at character 15 (line 1) inside [0]; the file looks truncated"),
]


@pytest.mark.parametrize(("data", "message"), BROKEN_JSON)
def test_broken_json_messages(data, message):
    with pytest.raises(SourceError) as info:
        list(iter_json_values(io.BytesIO(data), "x.json"))
    assert str(info.value) == message


@pytest.mark.parametrize(("item", "digits"), [(2, 5000), (930, 5000), (30000, 5000), (14894, 500_000)])
def test_integer_too_long_names_its_item(item, digits):
    items = json.dumps([{"a": i, "b": "x" * 50} for i in range(40000)]).encode()
    data = items.replace(b'"a": %d,' % item, b'"a": -3' + b"0" * digits + b",")
    with pytest.raises(SourceError) as info:
        list(iter_json_values(io.BytesIO(data), "x.json"))
    at = data.index(b"-3000")  # ASCII: bytes are characters
    assert str(info.value) == f"x.json: the number at character {at + 1} (line 1) in [{item}] has too many digits"


@pytest.mark.parametrize("stream_array", [True, False])
def test_a_literal_cut_by_a_read_block_is_read_whole(stream_array):
    # `false` across the 1 MiB boundary of the reads: the reader before ijson called that invalid JSON.
    head = b'[{"p": "'
    tail = b'", "h": false}, {"h": null}]'
    pad = (1 << 20) - 2 - len(head) - len(b'", "h": ')
    data = head + b"x" * pad + tail
    assert data.index(b"false") == (1 << 20) - 2
    values = [value for _, value in iter_json_values(io.BytesIO(data), "cut.json", stream_array=stream_array)]
    items = values if stream_array else values[0]
    assert [item["h"] for item in items] == [False, None]
