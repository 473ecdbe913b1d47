"""A base URL that answers a web page instead of JSON is a clear PullError, for a GET (OpenAI, Anthropic, GitHub)
and for a POST (Cursor) alike, naming the path and never the secret."""

from http.server import BaseHTTPRequestHandler

import pytest

from apps.connectors.pull import PullError
from apps.connectors.pull._http import Client

from .local_http import serving

SECRET = "sk-admin-not-json-test-0000"


class _WebPage(BaseHTTPRequestHandler):
    """Answers every request with 200 and an HTML page, as a portal at a wrong base URL does."""

    def _page(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<html><body>Sign in</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _page

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture(scope="module")
def web_page():
    with serving(_WebPage) as base_url:
        yield f"{base_url}/api"


def test_a_get_answered_with_a_web_page_names_the_path(web_page):
    client = Client("Vendor", web_page, {"Authorization": f"Bearer {SECRET}"}, SECRET)
    with pytest.raises(PullError) as err:
        client.get_json("v1/usage", [("limit", 1)])
    assert str(err.value) == "Vendor answered /api/v1/usage with something that is not JSON; check the API base URL"


def test_a_post_answered_with_a_web_page_names_the_path(web_page):
    client = Client("Vendor", web_page, {"Authorization": f"Basic {SECRET}"}, SECRET)
    with pytest.raises(PullError) as err:
        client.post_json("/teams/daily-usage-data", {"page": 1})
    message = str(err.value)
    assert (
        message == "Vendor answered /api/teams/daily-usage-data with something that is not JSON; check the API base URL"
    )
    assert SECRET not in message
