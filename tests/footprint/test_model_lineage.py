"""The model lineage (issue 16): every model name the demo and the bench generators use resolves to one
repository entry with the EcoLogits release it came from; models ecologits 0.11.3 dropped keep their last
release's entry; 'latest' aliases resolve by the day of use; the unknown-model class comes from a published
parameter count, never a substring; dated versions group under their family.

Parameter values of the dropped models are those of ecologits 0.10.2's ecologits/data/models.json (PyPI wheel
ecologits-0.10.2-py3-none-any.whl), written out here from that file, not from our table."""

import datetime as dt
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from apps.footprint.calculator import DQ_ACTIVITY, estimate, estimate_request
from apps.footprint.catalogue import default_factor_set
from apps.footprint.model_names import model_family
from apps.footprint.usage_frame import conform

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fs():
    return default_factor_set()


def _bench_module(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ecologits 0.10.2 models.json: (provider, name) -> (active min, active max, total, tps, ttft)
ECOLOGITS_0_10_2 = {
    ("anthropic", "claude-sonnet-4-20250514"): (44, 132, 440, 40.4, 0.94),
    ("anthropic", "claude-opus-4-20250514"): (200, 600, 2000, 15.9, 1.99),
    ("google_genai", "gemini-2.0-flash"): (44, 132, 440, 64.6, 1.1),
}


@pytest.mark.parametrize(
    ("provider", "model", "entry"),
    [
        ("anthropic", "claude-sonnet-4-20250514", ("anthropic", "claude-sonnet-4-20250514")),
        ("anthropic", "claude-sonnet-4", ("anthropic", "claude-sonnet-4-20250514")),  # Anthropic's short name
        ("anthropic", "claude-opus-4", ("anthropic", "claude-opus-4-20250514")),
        ("anthropic", "claude-opus-4-0", ("anthropic", "claude-opus-4-20250514")),  # ecologits 0.10.2 alias
        ("google", "gemini-2.0-flash", ("google_genai", "gemini-2.0-flash")),
        ("vertex_ai", "gemini-2.0-flash", ("google_genai", "gemini-2.0-flash")),
    ],
)
def test_models_ecologits_dropped_keep_their_last_release_entry(fs, provider, model, entry):
    assert fs.model_names("anthropic").count("claude-sonnet-4-20250514") == 1
    params = fs.model(provider, model)
    active_min, active_max, total, tps, ttft = ECOLOGITS_0_10_2[entry]
    assert (params.provider, params.model, params.ecologits_version) == (*entry, "0.10.2")
    assert (params.active_min_b, params.active_max_b) == (active_min, active_max)
    assert (params.total_min_b, params.total_max_b) == (total, total)
    assert (params.tps, params.ttft_s) == (tps, ttft)
    assert params.resolved == f"{entry[0]}/{entry[1]} (ecologits 0.10.2)"


@pytest.mark.parametrize(
    ("provider", "model", "entry"),
    [
        ("openai", "gpt-4o-2024-08-06", "openai/gpt-4o-2024-08-06 (ecologits 0.11.3)"),
        ("azure_openai", "gpt-4o-0513", "openai/gpt-4o-2024-05-13 (ecologits 0.11.3)"),  # Azure deployment name
        ("azure", "gpt-4o-mini-deploy", "openai/gpt-4o-mini (ecologits 0.11.3)"),
        ("openai", "openai/gpt-4o", "openai/gpt-4o (ecologits 0.11.3)"),  # LiteLLM gateway prefix
        ("litellm", "vertex_ai/gemini-2.5-pro", "google_genai/gemini-2.5-pro (ecologits 0.11.3)"),
        # AWS Bedrock model ids, with and without a cross-region prefix (Anthropic models overview, Bedrock column)
        (
            "bedrock",
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
            "anthropic/claude-3-5-sonnet-20240620 (ecologits 0.8.2)",
        ),
        (
            "bedrock",
            "eu.anthropic.claude-sonnet-4-20250514-v1:0",
            "anthropic/claude-sonnet-4-20250514 (ecologits 0.10.2)",
        ),
        # Vertex AI's id of Claude Sonnet 4 (claude-sonnet-4@20250514), under Google's provider name
        ("vertex_ai", "claude-sonnet-4@20250514", "anthropic/claude-sonnet-4-20250514 (ecologits 0.10.2)"),
    ],
)
def test_dated_versions_deployment_names_and_prefixes_resolve(fs, provider, model, entry):
    assert fs.model(provider, model).resolved == entry


def _demo_token_models(tmp_path):
    from apps.connectors.sources import SOURCES
    from apps.demo.files import demo_files

    pairs, embeddings = set(), set()
    for key, path in demo_files(tmp_path, year=2025, scale=0.02):
        with open(path, "rb") as stream:
            frame = SOURCES[key].parse(stream, path.name)
        tokens = frame[frame["usage_kind"] == "tokens"]
        generated = tokens["output_tokens"] > 0
        pairs |= set(zip(tokens["provider"][generated], tokens["model"][generated], strict=True))
        embeddings |= set(tokens["model"][~generated & (tokens["input_tokens"] > 0)])
    return pairs, embeddings


def test_every_generation_and_embedding_model_of_the_demo_resolves(fs, tmp_path):
    pairs, embeddings = _demo_token_models(tmp_path)
    assert len(pairs) >= 8  # the demo's API and gateway models, seen through the real parsers
    unresolved = sorted(p for p in pairs if fs.model(*p) is None)
    assert unresolved == []
    # Input-only rows are embedding calls: each name has its row in the embedding_models table.
    assert embeddings and sorted(m for m in embeddings if fs.embedding_model(m) is None) == []


def test_every_model_of_the_bench_generators_resolves(fs):
    read_build, parse, calculator = (_bench_module(n) for n in ("read_build", "parse", "calculator"))
    pairs = set(read_build.MODELS)
    pairs |= {(provider, model) for model, provider in parse.MODELS if not model.startswith("text-embedding")}
    # bench/calculator.py keeps one name unknown on purpose (its third column is None): the fallback path.
    pairs |= {(provider, model) for provider, model, eco in calculator.MODELS if eco is not None}
    assert sorted(p for p in pairs if fs.model(*p) is None) == []
    assert fs.model("openai", "internal-finetune-mini") is None


def test_latest_aliases_resolve_by_the_day_of_use(fs):
    # Mistral Large 2.1 (mistral-large-2411, 123B dense in ecologits 0.9.2) until Mistral Large 3 (2 Dec 2025;
    # mistral-large-2512, 675B MoE with 41B active in ecologits 0.11.3).
    before = fs.model("mistral", "mistral-large-latest", dt.date(2025, 6, 30))
    after = fs.model("mistral", "mistral-large-latest", dt.date(2025, 12, 15))
    assert before.resolved == "mistralai/mistral-large-2411 (ecologits 0.9.2)"
    assert (before.active_min_b, before.total_max_b) == (123, 123)
    assert after.resolved == "mistralai/mistral-large-2512 (ecologits 0.11.3)"
    assert (after.active_min_b, after.total_max_b) == (41, 675)

    rows = conform(
        pd.DataFrame(
            {
                "day": pd.to_datetime(["2025-06-30", "2025-12-15"]),
                "source": "litellm_spend_logs",
                "provider": "mistral",
                "model": "mistral-large-latest",
                "requests": 1,
                "output_tokens": 1000,
                "zone": "FR",
            }
        )
    )
    result = estimate(rows, fs)
    assert list(result["model_resolved"]) == [before.resolved, after.resolved]
    assert list(result["model"]) == ["mistral-large-latest"] * 2  # the source's name is kept
    # Each day's figure is the one of the dated model the alias stood for (the same rows, named directly).
    direct = estimate(rows.assign(model=["mistral-large-2411", "mistral-large-2512"]), fs)
    assert list(result["energy_kwh"]) == pytest.approx(list(direct["energy_kwh"]))
    assert result["energy_kwh"].iloc[0] != pytest.approx(result["energy_kwh"].iloc[1])


def test_no_gemini_in_the_small_class_and_the_class_comes_from_a_published_count(fs):
    # Every google_genai name (installed and lineage) resolves; and a gemini the set does not know takes the
    # open class, not "small" because "gemini" contains "mini".
    assert all(fs.model("google", name) is not None for name in fs.model_names("google"))
    for name in ("gemini-9-ultra", "gemini-experimental", "gemini-4-flash"):
        assert fs.size_class(name)["size_class"] == "open"
    assert fs.size_class("llama-3.1-70b-custom")["size_class"] == "medium"  # 70B published: 15 < 70 <= 80
    assert fs.size_class("acme-7b-chat")["size_class"] == "small"
    assert fs.size_class("mixtral-8x7b-tuned")["size_class"] == "open"  # 8 experts of 7B: no single count
    note = estimate(
        conform(
            pd.DataFrame(
                {
                    "day": pd.to_datetime(["2025-03-01"]),
                    "source": "litellm_spend_logs",
                    "provider": "google",
                    "model": "gemini-9-ultra",
                    "requests": 1,
                    "output_tokens": 100,
                }
            )
        ),
        fs,
    )
    assert "size class 'open'" in note["warning"].iloc[0]
    assert note["model_resolved"].iloc[0] == "google/gemini-9-ultra (size class)"


def test_a_stripped_name_never_loses_the_part_that_tells_two_models_apart(fs):
    # Deployment suffixes go (`-deploy`, `-eu`, `-high`); a part that separates two repository models does not:
    # gpt-4o-audio-mini is no gpt-4o (the repository has gpt-4o and gpt-4o-mini), so it takes the size class.
    assert fs.model("azure", "gpt-4o-mini-deploy").resolved == "openai/gpt-4o-mini (ecologits 0.11.3)"
    assert fs.model("openai", "gpt-4.1-nano-eu").resolved == "openai/gpt-4.1-nano (ecologits 0.11.3)"
    assert fs.model("openai", "o3-mini-high").model == "o3-mini"
    for name in ("gpt-4o-audio-mini", "gpt-4.1-preview-nano", "gemini-2.5-flash-x-lite"):
        assert fs.model("openai" if name.startswith("gpt") else "google", name) is None, name
    # A date or version number may go: a new snapshot takes its family's entry.
    assert fs.model("openai", "gpt-4o-2099-01-01").model == "gpt-4o"


def test_estimate_request_names_the_entry_used(fs):
    result = estimate_request("anthropic", "claude-sonnet-4", 1000, factor_set=fs)
    assert result["model_resolved"] == "anthropic/claude-sonnet-4-20250514 (ecologits 0.10.2)"
    assert result["model"] == "claude-sonnet-4-20250514"


def test_estimate_request_takes_a_latest_alias_at_the_end_of_the_year_asked(fs):
    in_2025 = estimate_request("mistral", "mistral-large-latest", 1000, year=2025, factor_set=fs)
    in_2024 = estimate_request("mistral", "mistral-large-latest", 1000, year=2024, factor_set=fs)
    assert in_2025["model_resolved"] == "mistralai/mistral-large-2512 (ecologits 0.11.3)"  # from 2 Dec 2025
    assert in_2024["model_resolved"] == "mistralai/mistral-large-2411 (ecologits 0.9.2)"
    direct = estimate_request("mistral", "mistral-large-2411", 1000, year=2024, factor_set=fs)
    assert in_2024["energy_kwh"] == pytest.approx(direct["energy_kwh"])


@pytest.mark.parametrize(
    ("provider", "model", "low_wh", "high_wh"),
    # The independent review of issue 16: ecologits 0.10.2 gave, for 1,000 output tokens in one request,
    # claude-sonnet-4 1.44-2.42 Wh and gemini-2.0-flash 1.33-2.21 Wh (the old fallback: 13.9 and 0.25 central).
    [("anthropic", "claude-sonnet-4", 1.44, 2.42), ("google", "gemini-2.0-flash", 1.33, 2.21)],
)
def test_dropped_models_give_the_figures_ecologits_0_10_2_gave(fs, provider, model, low_wh, high_wh):
    result = estimate_request(provider, model, 1000, factor_set=fs)
    assert result["energy_kwh_low"] * 1000 == pytest.approx(low_wh, abs=0.005)
    assert result["energy_kwh_high"] * 1000 == pytest.approx(high_wh, abs=0.005)


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("openai/gpt-4o", "gpt-4o"),
        ("gpt-4o-0513", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4"),
        ("claude-sonnet-4@20250514", "claude-sonnet-4"),
        ("gemini-2.0-flash-001", "gemini-2.0-flash"),
        ("mistral-large-latest", "mistral-large"),
        ("mistral-large-2411", "mistral-large"),
        ("command-a-03-2025", "command-a"),
        ("claude-opus-4-1", "claude-opus-4-1"),
        ("gpt-4.1-mini", "gpt-4.1-mini"),
        ("Microsoft 365 Copilot", "Microsoft 365 Copilot"),
        ("", ""),
    ],
)
def test_model_family(name, family):
    assert model_family(name) == family


