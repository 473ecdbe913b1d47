"""The disclosure as an Inline XBRL 1.1 document (XHTML): readable tables with the ESRS-tagged figures inside.

What the document contains:
- ix:header with ix:references -> link:schemaRef to the EFRAG ESRS core schema
  (https://xbrl.efrag.org/taxonomy/esrs/2023-12-22/common/esrs_cor.xsd) and ix:resources holding the contexts
  (entity identifier in the LEI scheme http://standards.iso.org/iso/17442, a duration context for the period and
  one for the comparative period) and units (utr:MWh, utr:tCO2e, iso4217:EUR, xbrli:pure for percentages,
  tCO2e/EUR and EUR/tCO2e as divide units).
- an ix:nonFraction fact (format ixt:num-dot-decimal, decimals, and scale where the shown number is a percentage
  or a per-EUR-million intensity) for each datapoint whose xbrl_concept is declared in the concept subset shipped
  in taxonomy/; other datapoints are shown untagged, and the document lists them.
- when the organisation has no LEI, a placeholder identifier derived from its slug: LEI-shaped (20 characters,
  valid ISO 7064 check digits, prefix "ZZZZ" that no LEI issuer uses). The document says so; it is not a
  registered LEI and such a document is not fit for filing.

What is validated, and what is not (honestly):
- The EFRAG ESRS taxonomy cannot be downloaded here. taxonomy/ holds a hand-written taxonomy package whose catalog
  maps the EFRAG core-schema URL to a local *subset* schema (esrs_cor.xsd) declaring, in the ESRS 2023-12-22
  namespace, only the concepts we tag, with the DTR data types (energyItemType, ghgEmissionsItemType,
  percentItemType, ghgEmissionsPerMonetaryItemType) and periodType duration.
- tests/disclosures/test_exports_ixbrl.py runs Arelle offline with that package and the Unit Type Registry
  check: XHTML/iXBRL 1.1 schema and rules, contexts, units, the match of each unit to its concept's data type,
  transformation formats, and that every tagged concept exists with a numeric type. Zero errors required.
- Not checked: that the concept names and types equal EFRAG's (names come from shared/reference/esrs-e1.md and
  must be verified against the taxonomy zip), the taxonomy's dimensions (e.g. a Scope 3 category member for
  category 1 / AR 51, which we therefore do not tag), its formula linkbases (mandatory tags, units), and ESMA's
  filing rules for sustainability statements (none exist in Arelle yet). With the EFRAG package passed to Arelle
  instead of ours (--packages), the same document is checked against the real taxonomy.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from ..e1 import REVISED, SET1
from ._common import (
    STANDARD_LABELS,
    comparative_period,
    deterministic_zip,
    format_change,
    format_number,
    is_number,
    not_defined,
    not_defined_text,
    period_label,
    section_heading,
    standard_of,
)

ESRS_NS = "https://xbrl.efrag.org/taxonomy/esrs/2023-12-22"
# A filing references EFRAG's entry point (all linkbases), not the core schema of concepts alone.
ESRS_SCHEMA_URL = "https://xbrl.efrag.org/taxonomy/esrs/2023-12-22/esrs_all.xsd"
LEI_SCHEME = "http://standards.iso.org/iso/17442"
# The ledger's extension (taxonomy/ledger/): every fact is the AI usage part of its concept, never the entity's total.
LEDGER_NS = "https://xbrl.ai-footprint-ledger.example/2026-01-01"
LEDGER_SCHEMA_URL = f"{LEDGER_NS}/ai.xsd"
AI_USAGE = ("aifl:ActivitiesAxis", "aifl:AIUsageMember")
TAXONOMY_DIR = os.path.join(os.path.dirname(__file__), "taxonomy")
_SUBSET_SCHEMA = os.path.join(TAXONOMY_DIR, "esrs", "2023-12-22", "common", "esrs_cor.xsd")

NAMESPACES = {
    "": "http://www.w3.org/1999/xhtml",
    "ix": "http://www.xbrl.org/2013/inlineXBRL",
    "ixt": "http://www.xbrl.org/inlineXBRL/transformation/2020-02-12",
    "xbrli": "http://www.xbrl.org/2003/instance",
    "xbrldi": "http://xbrl.org/2006/xbrldi",
    "link": "http://www.xbrl.org/2003/linkbase",
    "xlink": "http://www.w3.org/1999/xlink",
    "iso4217": "http://www.xbrl.org/2003/iso4217",
    "utr": "http://www.xbrl.org/2009/utr",
    "esrs": ESRS_NS,
    "aifl": LEDGER_NS,
}

# unit in the snapshot -> (unit id, numerator measures, denominator measures)
UNITS = {
    "MWh": ("MWh", ["utr:MWh"], []),
    "tCO2e": ("tCO2e", ["utr:tCO2e"], []),
    "%": ("pure", ["xbrli:pure"], []),
    "EUR": ("EUR", ["iso4217:EUR"], []),
    "tCO2e/EUR": ("tCO2e_per_EUR", ["utr:tCO2e"], ["iso4217:EUR"]),
    "EUR/tCO2e": ("EUR_per_tCO2e", ["iso4217:EUR"], ["utr:tCO2e"]),
}
# unit -> (factor from the snapshot value to the shown number, ix scale, decimals shown, label of the shown unit).
# A fact's value is the shown number x 10^scale. Snapshot percentages are percent (43.1): shown as is and tagged
# with scale -2 (fact 0.431, the XBRL convention for percentItemType). Intensities (tCO2e per EUR) are shown per
# EUR million and tagged with scale -6, so the fact stays per EUR.
DISPLAY = {
    "MWh": (1, 0, 3, "MWh"),
    "tCO2e": (1, 0, 3, "tCO2e"),
    "%": (1, -2, 1, "%"),
    "EUR": (1, 0, 0, "EUR"),
    "tCO2e/EUR": (1e6, -6, 4, "tCO2e per EUR million"),
    "EUR/tCO2e": (1, 0, 2, "EUR/tCO2e"),
}
SECTION_TITLES = {
    "E1-5": "E1-5 Energy consumption and mix (own operations)",
    "E1-6": "E1-6 Gross Scopes 1, 2, 3 and total GHG emissions",
    "E1-8": "E1-8 Internal carbon pricing",
    "E3": "E3 Water (voluntary)",
    "E5": "E5 Resource use (voluntary)",
    "B3": "VSME B3 Energy and greenhouse gas emissions",
}
_CSS = (
    "body{font-family:Helvetica,Arial,sans-serif;color:#1b1b1b;max-width:60em;margin:2em auto;padding:0 1em}"
    "h1,h2{color:#2f6f4f}table{border-collapse:collapse;width:100%;margin:0.5em 0 1.5em}"
    "th,td{border-bottom:1px solid #c9d3cc;padding:0.3em 0.5em;text-align:left;vertical-align:top}"
    "th{background:#e6efe8}td.n{text-align:right;white-space:nowrap}.ref{color:#5a5a5a;font-size:85%}.nd{font-style:italic}"
    ".warn{color:#b23a1e;font-weight:bold}.note{color:#5a5a5a;font-size:90%}"
)


def declared_concepts() -> dict[str, str]:
    """Concepts declared in the shipped ESRS subset schema: 'esrs:Name' -> its data type (e.g. 'energyItemType')."""
    tree = ElementTree.parse(_SUBSET_SCHEMA)  # noqa: S314 (our own file, shipped with the code)
    out = {}
    for element in tree.getroot().iter("{http://www.w3.org/2001/XMLSchema}element"):
        out[f"esrs:{element.get('name')}"] = (element.get("type") or "").split(":")[-1]
    return out


def _declared_names(declared: dict[str, str]) -> set[str]:
    return {name.split(":")[-1] for name in declared}


def placeholder_lei(slug: str) -> str:
    """A deterministic LEI-shaped identifier for an organisation without an LEI (NOT a registered LEI).

    'ZZZZ' (no issuing LOU has it) + '00' + 12 characters from SHA-256(slug) + ISO 7064 MOD 97-10 check digits.
    """
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digest = hashlib.sha256(slug.encode("utf-8")).digest()
    base = "ZZZZ00" + "".join(alphabet[b % 36] for b in digest[:12])
    numeric = int("".join(str(int(c, 36)) for c in base + "00"))
    return f"{base}{98 - numeric % 97:02d}"


def _context(context_id: str, scheme: str, identifier: str, start: str, end: str, dimension=None) -> str:
    """A duration context of the AI usage member; with `dimension` (axis, member), that member too."""
    members = "".join(
        f'<xbrldi:explicitMember dimension="{axis}">{member}</xbrldi:explicitMember>'
        for axis, member in ([dimension] if dimension else []) + [AI_USAGE]
    )
    segment = f"<xbrli:segment>{members}</xbrli:segment>"
    return (
        f'<xbrli:context id="{context_id}"><xbrli:entity><xbrli:identifier scheme={quoteattr(scheme)}>'
        f"{escape(identifier)}</xbrli:identifier>{segment}</xbrli:entity><xbrli:period>"
        f"<xbrli:startDate>{escape(start)}</xbrli:startDate><xbrli:endDate>{escape(end)}</xbrli:endDate>"
        f"</xbrli:period></xbrli:context>"
    )


def _unit(unit: str) -> str:
    unit_id, numerator, denominator = UNITS[unit]
    if not denominator:
        measures = "".join(f"<xbrli:measure>{m}</xbrli:measure>" for m in numerator)
        return f'<xbrli:unit id="{unit_id}">{measures}</xbrli:unit>'
    num = "".join(f"<xbrli:measure>{m}</xbrli:measure>" for m in numerator)
    den = "".join(f"<xbrli:measure>{m}</xbrli:measure>" for m in denominator)
    return (
        f'<xbrli:unit id="{unit_id}"><xbrli:divide><xbrli:unitNumerator>{num}</xbrli:unitNumerator>'
        f"<xbrli:unitDenominator>{den}</xbrli:unitDenominator></xbrli:divide></xbrli:unit>"
    )


def _shown(value: float, unit: str) -> str:
    factor, _scale, places, _ = DISPLAY.get(unit, (1, 0, 3, unit))
    return f"{abs(value) * factor:,.{places}f}"


def _fact(concept: str, value: float, unit: str, context_id: str, fact_id: str) -> str:
    """An ix:nonFraction: the shown (rounded, scaled) number, tagged with decimals and scale so it reads back."""
    _factor, scale, places, _ = DISPLAY[unit]
    decimals = places - scale  # digits after the point of the fact value, not of the shown number
    sign = ' sign="-"' if value < 0 else ""
    return (
        f'<ix:nonFraction id="{fact_id}" name="{concept}" contextRef="{context_id}" unitRef="{UNITS[unit][0]}" '
        f'decimals="{decimals}" scale="{scale}" format="ixt:num-dot-decimal"{sign}>'
        f"{_shown(value, unit)}</ix:nonFraction>"
    )


def _plain(value, unit: str) -> str:
    if not is_number(value):
        return "\u2014"
    if unit in DISPLAY:
        return ("-" if value < 0 else "") + _shown(value, unit)
    return format_number(value, unit)


@dataclass
class _Facts:
    """The tagging of a snapshot's datapoints: each row's current and previous fact (or None when untagged)."""

    by_row: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)
    units: list[str] = field(default_factory=list)  # in first-use order
    untagged: list[str] = field(default_factory=list)  # ids of numeric datapoints shown without a tag
    concepts: set[tuple] = field(default_factory=set)  # (concept, dimension or None) already tagged
    dimensions: list[tuple[str, str]] = field(default_factory=list)  # (axis, member) in first-use order
    has_comparative: bool = False


def entity_identifier(org: dict) -> tuple[str, bool]:
    """The LEI when the organisation has a well-formed one, else the placeholder; and whether it is one."""
    lei = (org.get("lei") or "").strip().upper()
    identifier = lei if len(lei) == 20 and lei.isalnum() else placeholder_lei(str(org.get("slug") or org.get("name")))
    return identifier, identifier != lei


def _tag_facts(datapoints: list[dict], declared: dict[str, str], comparative) -> _Facts:
    """Tag each datapoint whose concept is declared, once per concept; list the numeric ones left untagged."""
    facts = _Facts()
    for index, dp in enumerate(datapoints):
        concept, unit, value = dp.get("xbrl_concept"), dp.get("unit") or "", dp.get("value")
        dimension = _dimension(dp)
        key = (concept, dimension)
        undeclared = dimension is not None and not {d.split(":")[-1] for d in dimension} <= _declared_names(declared)
        if not concept or concept not in declared or undeclared or unit not in UNITS or key in facts.concepts:
            # no concept in the taxonomy, or the same fact already tagged (one fact per concept and member)
            if is_number(value):
                facts.untagged.append(str(dp.get("id")))
            facts.by_row[index] = (None, None)
            continue
        suffix = _context_suffix(dimension)
        current = previous = None
        if is_number(value):
            current = _fact(concept, value, unit, f"FY{suffix}", f"f{index}")
        if is_number(dp.get("comparative")) and comparative:
            previous = _fact(concept, dp["comparative"], unit, f"FY_prev{suffix}", f"f{index}p")
            facts.has_comparative = True
        if current or previous:
            facts.concepts.add(key)
            if unit not in facts.units:
                facts.units.append(unit)
            if dimension and dimension not in facts.dimensions:
                facts.dimensions.append(dimension)
        facts.by_row[index] = (current, previous)
    return facts


def _dimension(dp: dict) -> tuple[str, str] | None:
    """The (axis, member) the datapoint's fact carries (a row of a taxonomy table), or None for a plain fact."""
    dimension = dp.get("xbrl_dimension")
    return (dimension["axis"], dimension["member"]) if dimension else None


