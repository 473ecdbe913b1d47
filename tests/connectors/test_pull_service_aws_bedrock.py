"""An Amazon Bedrock credential: added on the Vendor APIs page with its keys encrypted, pulled through the pull
service from the fake CloudWatch Logs API (pull_fake_aws, which follows the FilterLogEvents reference) into an
ordinary stored run; pulled again, nothing is stored twice."""

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.urls import reverse

from apps.connectors.models import IngestionRun, RunStatus, SourceFile, Vendor, VendorCredential
from apps.connectors.pull import PullError, _http
from apps.connectors.pull.service import add_credential, pull
from apps.footprint.models import UsageRecord

from .pull_fake_aws import ACCESS_KEY_ID, LOG_GROUP, REGION, SECRET_ACCESS_KEY, FakeLogsServer, sample_events

pytestmark = pytest.mark.django_db

D3 = date(2026, 3, 3)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(_http, "_sleep", lambda seconds: None)


@pytest.fixture
def logs():
    with FakeLogsServer() as fake:
        fake.events = sample_events()
        yield fake


def bedrock_credential(org, base_url, secret=SECRET_ACCESS_KEY):
    return add_credential(
        org,
        vendor=Vendor.AWS_BEDROCK,
        label="Bedrock eu-west-1",
        secret=secret,
        base_url=base_url,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_region=REGION,
        log_group=LOG_GROUP,
    )


def test_a_bedrock_pull_is_an_ordinary_stored_run_and_a_re_pull_stores_nothing_twice(org_a, logs):
    org = org_a["org"]
    cred = bedrock_credential(org, logs.base_url)
    [run] = pull(cred, days=3, today=D3)
    assert run.status == RunStatus.SUCCEEDED, run.errors
    assert run.source_key == "aws_bedrock_invocations" and run.duplicate_of is None
    stored = Path(settings.MEDIA_ROOT) / run.source_file.stored_path
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == run.source_file.sha256
    assert b"private" not in stored.read_bytes()  # no prompt or answer is kept
    records = UsageRecord.objects.for_org(org)
    agg = records.aggregate(
        requests=Sum("requests"), i=Sum("input_tokens"), c=Sum("cached_input_tokens"), o=Sum("output_tokens")
    )
    # By hand, as in test_pull_aws_bedrock: 4 calls (one failed skipped), 100 + 1500 + 510 + 64 input.
    assert agg == {"requests": 4, "i": 2174, "c": 800, "o": 508}
    assert set(records.values_list("zone", flat=True)) == {"aws:eu-west-1", "aws:eu-west-3"}
    cred.refresh_from_db()
    assert cred.last_error == "" and cred.last_pulled_at is not None

    [again] = pull(cred, days=3, today=D3)
    assert again.duplicate_of == run and again.records_stored == 0
    assert SourceFile.objects.for_org(org).count() == 1 and records.count() == run.records_stored


def test_access_denied_is_kept_on_the_credential_and_stores_nothing(org_a, logs):
    org = org_a["org"]
    logs.forced = [(400, {"__type": "AccessDeniedException", "message": "not authorized to perform"})]
    cred = bedrock_credential(org, logs.base_url)
    with pytest.raises(PullError, match="lacks logs:FilterLogEvents"):
        pull(cred, days=3, today=D3)
    cred.refresh_from_db()
    assert "AccessDeniedException" in cred.last_error and cred.last_pulled_at is None
    assert not IngestionRun.objects.for_org(org).exists()


def test_the_keys_are_encrypted_at_rest_and_only_the_secret_s_last_four_are_shown(org_a):
    cred = bedrock_credential(org_a["org"], "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM connectors_vendorcredential WHERE id = %s", [cred.pk])
        [raw] = cursor.fetchone()
    assert SECRET_ACCESS_KEY not in raw and ACCESS_KEY_ID not in raw
    assert cred.masked_secret == "••••WXYZ"  # the secret access key's last four, not the packed JSON's
    assert cred.effective_base_url == "https://logs.eu-west-1.amazonaws.com"


def url(org):
    return reverse("connectors:credentials", args=[org["org"].slug])


