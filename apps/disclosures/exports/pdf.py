"""The disclosure as a PDF (reportlab): cover, summary, E1 tables, charts, methodology and an evidence annex.

Reproducible byte for byte: reportlab runs in invariant mode (fixed document id, no clock) and the PDF's
creation/modification dates are taken from snapshot["generated_at"]; the fonts are the Bitstream Vera TTFs that
ship inside reportlab, embedded, so the output does not depend on the fonts of the machine. Every text taken
from the snapshot is escaped before it goes into Paragraph markup.
"""

from __future__ import annotations

import io
import os
from xml.sax.saxutils import escape

import pandas as pd
import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from apps.core.labels import NO_TEAM

from . import charts
from ._common import format_change, format_number, generated_at, is_number, period_label

FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC = "LedgerSans", "LedgerSans-Bold", "LedgerSans-Italic", "LedgerSans-BI"
MONO = "Courier"  # hashes are ASCII hex: a standard font is enough
INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#5a5a5a")
ACCENT = colors.HexColor("#2f6f4f")
RULE = colors.HexColor("#c9d3cc")
HEADER_BG = colors.HexColor("#e6efe8")
WARN = colors.HexColor("#b23a1e")

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
    "B3": "VSME B3 Energy and greenhouse gas emissions",
}
STATUS_LABELS = {
    "signed_off": "Signed off",
    "draft": "Draft \u2014 not signed off",
    "in_review": "In review \u2014 not signed off",
}


def _register_fonts() -> None:
    # Vera ships inside reportlab, so every machine embeds exactly the same font program.
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    for name, filename in (
        (FONT, "Vera.ttf"),
        (FONT_BOLD, "VeraBd.ttf"),
        (FONT_ITALIC, "VeraIt.ttf"),
        (FONT_BOLD_ITALIC, "VeraBI.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, os.path.join(folder, filename)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12.5, textColor=INK, spaceAfter=4)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5, spaceAfter=0),
        "muted": ParagraphStyle("muted", parent=base, fontSize=8, leading=10.5, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.3, spaceAfter=0),
        "cell_indent": ParagraphStyle(
            "cell_indent", parent=base, fontSize=7.5, leading=9.3, spaceAfter=0, leftIndent=9
        ),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.3, spaceAfter=0
        ),
        "num": ParagraphStyle("num", parent=base, fontSize=7.5, leading=9.3, spaceAfter=0, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.3, spaceAfter=0),
        "head_num": ParagraphStyle(
            "head_num", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.3, spaceAfter=0, alignment=TA_RIGHT
        ),
        "mono": ParagraphStyle("mono", parent=base, fontName=MONO, fontSize=7, leading=8.5, spaceAfter=0),
        "cell_id": ParagraphStyle("cell_id", parent=base, fontName=FONT_BOLD, fontSize=7, leading=9.3, spaceAfter=0),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=16,
            leading=20,
            spaceBefore=4,
            spaceAfter=8,
            textColor=ACCENT,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=11.5,
            leading=15,
            spaceBefore=10,
            spaceAfter=5,
            textColor=ACCENT,
        ),
        "h3": ParagraphStyle(
            "h3", parent=base, fontName=FONT_BOLD, fontSize=9.5, leading=12.5, spaceBefore=6, spaceAfter=3
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=24,
            leading=30,
            textColor=ACCENT,
            spaceAfter=6,
            alignment=TA_LEFT,
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=13, leading=17, textColor=MUTED, spaceAfter=18),
        "warn": ParagraphStyle(
            "warn",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=11,
            leading=14,
            textColor=WARN,
            spaceBefore=6,
            spaceAfter=6,
        ),
    }


def _text(value) -> str:
    """Snapshot text made safe for Paragraph markup: escaped, newlines kept as line breaks."""
    if value is None:
        return ""
    return escape(str(value)).replace("\r\n", "\n").replace("\n", "<br/>")


def _hash_lines(value: str, width: int = 32) -> str:
    """A long hex hash broken into lines of `width` characters so it fits a table column."""
    value = escape(str(value or ""))
    return "<br/>".join(value[i : i + width] for i in range(0, len(value), width)) or "\u2014"


def display(value, unit: str) -> tuple[str, str]:
    """(formatted value, unit shown) for the PDF. Intensities per EUR are shown per EUR million to stay readable."""
    if unit == "tCO2e/EUR":
        return format_number(value * 1e6 if is_number(value) else None, decimals=4), "tCO2e/EURm"
    return format_number(value, unit), unit


