"""The cost endpoints' output serializers give back exactly what the cost selectors build: every key, every value
(an integer sum of nothing may come back as 0.0), nothing added or dropped, on the demo year with its cost inputs;
and each answer is valid against the schema the API documents for it."""

from decimal import Decimal

import jsonschema
import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from apps.accounts.demo import DEMO_USERS
from apps.accounts.models import Role
from apps.costs.frugality import frugality_list
from apps.costs.roi import roi_report
from apps.costs.seats import seat_report
from apps.costs.sizing import rebound, right_sizing
from apps.costs.summary import usage_summary
from apps.costs.window import window_for
from tests.demo_year import demo_year_loaded

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo at 2 % scale, loaded once for the module (rolled back at the end)."""
    media = tmp_path_factory.mktemp("uploads")
    with demo_year_loaded(django_db_blocker, media, scale=0.02) as org:
        yield org, media


@pytest.fixture
def org(seeded, settings):
    settings.MEDIA_ROOT = seeded[1]
    return seeded[0]


def _same(answer, built, path="") -> list[str]:
    """Where the JSON answer differs from what the selector built (dates are ISO text in both). The serializer adds
    `not_defined` (apps.api.not_defined), which must name exactly the null fields of its object."""
    if isinstance(built, dict) and isinstance(answer, dict) and "not_defined" in answer:
        answer = dict(answer)
        reasons = answer.pop("not_defined")
        nulls = {key for key, value in answer.items() if value is None}
        if not set(reasons) <= nulls or not all(isinstance(why, str) and why for why in reasons.values()):
            return [f"{path}.not_defined: {reasons} for the null fields {sorted(nulls)}"]
    if isinstance(built, dict):
        if not isinstance(answer, dict) or set(answer) != set(built):
            return [f"{path}: keys {sorted(answer) if isinstance(answer, dict) else answer} != {sorted(built)}"]
        return [d for key in built for d in _same(answer[key], built[key], f"{path}.{key}")]
    if isinstance(built, list | tuple):
        if not isinstance(answer, list) or len(answer) != len(built):
            return [f"{path}: {answer!r} != {built!r}"]
        return [d for i, (a, b) in enumerate(zip(answer, built, strict=True)) for d in _same(a, b, f"{path}[{i}]")]
    if isinstance(built, Decimal):  # money: JSON carries the Decimal as a number (DRF's encoder writes float(value))
        built = float(built)
    return [] if answer == built else [f"{path}: {answer!r} != {built!r}"]


def _json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: `nullable: true` becomes "or null", refs point into `$defs`."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: (value.replace("#/components/schemas/", "#/$defs/") if key == "$ref" else _json_schema(value))
        for key, value in node.items()
        if key != "nullable"
    }
    return {"anyOf": [out, {"type": "null"}]} if node.get("nullable") else out


def test_every_cost_answer_is_what_its_selector_built(org, client):
    client.force_login(org.memberships.get(user__email=DEMO_USERS[Role.AUDITOR]).user)
    window = window_for(org)
    rebound_answer = rebound(org, window)
    rebound_answer.pop("chart")
    expected = {
        "summary": usage_summary(org, window),
        "seats": {"window": window.as_dict(), "licences": seat_report(org, window)},
        "roi": {"window": window.as_dict(), "tools": roi_report(org, window)},
        "right_sizing": right_sizing(org, window),
        "rebound": rebound_answer,
        "frugality": {"assessments": frugality_list(org)},
    }
    assert expected["seats"]["licences"] and any(lic["figures"] for lic in expected["seats"]["licences"])
    assert expected["right_sizing"]["rows"] and expected["roi"]["tools"] and expected["rebound"]["totals"]
    schema = SchemaGenerator().get_schema(request=None, public=True)
    definitions = _json_schema(schema["components"]["schemas"])
    for name, built in expected.items():
        answer = client.get(reverse(f"costs_api:{name}", args=[org.slug]))
        assert answer.status_code == 200, name
        assert _same(answer.json(), built, name) == []
        path = f"/api/v1/o/{{org_slug}}/costs/{name.replace('_', '-')}/"
        documented = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        jsonschema.validate(answer.json(), {**_json_schema(documented), "$defs": definitions})  # as documented


def test_a_new_assessment_answers_its_id_score_and_reasons(org, client):
    client.force_login(org.memberships.get(user__email=DEMO_USERS[Role.IT_DIRECTOR]).user)
    answers = {"need_for_ai": "yes", "model_size": "yes", "good_practices": "yes", "measurement": "yes"}
    body = {"use_case": "Search", **answers, "usage_caps": "yes", "rebound": "no"}
    made = client.post(reverse("costs_api:frugality", args=[org.slug]), body, content_type="application/json")
    assert made.status_code == 201 and set(made.json()) == {"id", "score", "reasons"}
    stored = next(a for a in frugality_list(org) if a["id"] == made.json()["id"])
    assert (made.json()["score"], made.json()["reasons"]) == (stored["score"], stored["reasons"])


def test_an_unknown_team_is_the_team_fields_error(org, client):
    client.force_login(org.memberships.get(user__email=DEMO_USERS[Role.IT_DIRECTOR]).user)
    body = {"use_case": "Search", "team": "Nobody", **dict.fromkeys(("need_for_ai", "model_size"), "yes")}
    body |= dict.fromkeys(("good_practices", "measurement", "usage_caps", "rebound"), "no")
    refused = client.post(reverse("costs_api:frugality", args=[org.slug]), body, content_type="application/json")
    assert (refused.status_code, refused.json()) == (400, {"team": ["no team named 'Nobody'"]})