def _context_suffix(dimension: tuple[str, str] | None) -> str:
    return "" if dimension is None else "_" + dimension[1].split(":")[-1]


def _resources(identifier: str, period: dict, comparative, facts: _Facts) -> str:
    """The ix:resources content: the period's context (and the comparative's, when a fact uses it), then units."""
    start, end = str(period.get("start")), str(period.get("end"))
    contexts = []
    for dimension in [None, *facts.dimensions]:
        suffix = _context_suffix(dimension)
        contexts.append(_context(f"FY{suffix}", LEI_SCHEME, identifier, start, end, dimension))
        if facts.has_comparative:
            before = (comparative[0].isoformat(), comparative[1].isoformat())
            contexts.append(_context(f"FY_prev{suffix}", LEI_SCHEME, identifier, *before, dimension))
    units = [_unit(u) for u in sorted(facts.units, key=lambda u: UNITS[u][0])]
    return "\n".join(contexts + units)


def _head(title: str, resources: str) -> str:
    """From the XML declaration to the hidden ix:header holding the references and resources."""
    ns = " ".join(f'xmlns="{uri}"' if not prefix else f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<html {ns} xml:lang="en">\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/>\n'
        f'<title>{escape(title)}</title>\n<style type="text/css">{_CSS}</style>\n</head>\n<body>\n'
        '<div style="display:none">\n<ix:header>\n<ix:references>\n'
        f'<link:schemaRef xlink:type="simple" xlink:href="{ESRS_SCHEMA_URL}"/>\n'
        f'<link:schemaRef xlink:type="simple" xlink:href="{LEDGER_SCHEMA_URL}"/>\n</ix:references>\n<ix:resources>\n'
        f"{resources}"
        "\n</ix:resources>\n</ix:header>\n</div>\n"
    )


