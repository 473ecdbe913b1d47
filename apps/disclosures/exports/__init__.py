"""Exports of a disclosure snapshot: PDF, CSV/XLSX, inline XBRL and the evidence pack.

Pure renderers: each takes the snapshot dict (and, where needed, the period's usage-records DataFrame) and
returns bytes. No Django models, no database, no clock: the same input always gives the same bytes.
"""

from .evidence import render_evidence_pack
from .ixbrl import render_ixbrl
from .pdf import render_pdf
from .tables import render_csv, render_records_csv, render_xlsx

__all__ = ["render_csv", "render_evidence_pack", "render_ixbrl", "render_pdf", "render_records_csv", "render_xlsx"]