def _seat_rows(**columns):
    base = {"day": pd.to_datetime(["2025-05-05"]), "source": "github_copilot_metrics", "usage_kind": "seat_activity"}
    return conform(pd.DataFrame({**base, **columns}))


def test_github_copilot_uses_measured_requests_and_its_own_row(fs):
    # Copilot metrics (GET /orgs/{org}/copilot/metrics, docs.github.com/en/rest/copilot/copilot-metrics): the
    # connector writes provider "github", model "copilot", the day's active users and its requests.
    # The github_copilot seat row: 0.34 Wh per interaction (0.16-2.5), 20 interactions per active day (5-80).
    # 10 active users who sent 309 requests (30.9 a user-day, the demo's rate):
    #   measured: 309 x 0.34 = 105.06 Wh; low 309 x 0.16 = 49.44 Wh; high 309 x 2.5 = 772.5 Wh
    measured = estimate(_seat_rows(provider=["github"], model=["copilot"], active_user_days=[10], requests=[309]), fs)
    r = measured.iloc[0]
    assert r["energy_kwh"] == pytest.approx(0.10506)
    assert r["energy_kwh_low"] == pytest.approx(0.04944)
    assert r["energy_kwh_high"] == pytest.approx(0.7725)
    assert r["data_quality"] == DQ_ACTIVITY
    assert "seat interactions assumed" not in r["warning"]
    assert "seat tool 'github_copilot'" in r["warning"]  # not the generic '*' row

    # No request count: 10 user-days x 20 (github_copilot's assumption, not the generic 10) x 0.34 Wh = 68 Wh;
    # the two independent factors' log bound ratios in quadrature:
    #   low  68 / exp(sqrt(ln(20/5)^2 + ln(0.34/0.16)^2)) = 68 / exp(sqrt(1.92181 + 0.56817)) = 68 / 4.8450 = 14.03 Wh
    #   high 68 x exp(sqrt(ln(80/20)^2 + ln(2.5/0.34)^2)) = 68 x exp(sqrt(1.92181 + 3.98042)) = 68 x 11.353 = 772.0 Wh
    # (both extremes at once: 10 x 80 x 2.5 = 2,000 Wh, 29x the central figure instead of 11x).
    assumed = estimate(_seat_rows(provider=["github"], model=["copilot"], active_user_days=[10]), fs).iloc[0]
    assert assumed["energy_kwh"] == pytest.approx(0.068)
    assert assumed["energy_kwh_low"] * 1000 == pytest.approx(14.035, abs=0.001)
    assert assumed["energy_kwh_high"] * 1000 == pytest.approx(771.98, abs=0.01)
    assert assumed["data_quality"] == "activity_assumed"
    assert "seat interactions assumed" in assumed["warning"]

    # A custom model's row of the metrics: requests, no active users (they sit on the copilot row):
    # 50 x 0.34 = 17 Wh, counted, not idle nor spend-based.
    custom = estimate(_seat_rows(provider=["github"], model=["acme-model"], requests=[50]), fs).iloc[0]
    assert custom["energy_kwh"] == pytest.approx(0.017)
    assert custom["data_quality"] == DQ_ACTIVITY


