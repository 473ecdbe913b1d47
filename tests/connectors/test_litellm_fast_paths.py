"""The shortcuts that make big LiteLLM logs parse fast give what the plain ways give."""

import io
import random

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from apps.connectors.sources import litellm_spend_logs
from apps.connectors.sources._common import per_distinct
from tests.connectors.helpers import fixture_bytes

PIECES = ['"user_api_key_alias', '"user_api_key_user_id', '"cached_tokens', '"', '"', ":", " ", "\t", "\n", "x",
          "null", "0", "12", "{", "}", ",", "é", "_extra", '"user_api_key_alias"', ': "', '": "v"', '": 5']


@pytest.mark.parametrize("name", sorted(litellm_spend_logs._META))
def test_first_match_finds_what_extract_regex_finds(name):
    marker, rest = litellm_spend_logs._META[name]
    rng = random.Random(name)
    for _ in range(300):
        rows = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14))) for _ in range(rng.randint(0, 20))]
        if rows and rng.random() < 0.3:
            rows[rng.randrange(len(rows))] = None
        cut = rng.randint(0, len(rows))
        text = pa.chunked_array([pa.array(rows[:cut], pa.string()), pa.array(rows[cut:], pa.string())])
        expected = pc.struct_field(pc.extract_regex(text, marker + rest), [0])
        assert litellm_spend_logs.first_match(text, marker, rest).to_pylist() == expected.to_pylist(), rows


def test_per_distinct_is_per_record():
    models = pa.chunked_array([["gpt-4o", "azure/gpt-4o", "x"], ["azure/gpt-4o", "gpt-4o", ""]])
    providers = pa.chunked_array([["openai", "azure"], ["azure", "azure", "openai", ""]])
    got = per_distinct(litellm_spend_logs._model_names, models, providers).to_pylist()
    assert got == litellm_spend_logs._model_names(models.to_pylist(), providers.to_pylist())
    assert got == ["gpt-4o", "gpt-4o", "x", "gpt-4o", "gpt-4o", ""]
    flags = pa.chunked_array([[" True", "no", "YES"], ["1", "false"]])
    assert per_distinct(litellm_spend_logs._is_true, flags).to_pylist() == [False, False, True, True, False]
    assert per_distinct(litellm_spend_logs._is_true, pa.chunked_array([], pa.string())).to_pylist() == []


def test_bad_value_after_cache_hits_names_its_own_row():
    lines = fixture_bytes("litellm_spend_logs", "spend_logs.csv").decode().splitlines(keepends=True)
    body = "".join(lines[1:]).replace(",False,", ",True,")  # every fixture row a cache hit but the copy below
    bad = "".join(lines[1:]).replace(",0.0105,2300,2000,300,", ",0.0105,2300,2000,3x0,")
    data = (lines[0] + body + bad).encode()
    chunks = litellm_spend_logs.iter_chunks(io.BytesIO(data), "logs.csv", chunk_rows=100)
    with pytest.raises(Exception) as info:
        list(chunks)
    assert str(info.value) == "logs.csv, row 10, column 'completion_tokens': expected a whole number >= 0, got '3x0'"
