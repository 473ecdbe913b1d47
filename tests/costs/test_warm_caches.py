"""After a change, one task computes the first views' figures into the shared cache (apps.costs.warm): an
ingestion leaves the new generation's dashboard, summary, cost and draft-disclosure entries in the cache, under
the keys the pages compute, with no request made; a rolled-back change sends nothing. Usage comes as generic CSV
(the project's own format)."""

import datetime as dt
import io
import json
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from apps.connectors import mapping
from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.models import IdentityKind
from apps.connectors.storage import store_upload
from apps.costs import figures, page_figures, sizing, warm
from apps.costs.window import window_for
from apps.disclosures import filters as period_filters
from apps.disclosures import snapshots
from apps.disclosures.models import ReportingPeriod
from apps.footprint import rollups, selectors

pytestmark = pytest.mark.django_db
CSV = "date,provider,model,requests,input_tokens,output_tokens,user,zone\n{day},openai,gpt-4o,{n},5000,4000,a@x.example,FR\n"


@pytest.fixture(autouse=True)
def _warming_on(settings):
    settings.WARM_CACHES_AFTER_CHANGES = True


def _ingest(org, day: str, requests: int, name: str) -> None:
    upload = store_upload(org, io.BytesIO(CSV.format(day=day, n=requests).encode()), name)
    run = execute_run(create_run(org, "generic_csv", upload).pk)
    assert run.status == "succeeded", run.errors


def _entries(org, period):
    """What the first views would read from the cache, under the keys they compute (None: not cached)."""
    filters = period_filters.parse_filters(org, {})
    window = window_for(org)
    overview_key = page_figures.cache_key(org, window, "overview", ())
    return {
        "summary": cache.get(figures._key(org, filters, tuple(selectors.SERIES))),
        "dashboard": cache.get(figures._key(org, filters, tuple(selectors.CHART_SERIES))),
        "cost overview": cache.get(overview_key),
        "right-sizing": cache.get(
            page_figures.cache_key(org, window, "right-sizing", (repr(sizing.DEFAULT_SHIFT_SHARE),))
        ),
        "draft": cache.get(snapshots._draft_key(period)),
    }


def _sent_warm_ups(callbacks) -> int:
    return sum(1 for callback in callbacks if getattr(callback, "warms_organisation", None) is not None)


