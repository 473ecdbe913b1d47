"""The disclosure as a PDF (reportlab): cover, summary, E1 tables, charts, methodology and an evidence annex.

Reproducible byte for byte: reportlab runs in invariant mode (fixed document id, no clock) and the PDF's
creation/modification dates are taken from snapshot["generated_at"]; the fonts are the Bitstream Vera TTFs that
ship inside reportlab, embedded, so the output does not depend on the fonts of the machine. Every text taken
from the snapshot is escaped before it goes into Paragraph markup.

This module has the front pages (cover, summary, E1 tables, charts) and render_pdf; pdf_annex the methodology and
evidence annex; pdf_layout the fonts, styles and small builders both use.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import cached_property
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer

from apps.core.labels import NO_TEAM, display_name

from . import charts
from ._common import (
    STANDARD_LABELS,
    format_change,
    format_number,
    generated_at,
    is_number,
    not_defined,
    not_defined_text,
    period_label,
    section_heading,
    standard_of,
)
from .pdf_annex import AnnexPages
from .pdf_layout import (
    FONT,
    FONT_BOLD,
    MUTED,
    RULE,
    display,
    hash_lines,
    key_value_table,
    register_fonts,
    safe_text,
    styled_table,
)
from .pdf_pages import breakable, comparative_note, contents, management_statement, numbered_canvas

# Datapoints shown as key figures in the summary, in this order, when present.
KEY_FIGURES = (
    "E1-5_01",
    "E1-5_09",
    "E1-6_09",
    "E1-6_10",
    "E1-6_11",
    "E1-6_12",
    "E1-6_13",
    "E1-6_25",
    "B3_energy_total_MWh",
    "B3_scope2_location_tCO2e",
    "B3_scope2_market_tCO2e",
    "B3_scope3_tCO2e",
)
SECTION_TITLES = {
    "E1-5": "E1-5 Energy consumption and mix (own operations: self-hosted compute)",
    "E1-6": "E1-6 Gross Scopes 1, 2, 3 and total GHG emissions",
    "E1-8": "E1-8 Internal carbon pricing",
    "E3": "E3 Water (voluntary): water consumption of AI use",
    "E5": "E5 Resource use (voluntary): abiotic depletion and primary energy of AI use",
    "B3": "VSME B3 Energy and greenhouse gas emissions",
}
STATUS_LABELS = {
    "signed_off": "Signed off",
    "draft": "Draft \u2014 not signed off",
    "in_review": "In review \u2014 not signed off",
}


class _Renderer(AnnexPages):
    """Builds the story (the list of flowables) from a snapshot; one instance per render."""

    # sections -------------------------------------------------------------------------------------------------
    def cover(self) -> list:
        snap, period, org = self.snapshot, self.snapshot.get("period") or {}, self.snapshot.get("organisation") or {}
        status = period.get("status") or "draft"
        variant = STANDARD_LABELS[standard_of(snap)]
        story = [
            Spacer(1, 30 * mm),
            self.p("AI footprint \u2014 climate disclosure", "title"),
            self.p(
                f"{safe_text(org.get('name'))}<br/>{escape(variant)}, reporting period {escape(period_label(snap))}",
                "subtitle",
            ),
        ]
        if status != "signed_off":
            story.append(self.p(f"{escape(STATUS_LABELS.get(status, status))}: figures may still change.", "warn"))
        signed = ""
        if period.get("signed_off_by"):
            signed = f"{period.get('signed_off_by')} on {period.get('signed_off_at') or '?'}"
        restated = period.get("restatement_of")
        rows = [
            ("Organisation", org.get("name")),
            ("Legal entity identifier (LEI)", org.get("lei") or "not set"),
            ("Reporting period", period_label(snap)),
            ("Standard", variant),
            ("Status", STATUS_LABELS.get(status, status)),
            ("Version", period.get("version")),
            ("Signed off by", signed or "\u2014"),
            ("Sign-off comment", period.get("comment") or "\u2014"),
        ]
        if restated:
            rows.append(("Restates", f"version {restated.get('version')} (snapshot {restated.get('snapshot_sha256')})"))
            rows.append(("Reason for restatement", period.get("restatement_reason") or "\u2014"))
        rows += [
            ("Generated at", snap.get("generated_at")),
            ("Method version", (snap.get("methodology") or {}).get("method_version")),
            ("Code version", snap.get("code_version")),
        ]
        table_rows = [[self.cell(k, "cell_bold"), self.cell(v)] for k, v in rows]
        table_rows.append(
            [self.cell("Snapshot SHA-256", "cell_bold"), Paragraph(hash_lines(self.sha, 64), self.s["mono"])]
        )
        story.append(key_value_table(table_rows, self.width))
        story += [
            Spacer(1, 8 * mm),
            self.p(
                "This report covers the organisation's use of artificial intelligence only: self-hosted compute "
                "(own operations: E1-5 energy and Scope 2) and purchased AI services (Scope 3 category 1, the AR 51 "
                "cloud computing and data centre services subset). Every figure is traced in the evidence annex to "
                "the ingestion runs, source files (SHA-256) and factor sets it was computed from. The snapshot "
                "SHA-256 above identifies the exact figures: it is the SHA-256 of the snapshot JSON in canonical "
                "form (sorted keys, no whitespace), which the evidence pack ships as snapshot.json.",
                "muted",
            ),
        ]
        story.append(PageBreak())
        return story

    def summary(self) -> list:
        # By figure: a revised-ESRS period shows the same key figures under its own ids.
        by_figure = {d.get("figure") or d.get("id"): d for d in self.datapoints()}
        chosen = [by_figure[i] for i in KEY_FIGURES if i in by_figure]
        if not chosen:
            chosen = [d for d in self.snapshot.get("datapoints") or [] if is_number(d.get("value"))][:8]
        rows = [self.head(["Key figure", "Unit", "Value", "Low", "High", "N-1", "Change"], numeric_from=2)]
        for d in chosen:
            value, unit = display(d.get("value"), d.get("unit") or "")
            low, _ = display(d.get("low"), d.get("unit") or "")
            high, _ = display(d.get("high"), d.get("unit") or "")
            comp, _ = display(d.get("comparative"), d.get("unit") or "")
            rows.append(
                [
                    Paragraph(
                        f"{safe_text(d.get('label'))} <font color='#5a5a5a' size='6.5'>{safe_text(d.get('id'))}</font>"
                        + self.why(d),
                        self.s["cell"],
                    ),
                    self.cell(unit),
                    self.num(value),
                    self.num(low),
                    self.num(high),
                    self.num(comp),
                    self.num(format_change(d.get("change_pct"))),
                ]
            )
        w = self.width
        story = [
            self.p("Summary", "h1"),
            styled_table(rows, [w * 0.36, w * 0.1, w * 0.11, w * 0.1, w * 0.1, w * 0.12, w * 0.11]),
        ]
        story.append(
            self.p(
                "Low and high give the uncertainty range of the estimate: measured energy carries a "
                "narrow range; activity-based (token, user-day) and spend-based estimates wide ones. "
                "The disclosed value is the central estimate.",
                "muted",
            )
        )
        scopes = (self.snapshot.get("breakdowns") or {}).get("by_scope") or []
        if scopes:
            rows = [self.head(["Scope", "Records", "Energy MWh", "tCO2e location", "tCO2e market"], numeric_from=1)]
            for r in scopes:
                rows.append(
                    [
                        self.cell(display_name(r.get("key"))),
                        self.num(format_number(r.get("records"), decimals=0)),
                        self.num(format_number(_kilo(r.get("energy_kwh")), "MWh")),
                        self.num(format_number(_kilo(r.get("co2e_location_kg")), "tCO2e")),
                        self.num(format_number(_kilo(r.get("co2e_market_kg")), "tCO2e")),
                    ]
                )
            story += [self.p("By scope", "h3"), styled_table(rows, [w * 0.32, w * 0.14, w * 0.18, w * 0.18, w * 0.18])]
        return story

    def datapoints(self) -> list[dict]:
        return self.snapshot.get("datapoints") or []

    @cached_property
    def reasons(self) -> dict[int, dict[str, str]]:
        return {id(dp): why for dp, why in zip(self.datapoints(), not_defined(self.snapshot), strict=True)}

    def why(self, d: dict) -> str:
        """The reasons a figure of the row is not defined, as a line under its label (empty when all are)."""
        text = not_defined_text(self.reasons.get(id(d)) or {})
        return f"<br/><font color='#5a5a5a' size='6.5'><i>{safe_text(text)}</i></font>" if text else ""

    def datapoint_tables(self) -> list:
        sections: dict[str, list[dict]] = {}
        for d in self.snapshot.get("datapoints") or []:
            sections.setdefault(str(d.get("section") or "Other"), []).append(d)
        w = self.width
        widths = [w * 0.13, w * 0.35, w * 0.12, w * 0.11, w * 0.1, w * 0.1, w * 0.09]
        story: list = []
        for section, datapoints in sections.items():
            rows = [self.head(["ID", "Datapoint", "Unit", "N", "Range", "N-1", "Change"], numeric_from=3)]
            for d in datapoints:
                unit = d.get("unit") or ""
                value, shown_unit = display(d.get("value"), unit)
                comp, _ = display(d.get("comparative"), unit)
                low, _ = display(d.get("low"), unit)
                high, _ = display(d.get("high"), unit)
                rng = f"{low} \u2013 {high}" if is_number(d.get("low")) or is_number(d.get("high")) else "\u2014"
                label = (
                    f"{safe_text(d.get('label'))}<br/><font color='#5a5a5a' size='6.5'>{safe_text(d.get('esrs_ref'))}"
                )
                if d.get("xbrl_concept"):
                    label += f" \u00b7 {safe_text(breakable(d.get('xbrl_concept')))}"
                label += "</font>" + self.why(d)
                indent = "/" in str(d.get("id"))  # subsets of Scope 3, shown under it
                rows.append(
                    [
                        self.cell(d.get("id"), "cell_id"),
                        Paragraph(label, self.s["cell_indent" if indent else "cell"]),
                        self.cell(shown_unit),
                        self.num(value),
                        self.num(rng),
                        self.num(comp),
                        self.num(format_change(d.get("change_pct"))),
                    ]
                )
            story.append(CondPageBreak(60 * mm))
            story.append(self.p(escape(section_heading(self.snapshot, section, SECTION_TITLES)), "h2"))
            story.append(styled_table(rows, widths))
        story.append(
            self.p(
                "N is the reporting period; the comparative is the previous period computed with the "
                "same method. Intensities per net revenue are shown per EUR million (the CSV, XLSX and "
                "iXBRL exports carry them per EUR).",
                "muted",
            )
        )
        if comparative_note(self.snapshot):
            story.append(self.p(escape(comparative_note(self.snapshot)), "muted"))
        return story

    def charts(self) -> list:
        b = self.snapshot.get("breakdowns") or {}
        story: list = [PageBreak(), self.p("Where the footprint comes from", "h1")]
        story.append(charts.monthly_emissions_chart(b.get("by_month") or [], FONT, FONT_BOLD, width=self.width))
        story.append(Spacer(1, 4 * mm))
        story.append(charts.monthly_energy_chart(b.get("by_month") or [], FONT, FONT_BOLD, width=self.width))
        for key, title in (
            ("by_provider", "By provider (tCO2e, location-based)"),
            ("by_model", "By model (tCO2e, location-based)"),
            ("by_team", "By team (tCO2e, location-based)"),
        ):
            rows = [dict(r, key=r.get("key") or NO_TEAM) for r in b.get(key) or []]
            story += [
                Spacer(1, 4 * mm),
                KeepTogether(charts.ranking_chart(rows, title, FONT, FONT_BOLD, width=self.width)),
            ]
        story.append(PageBreak())
        story.append(self.p("Breakdowns", "h1"))
        story.append(
            self.p(
                "The same figures as tables: each row sums the usage records with that key. Energy of "
                "purchased AI services is value-chain information and is not part of E1-5.",
                "muted",
            )
        )
        w = self.width
        for key, title in (
            ("by_source", "By source"),
            ("by_provider", "By provider"),
            ("by_model", "By model"),
            ("by_team", "By team"),
            ("by_month", "By month"),
        ):
            rows = [
                self.head(
                    [title[3:].capitalize(), "Records", "Requests", "Energy MWh", "tCO2e location", "tCO2e market"],
                    numeric_from=1,
                )
            ]
            for r in b.get(key) or []:
                rows.append(
                    [
                        self.cell(r.get("key") or NO_TEAM),
                        self.num(format_number(r.get("records"), decimals=0)),
                        self.num(format_number(r.get("requests"), decimals=0)),
                        self.num(format_number(_kilo(r.get("energy_kwh")), "MWh")),
                        self.num(format_number(_kilo(r.get("co2e_location_kg")), "tCO2e")),
                        self.num(format_number(_kilo(r.get("co2e_market_kg")), "tCO2e")),
                    ]
                )
            if len(rows) > 1:
                story += [
                    CondPageBreak(35 * mm),
                    self.p(escape(title), "h3"),
                    styled_table(rows, [w * 0.32, w * 0.1, w * 0.13, w * 0.15, w * 0.15, w * 0.15]),
                ]
        return story

    def story(self) -> list:
        return (
            self.cover()
            + contents(self)
            + management_statement(self)
            + [Spacer(1, 6 * mm)]
            + self.summary()
            + [PageBreak()]
            + self.datapoint_tables()
            + self.charts()
            + self.methodology()
            + self.evidence()
        )


def _kilo(value):
    return value / 1000 if is_number(value) else None


def render_pdf(
    snapshot: dict,
    records: pd.DataFrame | Iterable[pd.DataFrame] | None = None,
    snapshot_sha256: str = "",
    by_run: pd.DataFrame | None = None,
) -> bytes:
    """Render the disclosure snapshot (and its usage records, for the evidence annex) as PDF bytes.

    The records (a frame or an iterable of frames) are only summed by run, scope and data quality, a chunk at a
    time (e1.records_by_run); `by_run`, that table already summed, stands for them (a draft's, from the rollups).
    The figures themselves come from the snapshot.

    The same snapshot, records and hash give identical bytes: reportlab's invariant mode, dates from
    snapshot["generated_at"], fonts shipped with reportlab.
    """
    register_fonts()
    moment = generated_at(snapshot)
    pdf_date = moment.strftime("D:%Y%m%d%H%M%S+00'00'")
    org = (snapshot.get("organisation") or {}).get("name") or ""
    status = (snapshot.get("period") or {}).get("status") or "draft"
    footer_left = f"{org} \u2014 AI footprint, {period_label(snapshot)}"
    if status != "signed_off":
        footer_left += f" \u2014 {STATUS_LABELS.get(status, status).upper()}"
    footer_right = f"snapshot {snapshot_sha256[:12]}" if snapshot_sha256 else ""

    def on_page(canvas, doc):
        # The PDF's CreationDate/ModDate come from generated_at, not the clock (invariant mode pins the rest).
        canvas.setDateFormatter(lambda *_: pdf_date)

    def footer(canvas, page, pages):
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(RULE)
        canvas.line(18 * mm, 13 * mm, A4[0] - 18 * mm, 13 * mm)
        canvas.drawString(18 * mm, 9 * mm, footer_left[:110])
        canvas.drawRightString(A4[0] - 18 * mm, 9 * mm, f"{footer_right}   page {page} of {pages}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=20 * mm,
        title=f"AI footprint climate disclosure \u2014 {org} \u2014 {period_label(snapshot)}",
        author=org,
        subject="ESRS E1 disclosure of AI usage",
        creator="AI Footprint Ledger",
        keywords=f"snapshot-sha256:{snapshot_sha256}",
        invariant=1,
        lang="en",
    )
    doc.build(
        _Renderer(snapshot, records, snapshot_sha256, by_run).story(),
        onFirstPage=on_page,
        onLaterPages=on_page,
        canvasmaker=numbered_canvas(footer),
    )
    return buffer.getvalue()