def _table(
    rows: list[list], widths: list[float], *, header_rows: int = 1, zebra: bool = True, extra: list | None = None
) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=header_rows, hAlign="LEFT")
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.8, ACCENT),
        ("LINEBELOW", (0, header_rows), (-1, -1), 0.25, RULE),
    ]
    if header_rows:
        style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_BG))
    if zebra:
        for i in range(header_rows + 1, len(rows), 2):
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f6f8f6")))
    table.setStyle(TableStyle(style + (extra or [])))
    return table


class _Renderer:
    """Builds the story (the list of flowables) from a snapshot; one instance per render."""

    def __init__(self, snapshot: dict, records: pd.DataFrame | None, snapshot_sha256: str):
        self.snapshot = snapshot
        self.records = records
        self.sha = snapshot_sha256 or ""
        self.s = _styles()
        self.width = A4[0] - 36 * mm  # frame width (18 mm margins)

    # small builders ---------------------------------------------------------------------------------------
    def p(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(text, self.s[style])

    def cell(self, value, style: str = "cell") -> Paragraph:
        return Paragraph(_text(value), self.s[style])

    def num(self, text: str) -> Paragraph:
        return Paragraph(escape(text), self.s["num"])

    def head(self, labels: list[str], numeric_from: int | None = None) -> list[Paragraph]:
        return [
            Paragraph(escape(label), self.s["head_num" if numeric_from is not None and i >= numeric_from else "head"])
            for i, label in enumerate(labels)
        ]

    def bullets(self, items: list) -> ListFlowable:
        return ListFlowable(
            [ListItem(self.cell(item, "body"), leftIndent=10, value="\u2022") for item in items],
            bulletType="bullet",
            start="\u2022",
            leftIndent=10,
            bulletFontName=FONT,
            bulletFontSize=8,
        )

    # sections -------------------------------------------------------------------------------------------------
    def cover(self) -> list:
        snap, period, org = self.snapshot, self.snapshot.get("period") or {}, self.snapshot.get("organisation") or {}
        status = period.get("status") or "draft"
        variant = "VSME B3" if snap.get("variant") == "vsme_b3" else "ESRS E1 (Set 1)"
        story = [
            Spacer(1, 30 * mm),
            self.p("AI footprint \u2014 climate disclosure", "title"),
            self.p(
                f"{_text(org.get('name'))}<br/>{escape(variant)}, reporting period {escape(period_label(snap))}",
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
            [self.cell("Snapshot SHA-256", "cell_bold"), Paragraph(_hash_lines(self.sha, 64), self.s["mono"])]
        )
        story.append(
            _table(
                table_rows,
                [45 * mm, self.width - 45 * mm],
                header_rows=0,
                zebra=False,
                extra=[("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT)],
            )
        )
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
        by_id = {d.get("id"): d for d in self.snapshot.get("datapoints") or []}
        chosen = [by_id[i] for i in KEY_FIGURES if i in by_id]
        if not chosen:
            chosen = [d for d in self.snapshot.get("datapoints") or [] if is_number(d.get("value"))][:8]
        rows = [self.head(["Key figure", "Unit", "Value", "Low", "High", "Comparative", "Change"], numeric_from=2)]
        for d in chosen:
            value, unit = display(d.get("value"), d.get("unit") or "")
            low, _ = display(d.get("low"), d.get("unit") or "")
            high, _ = display(d.get("high"), d.get("unit") or "")
            comp, _ = display(d.get("comparative"), d.get("unit") or "")
            rows.append(
                [
                    Paragraph(
                        f"{_text(d.get('label'))} <font color='#5a5a5a' size='6.5'>{_text(d.get('id'))}</font>",
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
            _table(rows, [w * 0.36, w * 0.1, w * 0.11, w * 0.1, w * 0.1, w * 0.12, w * 0.11]),
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
                        self.cell(r.get("key")),
                        self.num(format_number(r.get("records"), decimals=0)),
                        self.num(format_number(_kilo(r.get("energy_kwh")), "MWh")),
                        self.num(format_number(_kilo(r.get("co2e_location_kg")), "tCO2e")),
                        self.num(format_number(_kilo(r.get("co2e_market_kg")), "tCO2e")),
                    ]
                )
            story += [self.p("By scope", "h3"), _table(rows, [w * 0.32, w * 0.14, w * 0.18, w * 0.18, w * 0.18])]
        return story

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
                label = f"{_text(d.get('label'))}<br/><font color='#5a5a5a' size='6.5'>{_text(d.get('esrs_ref'))}"
                if d.get("xbrl_concept"):
                    label += f" \u00b7 {_text(d.get('xbrl_concept'))}"
                label += "</font>"
                indent = d.get("id") in ("E1-6_11_cat1", "E1-6_AR51")  # subsets of Scope 3, shown under it
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
            story.append(self.p(escape(SECTION_TITLES.get(section, section)), "h2"))
            story.append(_table(rows, widths))
        story.append(
            self.p(
                "N is the reporting period; the comparative is the previous period computed with the "
                "same method. Intensities per net revenue are shown per EUR million (the CSV, XLSX and "
                "iXBRL exports carry them per EUR).",
                "muted",
            )
        )
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
                    _table(rows, [w * 0.32, w * 0.1, w * 0.13, w * 0.15, w * 0.15, w * 0.15]),
                ]
        return story

    def methodology(self) -> list:
        m = self.snapshot.get("methodology") or {}
        w = self.width
        story: list = [
            PageBreak(),
            self.p("Methodology", "h1"),
            self.p(f"Method version: <b>{_text(m.get('method_version'))}</b>"),
        ]
        for paragraph in str(m.get("notes") or "").replace("\r\n", "\n").split("\n\n"):
            if paragraph.strip():
                story.append(self.p(_text(paragraph.strip())))
        if m.get("assumptions"):
            story += [self.p("Assumptions", "h3"), self.bullets(m["assumptions"])]
        if m.get("exclusions"):
            story += [self.p("Exclusions", "h3"), self.bullets(m["exclusions"])]
        if m.get("coverage"):
            rows = [self.head(["Source", "First day", "Last day", "Records"], numeric_from=3)]
            rows += [
                [
                    self.cell(c.get("source_key")),
                    self.cell(c.get("first_day")),
                    self.cell(c.get("last_day")),
                    self.num(format_number(c.get("records"), decimals=0)),
                ]
                for c in m["coverage"]
            ]
            story += [
                self.p("Sources loaded and their coverage", "h3"),
                _table(rows, [w * 0.4, w * 0.2, w * 0.2, w * 0.2]),
            ]
        inputs = self.snapshot.get("inputs") or {}
        story += [
            self.p("Inputs entered for the period", "h3"),
            _table(
                [
                    [
                        self.cell("Net revenue", "cell_bold"),
                        self.cell(
                            f"{format_number(inputs.get('net_revenue_eur'), 'EUR')} "
                            f"{self.snapshot.get('currency') or ''}"
                            if is_number(inputs.get("net_revenue_eur"))
                            else "not entered"
                        ),
                    ],
                    [
                        self.cell("Internal carbon price", "cell_bold"),
                        self.cell(
                            f"{format_number(inputs.get('internal_carbon_price_eur_per_t'), 'EUR/tCO2e')} EUR/tCO2e"
                            if is_number(inputs.get("internal_carbon_price_eur_per_t"))
                            else "none set"
                        ),
                    ],
                ],
                [45 * mm, w - 45 * mm],
                header_rows=0,
                zebra=False,
            ),
        ]
        instruments = inputs.get("instruments") or []
        if instruments:
            rows = [self.head(["Instrument", "Zone", "From", "To", "Source", "gCO2e/kWh", "MWh"], numeric_from=5)]
            rows += [
                [
                    self.cell(i.get("kind")),
                    self.cell(i.get("zone")),
                    self.cell(i.get("period_start")),
                    self.cell(i.get("period_end")),
                    self.cell(i.get("energy_source")),
                    self.num(format_number(i.get("gco2e_per_kwh"), decimals=1)),
                    self.num(format_number(i.get("mwh"), "MWh")),
                ]
                for i in instruments
            ]
            story += [
                self.p("Contractual instruments (market-based Scope 2, renewable share)", "h3"),
                _table(rows, [w * 0.16, w * 0.1, w * 0.14, w * 0.14, w * 0.16, w * 0.14, w * 0.16]),
            ]
        for fs in self.snapshot.get("factor_sets") or []:
            story += [
                CondPageBreak(40 * mm),
                self.p(f"Factor set {_text(fs.get('label'))}", "h3"),
                self.p(
                    f"Method version {_text(fs.get('method_version'))}; SHA-256 "
                    f"<font name='{MONO}' size='7'>{_text(fs.get('sha256'))}</font>",
                    "small",
                ),
            ]
            rows = [self.head(["Table", "Source", "Vintage", "Licence", "Rows"], numeric_from=4)]
            rows += [
                [
                    self.cell(t.get("table")),
                    self.cell(t.get("source")),
                    self.cell(t.get("vintage")),
                    self.cell(t.get("licence")),
                    self.num(format_number(t.get("rows"), decimals=0)),
                ]
                for t in fs.get("provenance") or []
            ]
            story.append(Spacer(1, 2 * mm))
            story.append(_table(rows, [w * 0.15, w * 0.37, w * 0.15, w * 0.23, w * 0.1]))
        return story

    def evidence(self) -> list:
        w = self.width
        story: list = [
            PageBreak(),
            self.p("Evidence annex", "h1"),
            self.p(
                "Ingestion runs whose records make up the figures, with the SHA-256 of the file each "
                "run read. An auditor can hash the original files and compare.",
                "muted",
            ),
        ]
        rows = [self.head(["Run", "Source / file", "File SHA-256", "Uploaded", "Rows read", "Records"], numeric_from=4)]
        for r in self.snapshot.get("runs") or []:
            rows.append(
                [
                    self.cell(r.get("id")),
                    Paragraph(f"<b>{_text(r.get('source_key'))}</b><br/>{_text(r.get('filename'))}", self.s["cell"]),
                    Paragraph(_hash_lines(r.get("sha256")), self.s["mono"]),
                    Paragraph(f"{_text(r.get('uploaded_by'))}<br/>{_text(r.get('uploaded_at'))}", self.s["cell"]),
                    self.num(format_number(r.get("rows_read"), decimals=0)),
                    self.num(format_number(r.get("records"), decimals=0)),
                ]
            )
        story.append(_table(rows, [w * 0.06, w * 0.22, w * 0.29, w * 0.25, w * 0.09, w * 0.09]))
        if self.records is not None and len(self.records):
            story += [self.p("Records by run and scope", "h3")]
            rows = [
                self.head(["Run", "Scope", "Data quality", "Records", "Energy MWh", "tCO2e location"], numeric_from=3)
            ]
            frame = self.records
            cols = ["run_id", "scope", "data_quality"]
            if {*cols, "energy_kwh", "co2e_location_kg"} <= set(frame.columns):
                grouped = frame.groupby(cols, sort=True, dropna=False).agg(
                    n=("energy_kwh", "size"), kwh=("energy_kwh", "sum"), co2=("co2e_location_kg", "sum")
                )
                for (run, scope, quality), g in grouped.iterrows():
                    rows.append(
                        [
                            self.cell(run),
                            self.cell(scope),
                            self.cell(quality),
                            self.num(format_number(int(g["n"]), decimals=0)),
                            self.num(format_number(float(g["kwh"]) / 1000, "MWh")),
                            self.num(format_number(float(g["co2"]) / 1000, "tCO2e")),
                        ]
                    )
                story.append(_table(rows, [w * 0.1, w * 0.2, w * 0.2, w * 0.14, w * 0.18, w * 0.18]))
        story.append(self.p("Factor sets", "h3"))
        rows = [self.head(["Factor set", "Method version", "SHA-256"])]
        rows += [
            [
                self.cell(fs.get("label")),
                self.cell(fs.get("method_version")),
                Paragraph(_hash_lines(fs.get("sha256")), self.s["mono"]),
            ]
            for fs in self.snapshot.get("factor_sets") or []
        ]
        story.append(_table(rows, [w * 0.3, w * 0.35, w * 0.35]))
        story += [
            self.p("How to check", "h3"),
            self.p(
                "1. The evidence pack (zip) holds snapshot.json, records.csv, the factor tables and a README with each "
                "datapoint's formula. 2. The SHA-256 of snapshot.json must equal the snapshot SHA-256 on the cover. "
                "3. The formulas in the README, applied to records.csv, give every figure in this report. "
                "4. The file SHA-256 of each run above must equal the SHA-256 of the original file the organisation "
                "keeps."
            ),
        ]
        return story

    def story(self) -> list:
        return (
            self.cover()
            + self.summary()
            + [PageBreak()]
            + self.datapoint_tables()
            + self.charts()
            + self.methodology()
            + self.evidence()
        )


def _kilo(value):
    return value / 1000 if is_number(value) else None


def render_pdf(snapshot: dict, records: pd.DataFrame | None = None, snapshot_sha256: str = "") -> bytes:
    """Render the disclosure snapshot (and its usage records, for the evidence annex) as PDF bytes.

    The same snapshot, records and hash give identical bytes: reportlab's invariant mode, dates from
    snapshot["generated_at"], fonts shipped with reportlab.
    """
    _register_fonts()
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
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(RULE)
        canvas.line(18 * mm, 13 * mm, A4[0] - 18 * mm, 13 * mm)
        canvas.drawString(18 * mm, 9 * mm, footer_left[:110])
        canvas.drawRightString(A4[0] - 18 * mm, 9 * mm, f"{footer_right}   page {doc.page}")
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
    doc.build(_Renderer(snapshot, records, snapshot_sha256).story(), onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
