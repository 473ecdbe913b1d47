"""sources/ of the evidence pack: the original files the period's runs read, copied in; a file over the
organisation's limit is listed by its SHA-256 with a download link (a route serving the stored file to the
organisation's members only). sources/SOURCES.csv lists every file either way. Pure: the caller says where the
stored bytes are (apps.disclosures.evidence_files). No Django.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

import pandas as pd

SOURCES_TABLE = "sources/SOURCES.csv"
COLUMNS = ["filename", "sha256", "size_bytes", "runs", "in_pack", "download", "note"]


@dataclasses.dataclass(frozen=True)
class SourceEntry:
    """One source file of the period's runs: `path` holds its stored bytes when the pack carries it (None: listed
    only, with `note` saying why); `download` is the members-only route that serves it."""

    filename: str
    sha256: str
    size_bytes: int
    runs: tuple[int, ...]
    path: str | None
    download: str
    note: str = ""

    @property
    def pack_name(self) -> str:
        """Its name inside the pack: the hash first (two uploads may share a file name), `.original` last. The bytes
        are as uploaded, formulas included (the hash must match), so no spreadsheet should open them by default."""
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", self.filename).lstrip(".") or "file"
        return f"sources/{self.sha256[:12]}-{safe}.original" if self.path else ""


def file_sha256(path: str) -> str:
    """SHA-256 of a file on disk, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def sources_frame(entries: list[SourceEntry]) -> pd.DataFrame:
    """sources/SOURCES.csv: every file, whether the pack carries it and where members download it."""
    rows = [
        [e.filename, e.sha256, e.size_bytes, "|".join(str(r) for r in e.runs), e.pack_name, e.download, e.note]
        for e in entries
    ]
    return pd.DataFrame(rows, columns=COLUMNS)
