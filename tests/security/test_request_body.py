"""A multipart body Django's parser refuses (issue 19): 400 with the parser's reason, on pages and in the API.

Django's MultiPartParser limits the headers of one part to MAX_TOTAL_HEADER_SIZE (1,024 bytes,
django/http/multipartparser.py) and raises MultiPartParserError past it."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BOUNDARY = "h19boundary"
REASON = "The multipart request body could not be read: Request max total header size exceeded."


def _body() -> bytes:
    long_header = "X-Padding: " + "x" * 3000  # one part's headers three times over the limit
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="source"\r\n{long_header}\r\n\r\n'
        f"generic_csv\r\n--{BOUNDARY}--\r\n"
    ).encode()


def _csrf_client(user) -> Client:
    """A logged-in client whose requests go through the CSRF check: with a CSRF cookie, the check reads the
    form's token from request.POST, which parses the body."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = "a" * 32
    return client


def _post(client, path):
    return client.post(path, data=_body(), content_type=f"multipart/form-data; boundary={BOUNDARY}")


def test_an_upload_page_answers_400_with_the_reason(client_for, org_a):
    answer = _post(client_for(org_a["users"]["officer"]), "/o/org-a/runs/")
    assert answer.status_code == 400
    assert REASON in answer.content.decode()


def test_the_api_with_a_session_and_its_csrf_check_answers_400_in_json(org_a):
    client = _csrf_client(org_a["users"]["officer"])
    answer = _post(client, "/api/v1/o/org-a/runs/")
    assert answer.status_code == 400
    assert "Request max total header size exceeded." in answer.json()["detail"]


def test_a_page_whose_csrf_check_reads_the_body_answers_400_with_the_reason(org_a):
    client = _csrf_client(org_a["users"]["officer"])
    answer = _post(client, "/o/org-a/teams/")
    assert answer.status_code == 400
    assert REASON in answer.content.decode()
