"""Exports of a disclosure snapshot: PDF, CSV/XLSX, inline XBRL and the evidence pack.

Pure renderers: each takes the snapshot dict (and, where needed, the period's usage records: a DataFrame or
an iterable of DataFrame chunks, consumed lazily) and returns bytes; the write_* ones write to a binary stream.
No Django models, no database, no clock: the same input always gives the same bytes.
"""

from .contribution import render_contribution_csv
from .contribution_xbrl import render_contribution_xbrl_json
from .evidence import render_evidence_pack, write_evidence_pack
from .ixbrl import render_ixbrl
from .pdf import render_pdf
from .tables import render_csv, render_records_csv, render_xlsx, write_records_csv, write_xlsx

__all__ = [
    "render_contribution_csv",
    "render_contribution_xbrl_json",
    "render_csv",
    "render_evidence_pack",
    "render_ixbrl",
    "render_pdf",
    "render_records_csv",
    "render_xlsx",
    "write_evidence_pack",
    "write_records_csv",
    "write_xlsx",
]