def test_a_writer_adds_a_bedrock_credential_on_the_page(org_a, client_for):
    client = client_for(org_a["users"]["it_director"])
    response = client.post(
        url(org_a),
        {
            "vendor": "aws_bedrock",
            "label": "Bedrock",
            "secret": SECRET_ACCESS_KEY,
            "aws_access_key_id": ACCESS_KEY_ID,
            "aws_region": REGION,
            "log_group": LOG_GROUP,
            "github_org": "ignored",
        },
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200 and SECRET_ACCESS_KEY not in html
    stored = VendorCredential.objects.for_org(org_a["org"]).get()
    assert (stored.vendor, stored.aws_region, stored.log_group, stored.github_org) == (
        "aws_bedrock",
        REGION,
        LOG_GROUP,
        "",
    )
    assert '<div class="muted">eu-west-1 · <code>/aws/bedrock/modelinvocations</code></div>' in html
    assert "https://logs.eu-west-1.amazonaws.com" in html
    assert "The request and response bodies in the logs are not stored" in html


def test_a_bedrock_credential_without_its_aws_fields_is_refused_with_each_named(org_a, client_for):
    client = client_for(org_a["users"]["admin"])
    response = client.post(
        url(org_a),
        {"vendor": "aws_bedrock", "label": "Bedrock", "secret": SECRET_ACCESS_KEY, "aws_region": "Paris"},
    )
    html = response.content.decode()
    assert "Enter the access key id" in html and "Enter an AWS region name such as eu-west-1." in html
    assert "Enter the log group" in html and SECRET_ACCESS_KEY not in html
    assert not VendorCredential.objects.for_org(org_a["org"]).exists()


def test_other_vendors_keep_no_aws_fields(org_a, client_for):
    client = client_for(org_a["users"]["admin"])
    client.post(
        url(org_a),
        {"vendor": "openai", "label": "OpenAI", "secret": "sk-admin-0000-1111", "aws_region": REGION, "log_group": "x"},
    )
    stored = VendorCredential.objects.for_org(org_a["org"]).get()
    assert (stored.aws_region, stored.log_group) == ("", "")


def test_the_page_s_new_fields_and_notes_are_in_french(org_a, client_for):
    client = client_for(org_a["users"]["admin"])
    html = client.get(url(org_a), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for french in (
        "ID de clé d'accès AWS",
        "Jeton de session AWS",
        "Région AWS",
        "Groupe de journaux CloudWatch Logs",
        "Amazon Bedrock (journaux d'invocation des modèles dans CloudWatch Logs)",
        "Anthropic Claude Code (rapport d'usage de l'API Admin)",
        "Les corps des requêtes et des réponses présents dans les journaux ne sont pas stockés",
        "Claude Code utilisé avec des clés d'API est aussi compté",
    ):
        assert french.replace("'", "&#x27;") in html or french in html, french
    assert "The request and response bodies" not in html and "is also counted in the messages" not in html


def test_a_later_pull_with_a_late_event_replaces_the_days_rather_than_adding(org_a, logs):
    from .pull_fake_aws import event, invocation, ms

    org = org_a["org"]
    cred = bedrock_credential(org, logs.base_url)
    pull(cred, days=3, today=D3)
    # A call logged late on 2 March, by the same caller and model as r3 (510 in, 90 out).
    late = invocation("r7", "2026-03-02T18:00:00Z", "mistral.mistral-large-2402-v1:0", 40, 10)
    late["identity"]["arn"] = "arn:aws:iam::111122223333:user/dana"
    logs.events.append(event(7, ms("2026-03-02T18:00:00"), json.dumps(late)))
    [run] = pull(cred, days=3, today=D3)
    assert run.status == RunStatus.SUCCEEDED and run.duplicate_of is None
    agg = UsageRecord.objects.for_org(org).aggregate(requests=Sum("requests"), i=Sum("input_tokens"))
    # By hand: the first pull's 4 calls and 2174 input, plus the late call's 1 and 40, counted once.
    assert agg == {"requests": 5, "i": 2214}
    dana = UsageRecord.objects.for_org(org).get(person_ref="arn:aws:iam::111122223333:user/dana")
    assert (dana.requests, dana.input_tokens, dana.output_tokens) == (2, 550, 100)
