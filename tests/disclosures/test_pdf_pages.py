"""The PDF's filing pages (apps.disclosures.exports.pdf_pages): "page N of M" on every page, the contents, the
management statement with its signature block, the comparative column explained, names that wrap between words."""

import copy
import io

from pypdf import PdfReader

from apps.disclosures.e1 import snapshot_sha256
from apps.disclosures.exports.pdf import render_pdf
from apps.disclosures.exports.pdf_pages import breakable

from .sample_snapshot import sample


def pages_of(snapshot, records) -> list[str]:
    data = render_pdf(snapshot, records, snapshot_sha256=snapshot_sha256(snapshot))
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_every_page_says_page_n_of_m_and_the_front_has_contents_and_a_signed_statement():
    snapshot, records = sample()
    pages = pages_of(snapshot, records)
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {total}" in text
    front = " ".join(pages[:3])
    assert "Contents" in front and "Management statement" in front
    period = snapshot["period"]
    if period.get("status") == "signed_off" and period.get("signed_off_by"):
        assert period["signed_off_by"] in front and "recorded in the ledger's audit log at sign-off" in front


def test_a_draft_gets_blank_signature_lines_and_an_empty_comparative_is_explained():
    snapshot, records = sample()
    draft = copy.deepcopy(snapshot)
    draft["period"].update(status="draft", signed_off_by=None, signed_off_at=None, comment="")
    for d in draft["datapoints"]:
        d["comparative"] = None
        d["change_pct"] = None
    text = " ".join(pages_of(draft, records))
    assert "Not signed off: the statement is signed when the period is signed off." in text
    assert "The comparative (N-1) column is empty" in text


def test_a_concept_name_breaks_between_its_words():
    assert breakable("esrs:GrossScope2Emissions") == "esrs:\u200bGross\u200bScope2\u200bEmissions"
    assert breakable("E1-6_11") == "E1-6_\u200b11"