def _about(snapshot: dict, identifier: str, is_placeholder: bool, comparative, facts: _Facts) -> str:
    """The title, a warning for a draft, the table about the document and, without an LEI, the warning that says so."""
    org = snapshot.get("organisation") or {}
    period = snapshot.get("period") or {}
    status = period.get("status") or "draft"
    signed = period.get("signed_off_by")
    rows = [
        ("Organisation", org.get("name")),
        ("Entity identifier", f"{identifier} ({'placeholder, not a registered LEI' if is_placeholder else 'LEI'})"),
        ("Reporting period", period_label(snapshot)),
        ("Comparative period", f"{comparative[0]} to {comparative[1]}" if facts.has_comparative else "\u2014"),
        ("Standard", _standard_row(snapshot)),
        (
            "What the facts are",
            "The AI usage part of each figure (member aifl:AIUsageMember on aifl:ActivitiesAxis), a contribution the "
            "entity's own sustainability statement consolidates; not the entity's totals",
        ),
        ("Status / version", f"{status} / {period.get('version')}"),
        ("Signed off", f"{signed} at {period.get('signed_off_at')}" if signed else "\u2014"),
        ("Generated at", snapshot.get("generated_at")),
        ("Method version", (snapshot.get("methodology") or {}).get("method_version")),
        ("Code version", snapshot.get("code_version")),
    ]
    out = []
    if status != "signed_off":
        out.append(f'<p class="warn">Status: {escape(status)} \u2014 not signed off; figures may still change.</p>\n')
    out.append("<table>\n<tbody>\n")
    for key, value in rows:
        out.append(f"<tr><th>{escape(key)}</th><td>{escape(str(value if value is not None else ''))}</td></tr>\n")
    out.append("</tbody>\n</table>\n")
    if is_placeholder:
        out.append(
            '<p class="warn">No LEI is recorded for this organisation: the entity identifier above is a placeholder '
            "derived from the organisation's slug, in the LEI format. Record the LEI before filing.</p>\n"
        )
    return "".join(out)


