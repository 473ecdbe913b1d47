"""One rule for the comparative year: the figures' N-1 values and every export's N-1 dates agree, 29 February too."""

import datetime as dt
import io

import pytest

from apps.connectors.ingestion import create_run, execute_run
from apps.connectors.storage import store_upload
from apps.disclosures import services
from apps.disclosures.exports._common import comparative_period
from apps.disclosures.exports.ixbrl import render_ixbrl
from apps.disclosures.periods import comparative_dates

from .sample_snapshot import sample

# A fiscal year that starts on 29 February 2028 (ending on the last day of February 2029) compares with the
# year before it: 1 March 2027 (no 29 February in 2027) to 28 February 2028, the day before it starts.
LEAP_START, LEAP_END = dt.date(2028, 2, 29), dt.date(2029, 2, 28)
LEAP_COMPARATIVE = (dt.date(2027, 3, 1), dt.date(2028, 2, 28))


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (LEAP_START, LEAP_COMPARATIVE),
        (dt.date(2028, 3, 1), (dt.date(2027, 3, 1), dt.date(2028, 2, 29))),  # the year before ends on the 29th
        (dt.date(2025, 1, 1), (dt.date(2024, 1, 1), dt.date(2024, 12, 31))),
        (dt.date(2025, 7, 1), (dt.date(2024, 7, 1), dt.date(2025, 6, 30))),
    ],
)
def test_comparative_dates(start, expected):
    assert comparative_dates(start) == expected


def test_exports_label_the_comparative_of_a_period_starting_29_february():
    snapshot, _records = sample()
    snapshot["period"].update(start="2028-02-29", end="2029-02-28")
    assert comparative_period(snapshot) == LEAP_COMPARATIVE
    xhtml = render_ixbrl(snapshot).decode("utf-8")
    assert (
        '<xbrli:context id="FY_prev">' in xhtml
        and "<xbrli:startDate>2027-03-01</xbrli:startDate><xbrli:endDate>2028-02-28</xbrli:endDate>" in xhtml
    )


@pytest.mark.django_db
def test_figures_take_the_comparative_of_a_period_starting_29_february(org_a):
    """2028 has no usage yet (records cannot be in the future): the period of 2024-02-29 shows the same rule with
    figures; the one of 2028-02-29 finds its (empty) comparative period by the dates written out above."""
    org = org_a["org"]
    generic = (
        "date,provider,model,requests,input_tokens,output_tokens,user,team,zone,cost,currency\n"
        "2023-03-01,openai,gpt-4o,1000,500000,400000,,,US,100,USD\n"
    )
    run = execute_run(create_run(org, "generic_csv", store_upload(org, io.BytesIO(generic.encode()), "api.csv")).pk)
    assert run.status == "succeeded", run.errors
    previous = services.create_period(org, None, dt.date(2023, 3, 1), dt.date(2024, 2, 28))
    period = services.create_period(org, None, dt.date(2024, 2, 29), dt.date(2025, 2, 28))
    previous_values = {d["id"]: d["value"] for d in services.build_snapshot(previous)[0]["datapoints"]}
    dp = {d["id"]: d for d in services.build_snapshot(period)[0]["datapoints"]}["E1-6_11"]
    assert previous_values["E1-6_11"] > 0 and dp["comparative"] == previous_values["E1-6_11"]

    services.create_period(org, None, *LEAP_COMPARATIVE)
    leap = services.create_period(org, None, LEAP_START, LEAP_END)
    dp = {d["id"]: d for d in services.build_snapshot(leap)[0]["datapoints"]}["E1-6_11"]
    assert dp["value"] == 0 and dp["comparative"] == 0  # found (None when there is no comparative period)
