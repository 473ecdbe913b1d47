"""The PDF's page furniture and filing pages: "page N of M" footers, the contents, the management statement with
its signature block, and the line that says why the comparative column is empty (issue 20)."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Spacer

from .pdf_layout import key_value_table

# The sections render_pdf puts in the document, in order: the contents lists them.
CONTENTS = (
    "Cover: the organisation, the period, its status and the snapshot that identifies the figures",
    "Management statement and signature",
    "Summary: key figures with their range and comparative, by scope",
    "ESRS E1 tables, section by section (E1-5, E1-6, E1-8 and the voluntary E3 and E5 datapoints)",
    "Where the footprint comes from: charts by month, provider, model and team",
    "Methodology: method and factor versions, assumptions, exclusions",
    "Evidence annex: ingestion runs, source files (SHA-256) and factor sets behind every figure",
)


def numbered_canvas(draw_footer):
    """A canvas class that holds every page until the end, so each footer can say "page N of M".

    `draw_footer(canvas, page, pages)` draws one page's footer."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                draw_footer(self, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def breakable(text: str) -> str:
    """A concept or identifier name that may wrap between its words: a zero-width space before each capital
    of a CamelCase name and after a colon or underscore, so a narrow cell breaks it there, never mid-word."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "\u200b", str(text))
    return re.sub(r"([:_])", "\\1\u200b", text)


def contents(renderer) -> list:
    """The contents page's list of sections."""
    items = "".join(f"<br/>{n}. {escape(title)}" for n, title in enumerate(CONTENTS, start=1))
    return [renderer.p("Contents", "h2"), renderer.p(items[5:]), Spacer(1, 4 * mm)]


def management_statement(renderer) -> list:
    """The management statement and its signature block: filled in from the sign-off when the period is signed
    off, with blank lines to sign on a draft."""
    snap = renderer.snapshot
    period, org = snap.get("period") or {}, snap.get("organisation") or {}
    name = escape(str(org.get("name") or "the organisation"))
    story = [
        renderer.p("Management statement", "h2"),
        renderer.p(
            f"The management of {name} has reviewed this disclosure of the greenhouse-gas emissions, energy, water "
            "and resource use of the organisation's use of artificial intelligence for the reporting period on the "
            "cover. It confirms that, to the best of its knowledge, the figures are those of the snapshot identified "
            "on the cover, computed with the method and factor sets described in the methodology and traced in the "
            "evidence annex, and that the assumptions and exclusions listed there are complete."
        ),
    ]
    signed = period.get("status") == "signed_off" and period.get("signed_off_by")
    blank = "_" * 34
    rows = [
        ("Signed off by", period.get("signed_off_by") if signed else blank),
        ("Date", str(period.get("signed_off_at") or "")[:10] if signed else blank),
        ("Comment", period.get("comment") or ("\u2014" if signed else blank)),
        ("Signature", "recorded in the ledger's audit log at sign-off" if signed else blank),
    ]
    table = [[renderer.cell(k, "cell_bold"), renderer.cell(v)] for k, v in rows]
    story.append(key_value_table(table, renderer.width))
    if not signed:
        story.append(renderer.p("Not signed off: the statement is signed when the period is signed off.", "muted"))
    return story


def comparative_note(snapshot: dict) -> str | None:
    """Why the comparative column shows no figure, when none of the datapoints has one; None otherwise."""
    datapoints = snapshot.get("datapoints") or []
    if any(d.get("comparative") is not None for d in datapoints):
        return None
    return (
        "The comparative (N-1) column is empty: the ledger holds no figures for the previous period (no usage "
        "loaded for it), so there is nothing to compare with. It fills in once the previous year is loaded."
    )