def _standard_row(snapshot: dict) -> str:
    standard = standard_of(snapshot)
    if standard == REVISED:
        return f"{STANDARD_LABELS[standard]}: no XBRL taxonomy for it was found, so its datapoints are not tagged"
    return STANDARD_LABELS[standard] + (", taxonomy 2023-12-22" if standard == SET1 else "")


def _datapoint_row(dp: dict, facts: tuple[str | None, str | None], why: dict[str, str]) -> str:
    """One table row: id, label and reference, unit, N (tagged when it can be), N-1, change. A figure that is not
    defined is no fact (nothing is tagged for it); the row says why under its label."""
    unit = dp.get("unit") or ""
    current, previous = facts
    shown_unit = DISPLAY.get(unit, (1, 0, 3, unit))[3]
    ref = escape(str(dp.get("esrs_ref") or ""))
    if dp.get("xbrl_concept"):
        ref += f" \u00b7 {escape(str(dp['xbrl_concept']))}"
    return (
        f"<tr><td>{escape(str(dp.get('id')))}</td><td>{escape(str(dp.get('label') or ''))}"
        f'<br/><span class="ref">{ref}</span>{_why(why)}</td><td>{escape(shown_unit)}</td>'
        f'<td class="n">{current or _plain(dp.get("value"), unit)}</td>'
        f'<td class="n">{previous or _plain(dp.get("comparative"), unit)}</td>'
        f'<td class="n">{escape(format_change(dp.get("change_pct")))}</td></tr>\n'
    )


