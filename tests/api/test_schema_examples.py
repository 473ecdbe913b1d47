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
