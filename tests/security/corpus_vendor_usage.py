"""Bad-input corpus cases of the vendors' usage APIs: OpenAI usage pages and the Anthropic usage report."""

from __future__ import annotations

from collections.abc import Callable

from tests.security.corpus_helpers import (
    A0,
    ANTHROPIC,
    FUTURE,
    NOT_UTF8,
    OPENAI,
    R0,
    TOO_BIG,
    BadInput,
    fixture,
    gzip_bomb,
    json_edit,
    json_remade,
    source_fixture,
    truncated,
)


def _openai_result(**changes) -> Callable[[], bytes]:
    return lambda: json_edit(OPENAI, lambda d: d[0]["data"][0]["results"][0].update(changes))


def _anthropic_result(**changes) -> Callable[[], bytes]:
    return lambda: json_edit(ANTHROPIC, lambda d: d["data"][0]["results"][0].update(changes))


CASES: list[BadInput] = [
    # --- openai_usage: JSON pages --------------------------------------------------------------------------
    BadInput(
        "openai_usage",
        "truncated-json",
        lambda: truncated(OPENAI),
        ("the JSON ends early", "truncated"),
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "negative-tokens",
        _openai_result(output_tokens=-300),
        ("expected a whole number >= 0, got -300",),
        R0,
        "output_tokens",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "non-numeric-tokens",
        _openai_result(input_tokens="lots"),
        ("expected a whole number >= 0, got 'lots'",),
        R0,
        "input_tokens",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "huge-tokens",
        _openai_result(input_tokens=10**30),
        (TOO_BIG, "got 1000000000000000000000000000000"),
        R0,
        "input_tokens",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "int64-overflow",
        _openai_result(num_model_requests=2**63),
        (TOO_BIG, "9223372036854775808"),
        R0,
        "num_model_requests",
        extension="json",
    ),
    # More digits than Python reads into an int (4,300): written as text, json.dumps would refuse it too.
    BadInput(
        "openai_usage",
        "5000-digit-number",
        lambda: _openai_result(input_tokens=918273645)().replace(b"918273645", b"9" * 5000),
        ("has too many digits", "in [0]"),
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "unparseable-date",
        lambda: json_edit(OPENAI, lambda d: d[0]["data"][1].update(start_time="2025-01-02")),
        ("expected unix seconds, got '2025-01-02'",),
        "[0].data[1]",
        "start_time",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "far-future-date",
        lambda: json_edit(OPENAI, lambda d: d[0]["data"][0].update(start_time=4102444800)),  # 2100-01-01
        (FUTURE, "2100-01-01"),
        "[0].data[0]",
        "start_time",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "cached-above-input",
        _openai_result(input_cached_tokens=5000),
        ("expected at most input_tokens (1200), got 5000",),
        R0,
        "input_cached_tokens",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "renamed-key",
        lambda: json_edit(OPENAI, lambda d: d[0]["data"][0].update(rows=d[0]["data"][0].pop("results"))),
        ("expected a list of usage results",),
        "[0].data[0]",
        "results",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "duplicated-page",
        lambda: json_remade(OPENAI, lambda d: [d[0], *d]),
        ("already appears at [0].data[0].results[0]", "repeats"),
        "[1].data[0].results[0]",
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "wrong-source-anthropic-json",
        lambda: fixture(ANTHROPIC),
        ("looks like Anthropic usage report", "source 'anthropic_usage'"),
        extension="json",
    ),
    BadInput(
        "openai_usage",
        "csv-not-json",
        lambda: source_fixture("generic_csv"),
        ("expected a JSON file", "generic usage CSV template (source 'generic_csv')"),
    ),
    BadInput(
        "openai_usage",
        "gzip-bomb",
        gzip_bomb,
        ("gzip", "compressed", "nothing was decompressed"),
        extension="json.gz",
        archive=True,
    ),
    # --- anthropic_usage: JSON pages -----------------------------------------------------------------------
    BadInput(
        "anthropic_usage",
        "truncated-json",
        lambda: truncated(ANTHROPIC, 0.35),
        ("the JSON ends early", "truncated"),
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "negative-tokens",
        _anthropic_result(cache_read_input_tokens=-200),
        ("expected a whole number >= 0, got -200",),
        A0,
        "cache_read_input_tokens",
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "cache-creation-not-object",
        _anthropic_result(cache_creation="1500"),
        ("expected an object of cache-creation tokens, got '1500'",),
        A0 + ".cache_creation",
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "unparseable-date",
        lambda: json_edit(ANTHROPIC, lambda d: d["data"][1].update(starting_at="01/02/2025")),
        ("expected an ISO 8601 date", "got '01/02/2025'"),
        "data[1]",
        "starting_at",
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "renamed-keys",
        lambda: json_edit(
            ANTHROPIC,
            lambda d: d["data"][0]["results"][0].update(
                input=d["data"][0]["results"][0].pop("uncached_input_tokens"),
                output=d["data"][0]["results"][0].pop("output_tokens"),
            ),
        ),
        ("expected the usage report's token fields",),
        A0,
        "uncached_input_tokens",
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "cost-report-instead",
        lambda: json_edit(
            ANTHROPIC,
            lambda d: d["data"][0].update(
                results=[{"currency": "USD", "amount": "7.25", "model": "claude-sonnet-4-20250514"}]
            ),
        ),
        ("this is an Anthropic cost report", "usage_report/messages"),
        A0,
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "duplicated-bucket",
        lambda: json_edit(ANTHROPIC, lambda d: d["data"].append(d["data"][0])),
        ("already appears at data[0].results[0]", "repeats"),
        "data[2].results[0]",
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "int64-overflow",
        _anthropic_result(output_tokens=2**63),
        (TOO_BIG,),
        A0,
        "output_tokens",
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "latin1-bytes",
        lambda: fixture(ANTHROPIC).replace(b'"standard"', '"standard-é"'.encode("latin-1")),
        (NOT_UTF8, "byte 0xe9"),
        extension="json",
    ),
    BadInput(
        "anthropic_usage",
        "wrong-source-openai-json",
        lambda: fixture(OPENAI),
        ("looks like OpenAI usage API pages", "source 'openai_usage'"),
        extension="json",
    ),
]