def _why(reasons: dict[str, str]) -> str:
    text = not_defined_text(reasons)
    return f'<br/><span class="nd">{escape(text)}</span>' if text else ""


def _sections(snapshot: dict, datapoints: list[dict], facts: _Facts) -> str:
    """One table per disclosure section (E1-5, E1-6, ...), in the order the sections first appear."""
    sections: dict[str, list[int]] = {}
    reasons = not_defined({"datapoints": datapoints})
    for index, dp in enumerate(datapoints):
        sections.setdefault(str(dp.get("section") or "Other"), []).append(index)
    out = []
    for section, indexes in sections.items():
        out.append(
            f"<h2>{escape(section_heading(snapshot, section, SECTION_TITLES))}</h2>\n<table>\n<thead><tr><th>ID</th>"
            "<th>Datapoint</th><th>Unit</th><th>N</th><th>N-1</th><th>Change</th></tr></thead>\n<tbody>\n"
        )
        out.extend(
            _datapoint_row(datapoints[index], facts.by_row.get(index, (None, None)), reasons[index])
            for index in indexes
        )
        out.append("</tbody>\n</table>\n")
    return "".join(out)


def _closing(snapshot: dict, facts: _Facts) -> str:
    """The methodology notes, then what is tagged and what is not, and the end of the document."""
    out = []
    notes = (snapshot.get("methodology") or {}).get("notes") or ""
    if notes.strip():
        out.append("<h2>Methodology</h2>\n")
        for paragraph in notes.replace("\r\n", "\n").split("\n\n"):
            if paragraph.strip():
                out.append(f"<p>{escape(paragraph.strip())}</p>\n")
    out.append('<p class="note">Tagged with ESRS taxonomy 2023-12-22 concept names. ')
    if facts.untagged:
        out.append(
            "Shown but not tagged (no verified ESRS concept, or a breakdown that needs a taxonomy dimension): "
            f"{escape(', '.join(facts.untagged))}. "
        )
    out.append(
        "Percentages are tagged as fractions (scale -2); intensities are shown per EUR million and tagged per EUR "
        "(scale -6).</p>\n</body>\n</html>\n"
    )
    return "".join(out)


