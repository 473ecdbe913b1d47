"""Which source files an evidence pack carries: each file a run of the snapshot read, copied in up to the
organisation's limit (`Organisation.evidence_file_max_mb`, else the EVIDENCE_FILE_MAX_MB setting), above it listed
by SHA-256 with the members-only download route (connectors:source_file)."""

from django.conf import settings
from django.urls import reverse

from apps.connectors.models import SourceFile
from apps.connectors.storage import stored_file_path


def file_limit_mb(organisation) -> int:
    """The largest source file (MB) the organisation's evidence packs carry."""
    own = organisation.evidence_file_max_mb
    return settings.EVIDENCE_FILE_MAX_MB if own is None else own


def evidence_sources(snapshot: dict, organisation) -> list:
    """One SourceEntry per distinct file of the snapshot's runs, in hash order (the pack is reproducible)."""
    from .exports.evidence_sources import SourceEntry  # the renderers load on first use (see period_exports)

    runs: dict[str, list[int]] = {}
    for run in snapshot.get("runs") or []:
        runs.setdefault(run["sha256"], []).append(int(run["id"]))
    stored = {f.sha256: f for f in SourceFile.objects.filter(organisation=organisation, sha256__in=list(runs))}
    limit_mb = file_limit_mb(organisation)
    entries = []
    for sha256 in sorted(runs):
        found = stored.get(sha256)
        path = stored_file_path(found) if found else None
        if found is None or not path.is_file():
            path, note = None, "the stored file is no longer on disk"
        elif found.size_bytes > limit_mb * 1024 * 1024:
            path, note = (
                None,
                f"over the pack's limit of {limit_mb} MB: download it (members only) and compare its SHA-256",
            )
        else:
            note = ""
        name = next((r["filename"] for r in snapshot["runs"] if r["sha256"] == sha256), "")
        entries.append(
            SourceEntry(
                filename=found.filename if found else name,
                sha256=sha256,
                size_bytes=found.size_bytes if found else 0,
                runs=tuple(sorted(runs[sha256])),
                path=str(path) if path else None,
                download=reverse("connectors:source_file", kwargs={"org_slug": organisation.slug, "sha256": sha256}),
                note=note,
            )
        )
    return entries