def test_an_ingestion_leaves_the_new_generations_figures_in_the_cache(org_a, django_capture_on_commit_callbacks):
    org = org_a["org"]
    period = ReportingPeriod.objects.create(organisation=org, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert all(value is None for value in _entries(org, period).values())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _ingest(org, "2025-03-01", 100, "march.csv")
    assert _sent_warm_ups(callbacks) == 1
    first = _entries(org, period)
    assert all(value is not None for value in first.values()), [k for k, v in first.items() if v is None]
    assert first["summary"]["totals"]["requests"] == 100  # the file's one row
    assert first["dashboard"]["totals"]["requests"] == 100
    snapshot, sha, by_run = first["draft"]
    assert int(by_run["n"].sum()) == 1 and sha == snapshots.e1.snapshot_sha256(snapshot)
    # The cached draft holds what a draft computed now holds (the records re-estimated one by one).
    energy = {dp["id"]: dp["value"] for dp in snapshot["datapoints"]}["E1-6_11"]
    from_records = snapshots.build_snapshot(period)[0]
    assert energy == pytest.approx({dp["id"]: dp["value"] for dp in from_records["datapoints"]}["E1-6_11"], rel=1e-9)
    assert energy > 0

    generation = rollups.generation(org.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _ingest(org, "2025-04-01", 100, "april.csv")
    assert _sent_warm_ups(callbacks) == 1 and rollups.generation(org.pk) != generation
    second = _entries(org, period)
    assert second["summary"]["totals"]["requests"] == 200
    energy_now = {dp["id"]: dp["value"] for dp in second["draft"][0]["datapoints"]}["E1-6_11"]
    assert energy_now == pytest.approx(2 * energy, rel=1e-12)  # the same usage twice


def test_a_mapping_edit_warms_once_and_a_rolled_back_change_sends_nothing(org_a, django_capture_on_commit_callbacks):
    org = org_a["org"]
    with django_capture_on_commit_callbacks(execute=True):
        _ingest(org, "2025-03-01", 100, "march.csv")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        mapping.save_mapping(org, org_a["users"]["admin"], IdentityKind.PERSON, "a@x.example", person=org_a["person"])
    # The mapping's records re-attributed and the rollups rebuilt (two new generations): one task.
    assert _sent_warm_ups(callbacks) == 1
    filters = period_filters.parse_filters(org, {})
    assert cache.get(figures._key(org, filters, tuple(selectors.SERIES)))["totals"]["requests"] == 100
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        rollups.refresh(org.pk, [dt.date(2025, 3, 1)])
        raise RuntimeError("rolled back")
    assert _sent_warm_ups(callbacks) == 0


def test_a_second_task_for_the_same_generation_skips(org_a):
    org = org_a["org"]
    _ingest(org, "2025-03-01", 100, "march.csv")
    assert "warmed" in warm.warm(org.pk)
    assert warm.warm(org.pk) == {"skipped": "already warmed for this generation"}


def test_an_organisations_own_factor_set_sends_one_warm_up(org_a, django_capture_on_commit_callbacks):
    from apps.footprint.catalogue import default_factor_set
    from apps.footprint.services import register_factor_set

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        register_factor_set(default_factor_set(), note="built-in")  # the built-in set: no organisation's figures
    assert _sent_warm_ups(callbacks) == 0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        register_factor_set(default_factor_set(), organisation=org_a["org"], note="own copy")
    assert _sent_warm_ups(callbacks) == 1


def _canonical(snapshot: dict) -> str:
    return json.dumps(snapshot, sort_keys=True)


def test_a_draft_snapshot_is_the_same_in_every_language(org_a):
    """Why one cached snapshot serves every language: built under English and under French, it is the same."""
    org = org_a["org"]
    _ingest(org, "2025-03-01", 100, "march.csv")
    _ingest(org, "2025-04-02", 40, "april.csv")
    period = ReportingPeriod.objects.create(organisation=org, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    built, keys = {}, {}
    for code in ("en", "fr"):
        with translation.override(code):
            built[code] = _canonical(snapshots.build_snapshot(period, from_rollups=True, generated_at="then")[0])
            keys[code] = snapshots._draft_key(period)
    assert built["en"] == built["fr"]
    assert keys["en"] == keys["fr"]
    assert '"E1-6_11"' in built["en"]  # a real snapshot, with its energy datapoint


def test_a_warm_up_builds_each_draft_once_whatever_the_languages(org_a, monkeypatch, settings):
    org = org_a["org"]
    _ingest(org, "2025-03-01", 100, "march.csv")
    period = ReportingPeriod.objects.create(organisation=org, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert [code for code, _name in settings.LANGUAGES] == ["en", "fr"]
    builder = mock.Mock(wraps=snapshots.build_snapshot)
    monkeypatch.setattr(snapshots, "build_snapshot", builder)
    done = warm.warm(org.pk)
    assert builder.call_count == 1  # one period, two languages
    assert [what for what, _secs in done["warmed"] if what.startswith("draft")] == [f"draft {period.pk}"]
    for code in ("en", "fr"):  # a page in either language reads what the warm-up stored
        with translation.override(code):
            snapshot, sha, _by_run = snapshots.draft_of(period)
        assert sha == snapshots.e1.snapshot_sha256(snapshot)
    assert builder.call_count == 1


def test_a_view_during_a_warm_up_waits_for_its_draft_instead_of_computing_it(org_a, monkeypatch):
    org = org_a["org"]
    _ingest(org, "2025-03-01", 100, "march.csv")
    period = ReportingPeriod.objects.create(organisation=org, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    key = snapshots._draft_key(period)
    warmed = ({"datapoints": []}, "sha-of-the-warm-up", None)
    cache.add(key + snapshots.WARMING, True, timeout=60)  # a warm-up is computing this draft
    sleeps = []

    def warm_up_finishes(seconds):  # the warm-up stores its draft and lifts its mark while the view waits
        sleeps.append(seconds)
        cache.set(key, warmed)
        cache.delete(key + snapshots.WARMING)

    monkeypatch.setattr(snapshots.time, "sleep", warm_up_finishes)
    real_builder = snapshots.build_snapshot
    builder = mock.Mock(side_effect=AssertionError("the view computed the draft itself"))
    monkeypatch.setattr(snapshots, "build_snapshot", builder)
    assert snapshots.draft_of(period) == warmed
    assert len(sleeps) == 1 and builder.call_count == 0
    # No warm-up running (no mark): the view computes it at once, without waiting.
    cache.delete(key)
    builder = mock.Mock(wraps=real_builder)
    monkeypatch.setattr(snapshots, "build_snapshot", builder)
    snapshot, sha, _by_run = snapshots.draft_of(period)
    assert builder.call_count == 1 and len(sleeps) == 1
    assert sha == snapshots.e1.snapshot_sha256(snapshot) and cache.get(key)[1] == sha