def render_ixbrl(snapshot: dict) -> bytes:
    """Render the snapshot as an Inline XBRL 1.1 XHTML document (UTF-8 bytes), deterministic for the same input.

    In steps: the entity identifier, the facts (which datapoints are tagged), the contexts and units they use,
    then the document: head with the hidden ix:header, the about table, the datapoint tables, the closing notes.
    """
    org = snapshot.get("organisation") or {}
    period = snapshot.get("period") or {}
    identifier, is_placeholder = entity_identifier(org)
    comparative = comparative_period(snapshot)
    datapoints = snapshot.get("datapoints") or []
    facts = _tag_facts(datapoints, declared_concepts(), comparative)
    title = f"AI footprint climate disclosure \u2014 {org.get('name') or ''} \u2014 {period_label(snapshot)}"
    document = (
        _head(title, _resources(identifier, period, comparative, facts))
        + f"<h1>{escape(title)}</h1>\n"
        + _about(snapshot, identifier, is_placeholder, comparative, facts)
        + _sections(snapshot, datapoints, facts)
        + _closing(snapshot, facts)
    )
    return document.encode("utf-8")


def taxonomy_package_zip(date_time: tuple[int, int, int, int, int, int] = (2026, 1, 1, 0, 0, 0)) -> bytes:
    """The shipped ESRS concept subset as an XBRL taxonomy package (zip), for Arelle's --packages option."""
    entries = []
    for folder, _dirs, files in sorted(os.walk(TAXONOMY_DIR)):
        for name in sorted(files):
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, TAXONOMY_DIR).replace(os.sep, "/")
            with open(path, "rb") as handle:
                entries.append((f"esrs-e1-subset/{relative}", handle.read()))
    return deterministic_zip(sorted(entries), date_time)
