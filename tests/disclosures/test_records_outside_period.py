"""The evidence annex says how many of a run's records fall outside the period, and why (issue 17)."""

import datetime as dt

from apps.disclosures import services
from apps.disclosures.exports.pdf_annex import outside_period_note

from .test_e1_figures import GENERIC, load

# One file, three days: two in 2025, one on 2024-12-31 (outside a 2025 period).
SPANNING = (
    GENERIC + "2025-05-01,openai,gpt-4o,10,5000,4000,,,US,1,USD\n2024-12-31,openai,gpt-4o,10,5000,4000,,,US,1,USD\n"
)


def test_runs_count_their_records_in_and_outside_the_period(org_a):
    org = org_a["org"]
    run = load(org, SPANNING, "api.csv", "generic_csv")
    assert run.records_stored == 3
    period = services.create_period(org, None, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    snapshot = services.build_snapshot(period, with_comparative=False)[0]
    (entry,) = snapshot["runs"]
    assert (entry["records"], entry["records_in_period"], entry["records_outside_period"]) == (3, 2, 1)
    note = outside_period_note(snapshot["runs"], 1)
    assert note.startswith("1 record of these runs falls outside the period")
    assert f"run {run.pk}: 1" in note and "before its start or after its end" in note
