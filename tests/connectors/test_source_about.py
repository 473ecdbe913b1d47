"""Every source says what it reads and which documentation it follows (issue 18): on the upload page and in the
API's /sources/ list, from apps/connectors/sources/about.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.connectors.sources import SOURCES
from apps.connectors.sources.about import about


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_every_source_has_a_one_line_description_and_a_doc_link(key):
    description, doc_url = about(SOURCES[key])
    assert description and "\n" not in description and len(description) <= 120
    assert doc_url.startswith("https://") or doc_url == "docs/generic_csv.md"


def test_the_upload_page_lists_the_sources_with_their_links(client_for, org_a):
    page = client_for(org_a["users"][Role.OFFICER]).get(reverse("connectors:runs", args=[org_a["org"].slug]))
    html = page.content.decode()
    assert 'id="sources"' in html
    for key in ("aws_bedrock_invocations", "anthropic_claude_code", "otel_genai", "openai_usage"):
        assert f"<code>{key}</code>" in html and about(SOURCES[key]).doc_url in html
