"""The back of the PDF: the methodology (notes, assumptions, coverage, inputs, factor sets) and the evidence annex
(runs and their file hashes, records by run, how an auditor checks)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, Spacer

from apps.core.labels import display_name

from ._common import format_number, is_number
from .pdf_layout import MONO, PageBuilder, hash_lines, safe_text, styled_table


class AnnexPages(PageBuilder):
    """The methodology and evidence sections, as lists of flowables."""

    def methodology(self) -> list:
        m = self.snapshot.get("methodology") or {}
        w = self.width
        story: list = [
            PageBreak(),
            self.p("Methodology", "h1"),
            self.p(f"Method version: <b>{safe_text(m.get('method_version'))}</b>"),
        ]
        for paragraph in str(m.get("notes") or "").replace("\r\n", "\n").split("\n\n"):
            if paragraph.strip():
                story.append(self.p(safe_text(paragraph.strip())))
        story += self.published_measurements(m.get("published_measurements") or [])
        if m.get("assumptions"):
            story += [self.p("Assumptions", "h3"), self.bullets(m["assumptions"])]
        if m.get("exclusions"):
            story += [self.p("Exclusions", "h3"), self.bullets(m["exclusions"])]
        story += self.upstream_electricity(self.snapshot.get("upstream_electricity") or {}, m)
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
                styled_table(rows, [w * 0.4, w * 0.2, w * 0.2, w * 0.2]),
            ]
        inputs = self.snapshot.get("inputs") or {}
        story += [
            self.p("Inputs entered for the period", "h3"),
            styled_table(
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
                styled_table(rows, [w * 0.16, w * 0.1, w * 0.14, w * 0.14, w * 0.16, w * 0.14, w * 0.16]),
            ]
        for fs in self.snapshot.get("factor_sets") or []:
            story += [
                CondPageBreak(40 * mm),
                self.p(f"Factor set {safe_text(fs.get('label'))}", "h3"),
                self.p(
                    f"Method version {safe_text(fs.get('method_version'))}; SHA-256 "
                    f"<font name='{MONO}' size='7'>{safe_text(fs.get('sha256'))}</font>",
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
            story.append(styled_table(rows, [w * 0.15, w * 0.37, w * 0.15, w * 0.23, w * 0.1]))
        return story

    def upstream_electricity(self, upstream: dict, m: dict) -> list:
        """Scope 3 category 3 per grid zone and year of use, with the factors' vintages and the method sentence."""
        if not upstream.get("rows"):
            return []
        w = self.width
        rows = [self.head(["Zone", "Year", "kWh", "Generation g/kWh", "Life cycle g/kWh", "kgCO2e", "Note"], 2)]
        for r in upstream["rows"]:
            generation = f"{format_number(r.get('generation_gco2e_per_kwh'), decimals=1)} "
            generation += f"({r.get('generation_year') or 'undated'})"
            life_cycle = "\u2014"  # none: the upstream is inside Scope 2 (the note says)
            if is_number(r.get("life_cycle_gco2e_per_kwh")):
                life_cycle = f"{format_number(r['life_cycle_gco2e_per_kwh'], decimals=1)} "
                life_cycle += f"({r.get('life_cycle_year') or 'undated'})"
            rows.append(
                [
                    self.cell(r.get("grid_zone")),
                    self.cell(str(r.get("year"))),
                    self.num(format_number(r.get("energy_kwh"), decimals=1)),
                    self.num(generation),
                    self.num(life_cycle),
                    self.num(format_number(r.get("upstream_kg"), decimals=3)),
                    self.cell(r.get("flag") or "—", "small"),
                ]
            )
        method = (m.get("definitions") or {}).get("upstream_electricity") or upstream.get("method") or ""
        return [
            self.p("Upstream of purchased electricity (Scope 3 category 3)", "h3"),
            self.p(safe_text(method), "small"),
            styled_table(rows, [w * 0.09, w * 0.07, w * 0.11, w * 0.15, w * 0.15, w * 0.11, w * 0.32]),
        ]

    def published_measurements(self, cases: list[dict]) -> list:
        """The vendors' per-prompt figures beside the factor set's for a comparable case, with both boundaries."""
        if not cases:
            return []
        w = self.width
        rows = [self.head(["Published case", "Figure", "Published", "Ledger", "Ledger / published"], numeric_from=2)]
        notes = []
        for c in cases:
            label = f"{c.get('publisher')}, {c.get('published')}: {c.get('subject')}"
            if c.get("error"):
                rows.append([self.cell(label), self.cell("not estimated"), self.cell(c.get("error")), "", ""])
                continue
            for i, f in enumerate(c.get("figures") or []):
                rows.append(
                    [
                        self.cell(label if i == 0 else ""),
                        self.cell(f.get("unit")),
                        self.num(significant(f.get("published"))),
                        self.num(significant(f.get("ledger"))),
                        self.num(f"x{significant(f.get('ratio'))}" if is_number(f.get("ratio")) else "\u2014"),
                    ]
                )
            notes.append(f"{label}. {c.get('boundary_note')}")
        return [
            self.p("Against published measurements", "h3"),
            self.p(
                "Each vendor's own figure for one prompt, as published, beside this factor set's figure for a "
                "comparable case (the vendor's where it names one, else the ledger's assumption, stated). The "
                "boundaries differ and are not adjusted: they are stated below each case.",
                "muted",
            ),
            styled_table(rows, [w * 0.36, w * 0.12, w * 0.17, w * 0.17, w * 0.18]),
            self.bullets(notes),
        ]

    def evidence(self) -> list:
        """The runs and their file hashes, the records by run and scope, the factor sets, how to check."""
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
        runs = self.snapshot.get("runs") or []
        rows = [
            self.head(
                ["Run", "Source / file", "File SHA-256", "Uploaded", "Rows read", "Records", "In period"],
                numeric_from=4,
            )
        ]
        for r in runs:
            rows.append(
                [
                    self.cell(r.get("id")),
                    Paragraph(
                        f"<b>{safe_text(r.get('source_key'))}</b><br/>{safe_text(r.get('filename'))}", self.s["cell"]
                    ),
                    Paragraph(hash_lines(r.get("sha256")), self.s["mono"]),
                    Paragraph(
                        f"{safe_text(r.get('uploaded_by'))}<br/>{safe_text(r.get('uploaded_at'))}", self.s["cell"]
                    ),
                    self.num(format_number(r.get("rows_read"), decimals=0)),
                    self.num(format_number(r.get("records"), decimals=0)),
                    self.num(format_number(r.get("records_in_period"), decimals=0)),
                ]
            )
        story.append(styled_table(rows, [w * 0.06, w * 0.2, w * 0.26, w * 0.22, w * 0.09, w * 0.08, w * 0.09]))
        outside = sum(int(r.get("records_outside_period") or 0) for r in runs)
        if outside:
            story.append(self.p(outside_period_note(runs, outside), "muted"))
        if self.records_by_run is not None:
            story += [self.p("Records by run and scope", "h3")]
            rows = [
                self.head(["Run", "Scope", "Data quality", "Records", "Energy MWh", "tCO2e location"], numeric_from=3)
            ]
            grouped = self.records_by_run
            for (run, scope, quality), g in grouped.iterrows():
                rows.append(
                    [
                        self.cell(run),
                        self.cell(scope),
                        self.cell(display_name(quality)),
                        self.num(format_number(int(g["n"]), decimals=0)),
                        self.num(format_number(float(g["kwh"]) / 1000, "MWh")),
                        self.num(format_number(float(g["co2"]) / 1000, "tCO2e")),
                    ]
                )
            story.append(styled_table(rows, [w * 0.1, w * 0.2, w * 0.2, w * 0.14, w * 0.18, w * 0.18]))
        story.append(self.p("Factor sets", "h3"))
        rows = [self.head(["Factor set", "Method version", "SHA-256"])]
        rows += [
            [
                self.cell(fs.get("label")),
                self.cell(fs.get("method_version")),
                Paragraph(hash_lines(fs.get("sha256")), self.s["mono"]),
            ]
            for fs in self.snapshot.get("factor_sets") or []
        ]
        story.append(styled_table(rows, [w * 0.3, w * 0.35, w * 0.35]))
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


def significant(value, digits: int = 3) -> str:
    """A per-prompt figure (0.0018 mgSbeq to 45 mL) to `digits` significant digits; an em dash when missing."""
    return f"{float(value):.{digits}g}" if is_number(value) else "\u2014"


def outside_period_note(runs: list[dict], outside: int) -> str:
    """Why a run's stored records exceed the records it contributes: they are dated outside the period."""
    named = ", ".join(
        f"run {r.get('id')}: {int(r.get('records_outside_period') or 0):,}"
        for r in runs
        if r.get("records_outside_period")
    )
    return (
        f"{outside:,} {'record' if outside == 1 else 'records'} of these runs "
        f"{'falls' if outside == 1 else 'fall'} outside the period ({named}): their files cover days before its "
        "start or after its end, so those records are stored but not in these figures, nor in the records-by-run "
        "table below. Records = all the run stored; In period = the ones the figures use."
    )