def test_every_seat_assumption_is_sourced_or_marked(fs):
    table = fs.tables["seat_tools"]
    assert {"interactions_status", "interactions_source"} <= set(table.columns)
    for row in table.records():
        assert row["interactions_status"] in ("assumption", "sourced")
        assert row["interactions_source"]
        # The energy per interaction too: its source named, a proxy marked as an assumption.
        assert row["wh_status"] in ("assumption", "sourced") and row["wh_source"]
        assert row["wh_per_interaction_low"] <= row["wh_per_interaction"] <= row["wh_per_interaction_high"]


def test_the_disclosure_breakdown_groups_dated_versions_under_their_family():
    # Three spellings of gpt-4o (a dated version, an Azure deployment name, a gateway prefix) and gpt-4o-mini:
    # the disclosure's by-model breakdown shows two families, gpt-4o with 1 + 2 + 4 = 7 kg.
    from apps.disclosures.e1 import breakdowns

    models = ["gpt-4o-2024-08-06", "gpt-4o-0513", "openai/gpt-4o", "gpt-4o-mini-2024-07-18"]
    kg = [1.0, 2.0, 4.0, 0.5]
    records = pd.DataFrame(
        {
            "day": ["2025-03-01"] * 4,
            "source": "test",
            "provider": "openai",
            "model": models,
            "team": "",
            "scope": "scope3_cat1",
            "energy_kwh": kg,
            "co2e_location_kg": kg,
            "co2e_market_kg": kg,
            "requests": 1,
        }
    )
    by_model = {r["key"]: r["co2e_location_kg"] for r in breakdowns(records)["by_model"]}
    assert by_model == {"gpt-4o": 7.0, "gpt-4o-mini": 0.5}


