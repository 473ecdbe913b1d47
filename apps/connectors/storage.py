"""Content-addressed upload storage: each file an organisation uploads is kept once, under its SHA-256."""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from apps.core.messages import Message

from .errors import IngestionRefused
from .models import SourceFile

COPY_BLOCK_BYTES = 1 << 20
# What an upload is refused with: the msgids of their French entries (locale/fr); the upload page translates them.
TOO_LARGE = "{file}: the file is larger than the {limit} MB limit; nothing was stored."
EMPTY = "{file}: the file is empty; nothing was stored."


def _max_bytes() -> int:
    return settings.MAX_UPLOAD_MB * 1024 * 1024


def stored_file_path(source_file: SourceFile) -> Path:
    """Where a stored file's bytes are on disk."""
    return Path(settings.MEDIA_ROOT) / source_file.stored_path


def store_upload(organisation, stream, filename: str, user=None) -> SourceFile:
    """Copy the stream into storage while hashing it; one stored file per (organisation, SHA-256).

    Refuses a file over MAX_UPLOAD_MB (nothing is kept) and an empty one."""
    filename = os.path.basename(filename) or "upload"
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    digest, size, limit = hashlib.sha256(), 0, _max_bytes()
    with tempfile.NamedTemporaryFile(dir=root, delete=False, prefix="incoming-") as tmp:
        try:
            while block := stream.read(COPY_BLOCK_BYTES):
                size += len(block)
                if size > limit:
                    raise IngestionRefused(Message(TOO_LARGE, file=filename, limit=settings.MAX_UPLOAD_MB))
                digest.update(block)
                tmp.write(block)
        except BaseException:
            tmp.close()
            os.unlink(tmp.name)
            raise
    if size == 0:
        os.unlink(tmp.name)
        raise IngestionRefused(Message(EMPTY, file=filename))
    sha = digest.hexdigest()
    existing = SourceFile.objects.for_org(organisation).filter(sha256=sha).first()
    if existing:
        os.unlink(tmp.name)
        return existing
    target = root / str(organisation.pk) / sha
    target.parent.mkdir(parents=True, exist_ok=True)
    # A concurrent upload of the same bytes may be here too: the rename replaces the file with identical bytes.
    shutil.move(tmp.name, target)
    try:
        with transaction.atomic():  # a savepoint, so the caller's transaction survives losing the race below
            return SourceFile.objects.create(
                organisation=organisation,
                sha256=sha,
                filename=filename,
                size_bytes=size,
                stored_path=str(target.relative_to(root)),
                uploaded_by=user,
            )
    except IntegrityError:
        # The other upload stored its row first (one_file_per_hash): answer with it, as a later upload would.
        existing = SourceFile.objects.for_org(organisation).filter(sha256=sha).first()
        if existing is None:
            raise
        return existing
