"""The PDF's look and its small builders: fonts, colours, paragraph styles, escaped text, tables.

Shared by the pages of the report (apps.disclosures.exports.pdf) and its annexes (pdf_annex). The fonts are the
Bitstream Vera TTFs that ship inside reportlab, embedded, so the output does not depend on the machine's fonts.
"""

from __future__ import annotations

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
from reportlab.platypus import ListFlowable, ListItem, Paragraph, Table, TableStyle

from ..e1 import records_by_run
from ._common import format_number, is_number

FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC = "LedgerSans", "LedgerSans-Bold", "LedgerSans-Italic", "LedgerSans-BI"
MONO = "Courier"  # hashes are ASCII hex: a standard font is enough
INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#5a5a5a")
ACCENT = colors.HexColor("#2f6f4f")
RULE = colors.HexColor("#c9d3cc")
HEADER_BG = colors.HexColor("#e6efe8")
WARN = colors.HexColor("#b23a1e")


def register_fonts() -> None:
    """Register the embedded Vera fonts once per process."""
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


def paragraph_styles() -> dict[str, ParagraphStyle]:
    """The named paragraph styles of the report."""
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


def safe_text(value) -> str:
    """Snapshot text made safe for Paragraph markup: escaped, newlines kept as line breaks."""
    if value is None:
        return ""
    return escape(str(value)).replace("\r\n", "\n").replace("\n", "<br/>")


def hash_lines(value: str, width: int = 32) -> str:
    """A long hex hash broken into lines of `width` characters so it fits a table column."""
    value = escape(str(value or ""))
    return "<br/>".join(value[i : i + width] for i in range(0, len(value), width)) or "\u2014"


def display(value, unit: str) -> tuple[str, str]:
    """(formatted value, unit shown) for the PDF. Intensities per EUR are shown per EUR million to stay readable."""
    if unit == "tCO2e/EUR":
        return format_number(value * 1e6 if is_number(value) else None, decimals=4), "tCO2e/EURm"
    return format_number(value, unit), unit


def styled_table(
    rows: list[list], widths: list[float], *, header_rows: int = 1, zebra: bool = True, extra: list | None = None
) -> Table:
    """A table with the report's rules, header band and (optionally) zebra rows."""
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


def key_value_table(rows: list[list], width: float) -> Table:
    """Label/value pairs (the period facts, the management statement): a 45 mm label column, a rule above."""
    return styled_table(
        rows,
        [45 * mm, width - 45 * mm],
        header_rows=0,
        zebra=False,
        extra=[("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT)],
    )


class PageBuilder:
    """Holds one render's snapshot, records and styles, and builds the paragraphs and cells its pages use."""

    def __init__(self, snapshot: dict, records, snapshot_sha256: str, by_run: pd.DataFrame | None = None):
        self.snapshot = snapshot
        # A draft's table comes summed with its cached snapshot (from the rollups); else the records are summed.
        self.records_by_run = by_run if by_run is not None else records_by_run(records)
        self.sha = snapshot_sha256 or ""
        self.s = paragraph_styles()
        self.width = A4[0] - 36 * mm  # frame width (18 mm margins)

    # small builders ---------------------------------------------------------------------------------------
    def p(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(text, self.s[style])

    def cell(self, value, style: str = "cell") -> Paragraph:
        return Paragraph(safe_text(value), self.s[style])

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
