"""Every API endpoint (path) carries at least one example in the OpenAPI schema; the sources endpoint."""

import pytest
from drf_spectacular.generators import SchemaGenerator


def test_every_endpoint_is_documented_with_an_example():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    undocumented = []
    for path, operations in schema["paths"].items():
        contents = []
        for operation in operations.values():
            contents += [c for r in operation.get("responses", {}).values() for c in (r.get("content") or {}).values()]
            contents += list(((operation.get("requestBody") or {}).get("content") or {}).values())
        if not any(c.get("examples") or c.get("example") for c in contents):
            undocumented.append(path)
    assert undocumented == []
    assert len(schema["paths"]) >= 20


def test_examples_name_the_default_factor_set():
    # The examples that name a factor set name the one the calculator uses by default (2026.2 since the AIB
    # editions 2023-2025 were added), not an older literal: the label of the built-in set itself.
    from apps.footprint.factors import default_factor_set

    label = default_factor_set().label
    schema = SchemaGenerator().get_schema(request=None, public=True)
    named = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("factor_set"), str):
                named.append(node["factor_set"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema["paths"])
    assert named and set(named) == {label} and label.endswith("@2026.2")


@pytest.mark.django_db
def test_sources_lists_every_connector(client_for, org_a):
    from django.urls import reverse

    from apps.accounts.models import Role
    from apps.connectors.sources import SOURCES

    response = client_for(org_a["users"][Role.AUDITOR]).get(reverse("api:sources"))
    assert response.status_code == 200
    keys = [s["key"] for s in response.json()]
    assert keys == sorted(SOURCES) and {"openai_usage", "openai_costs", "github_copilot_usage_reports"} <= set(keys)
    generic = next(s for s in response.json() if s["key"] == "generic_csv")
    assert generic | {"description": "", "doc_url": ""} == {
        "key": "generic_csv",
        "label": SOURCES["generic_csv"].LABEL,
        "reads_in_chunks": True,
        "description": "",
        "doc_url": "",
    }
    # Each source says what it reads and links the page it follows (issue 18).
    otel = next(s for s in response.json() if s["key"] == "otel_genai")
    assert otel["doc_url"] == "https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/"
    assert all(s["description"] and s["doc_url"] for s in response.json())