def test_cursor_has_its_own_seat_row(fs):
    # Cursor Admin API "Get Daily Usage Data" (cursor.com/docs/account/teams/admin-api): the cursor_daily_usage
    # source writes provider and model "cursor", one active user-day and the day's requests. The cursor seat row
    # (an assumption, github_copilot's figures for the same kind of tool): 0.34 Wh per request (0.16-2.5).
    # 2 user-days with 45 requests: 45 x 0.34 = 15.3 Wh; low 45 x 0.16 = 7.2 Wh; high 45 x 2.5 = 112.5 Wh.
    rows = _seat_rows(provider=["cursor"], model=["cursor"], active_user_days=[2], requests=[45])
    r = estimate(rows.assign(source="cursor_daily_usage"), fs).iloc[0]
    assert r["energy_kwh"] == pytest.approx(0.0153)
    assert r["energy_kwh_low"] == pytest.approx(0.0072)
    assert r["energy_kwh_high"] == pytest.approx(0.1125)
    assert "seat tool 'cursor'" in r["warning"]  # not the generic '*' row
    row = fs.seat_tool("cursor", "cursor")
    assert row["interactions_status"] == "assumption" and "Cursor" in row["interactions_source"]
    # No request count: 2 user-days x 20 (the row's assumption, not the generic 10) x 0.34 Wh = 13.6 Wh.
    assumed = estimate(_seat_rows(provider=["cursor"], model=["cursor"], active_user_days=[2]), fs).iloc[0]
    assert assumed["energy_kwh"] == pytest.approx(0.0136)
