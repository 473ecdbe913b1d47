"""Ingestion: store an uploaded file once, parse it with its source's parser, compute its footprint and
store usage records, all or nothing.

The work of a run is split in two phases. Parsing reads the file chunk by chunk, records progress as it
goes (committed at once, so pages can show it) and spills each chunk's sums to the attempt's own spill
files, split into buckets by natural key: memory follows the chunk size, not the number of distinct keys.
Writing sums one bucket at a time (every key of the bucket is then complete, so its footprint is the one
of the whole file), stores its records, and marks the run succeeded, all in one transaction: a worker
killed at any point leaves either nothing or everything, and a retried task starts the run again from the
file (the spill files of earlier attempts are removed). Records are upserted on their natural key, so
loading overlapping data replaces rows instead of adding them twice.
"""

import contextlib
import logging

import pandas as pd
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from apps.accounts import audit
from apps.core.messages import Message
from apps.core.prefetch import prefetched
from apps.footprint import rollups, usage_frame
from apps.footprint.locks import PeriodLocked, assert_days_open
from apps.footprint.record_writer import overlaps_stored, serialise_writes, write_records
from apps.footprint.services import current_factor_set_version, load_factor_set

from . import leases, progress
from .errors import IngestionRefused, message_of
from .identities import identity_resolver
from .models import ALREADY_LOADED, IngestionRun, RunPhase, RunStatus, SeatHolder, SourceFile
from .seat_holders import seat_holders
from .sources import SOURCES, SourceError, iter_source_chunks
from .sources.errors import IN_FILE, WITH_LOCATION
from .sources.skips import add_counts, skipped_of
from .spill import Spill, drop_attempt, drop_other_attempts
from .storage import stored_file_path

log = logging.getLogger(__name__)
# The run's own messages: the msgids of their French entries (locale/fr), rendered by IngestionRun.error_messages.
LOST_CONNECTION = "the database connection was lost or gave up while loading (load the file again)"
INTERNAL_ERROR = "internal error while loading"
NOTHING_STORED = "{file}: {why}; nothing was stored."
UNKNOWN_SOURCE = "Unknown source '{source}'. Known sources: {known}."
NO_ROWS = "{file}: no usage rows found for source '{source}'; nothing was stored."


@transaction.atomic
def create_run(organisation, source_key: str, source_file: SourceFile, user=None) -> IngestionRun:
    """A queued run of this file through this source. A file this organisation already loaded with
    the same source gives a run that is finished at once, stores nothing and points to the earlier one; a file
    being loaded (queued or running) gives that run itself, not a second one (the caller sends only a new
    queued run to a worker: `run.created` is False for the one returned here)."""
    if source_key not in SOURCES:
        raise IngestionRefused(Message(UNKNOWN_SOURCE, source=source_key, known=", ".join(sorted(SOURCES))))
    # Concurrent uploads of the same file wait here for each other, so each sees the run the first one made.
    SourceFile.objects.select_for_update().filter(pk=source_file.pk).first()
    same = IngestionRun.objects.for_org(organisation).filter(
        source_file=source_file, source_key=source_key, duplicate_of__isnull=True
    )
    loading = same.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING)).order_by("pk").first()
    if loading is not None:
        loading.created = False
        return loading
    earlier = same.filter(status=RunStatus.SUCCEEDED).first()
    run = IngestionRun(
        organisation=organisation,
        source_key=source_key,
        source_file=source_file,
        uploaded_by=user,
        bytes_total=source_file.size_bytes,
        heartbeat_at=timezone.now(),  # queued now: the reaper re-sends it if no worker takes it in time
    )
    if earlier:
        now = timezone.now()
        run.status, run.duplicate_of = RunStatus.SUCCEEDED, earlier
        run.bytes_done, run.started_at, run.finished_at = source_file.size_bytes, now, now
        # Stored as text (the API and the CLI read it): the run page writes it again in its language.
        run.warnings = [str(Message(ALREADY_LOADED, file=source_file.filename, run=earlier.pk))]
    run.save()
    audit.record(
        organisation,
        user,
        "upload",
        f"{source_file.filename} ({source_key}), SHA-256 {source_file.sha256[:12]}",
        run,
        sha256=source_file.sha256,
        duplicate_of=run.duplicate_of_id,
    )
    run.created = True
    return run


def _claim(run_id: int, task_id: str = "") -> IngestionRun | None:
    """Mark the run as running (again, after a killed worker); None when it is already finished, or when another
    delivery (another task id) holds it with a fresh lease: a re-send that raced the original message."""
    with transaction.atomic():
        run = IngestionRun.objects.select_for_update().get(pk=run_id)
        if run.is_finished or _held_elsewhere(run, task_id):
            return None
        run.status, run.started_at, run.attempts = RunStatus.RUNNING, timezone.now(), run.attempts + 1
        run.phase, run.bytes_done, run.rows_read = RunPhase.READING, 0, 0
        run.rows_skipped, run.skipped = 0, {}
        run.heartbeat_at, run.task_id = run.started_at, task_id
        run.save(
            update_fields=[
                "status",
                "phase",
                "started_at",
                "attempts",
                "bytes_done",
                "rows_read",
                "rows_skipped",
                "skipped",
                "heartbeat_at",
                "task_id",
            ]
        )
    # What an earlier (killed) attempt spilled is dropped: this attempt sums the whole file again. An earlier
    # attempt still alive can no longer write (_store checks the attempt under the run's lock) nor fail the run.
    drop_other_attempts(run)
    return run


def _held_elsewhere(run: IngestionRun, task_id: str) -> bool:
    """Running under another delivery whose lease is fresh. The broker's own redelivery of a killed worker's
    task keeps its task id, so it takes the run over at once, as before leases."""
    if run.status != RunStatus.RUNNING or not task_id or not run.task_id or run.task_id == task_id:
        return False
    return run.heartbeat_at is not None and run.heartbeat_at >= leases.stale_before(leases.lease_seconds())


def execute_run(run_id: int, task_id: str = "") -> IngestionRun:
    """Do the run's work (the body of the Celery task and of `manage.py ingest`). Safe to call again.

    `task_id` is the Celery delivery's id (blank when called directly): see _claim."""
    run = _claim(run_id, task_id)
    if run is None:
        return IngestionRun.objects.get(pk=run_id)
    try:
        # The lease is this attempt's: a beat after the reaper re-queued the run must not make it look alive.
        with leases.heartbeat(IngestionRun.objects.filter(pk=run.pk, attempts=run.attempts, status=RunStatus.RUNNING)):
            _store(run, _parse(run, stored_file_path(run.source_file)))
    except (SourceError, usage_frame.UsageFrameError) as exc:
        _fail(run, [_error_dict(exc, run.source_file.filename)])
    except (IngestionRefused, PeriodLocked) as exc:
        text = message_of(exc)
        if isinstance(exc, PeriodLocked):
            text = Message(WITH_LOCATION, location=Message(IN_FILE, file=run.source_file.filename), message=text)
        _fail(run, [_plain_error(text)])
    except Exception as exc:
        log.exception("ingestion run %s failed", run.pk)
        why = Message(INTERNAL_ERROR)
        if isinstance(exc, OperationalError | InterfaceError):  # the database's failure, not the file's
            _drop_if_unusable()
            why = Message(LOST_CONNECTION)
        _fail(run, [_plain_error(Message(NOTHING_STORED, file=run.source_file.filename, why=why))])
    finally:
        drop_attempt(run)
        progress.clear(run.pk)
    run.refresh_from_db()
    return run


def _parse(run: IngestionRun, path) -> dict:
    """Read the file chunk by chunk into the attempt's spill files; returns the counts and days for _store."""
    rows_read = rows_skipped = 0
    skipped: dict[str, int] = {}
    spill = Spill.for_run(run)
    days: set = set()
    try:
        # The next chunk is parsed in a thread while this one is spilled and its progress saved; closing()
        # stops that thread before the file closes, also on an error.
        with (
            path.open("rb") as fh,
            contextlib.closing(
                prefetched(iter_source_chunks(run.source_key, fh, run.source_file.filename), depth=1)
            ) as chunks,
        ):
            for chunk in chunks:
                if not chunk.empty:
                    days.update(pd.DatetimeIndex(chunk["day"].unique()).date)
                    spill.add(chunk)
                rows_read += int(chunk.attrs.get("rows_read", len(chunk)))
                add_counts(skipped, skipped_of(chunk.attrs))
                rows_skipped = sum(skipped.values())
                position = fh.tell() if not fh.closed else run.bytes_total
                IngestionRun.objects.filter(pk=run.pk).update(
                    heartbeat_at=timezone.now(),
                    bytes_done=min(position, run.bytes_total),
                    rows_read=rows_read,
                    rows_skipped=rows_skipped,
                    skipped=skipped,
                )
    finally:
        spill.close()
    if not spill.rows:
        raise IngestionRefused(Message(NO_ROWS, file=run.source_file.filename, source=run.source_key))
    seats = seat_holders(run, path)
    return {
        "spill": spill,
        "days": days,
        "rows_read": rows_read,
        "rows_skipped": rows_skipped,
        "skipped": skipped,
        "seats": seats,
    }


def _reported(run: IngestionRun, spill: Spill):
    """The spill's frames, reporting before each and at the end how many records the ones before it hold (the
    records written or being written): the run page's "Storing… n records (part k of m)"."""
    records, parts = 0, spill.parts
    for part, frame in enumerate(spill.frames()):
        progress.report(run.pk, run.attempts, records=records, part=part, parts=parts)
        yield frame
        records += len(frame)
    progress.report(run.pk, run.attempts, records=records, part=parts, parts=parts)


def _store(run: IngestionRun, parsed: dict) -> None:
    """The write phase: the attempt's records and the run's success in one transaction, or nothing when another
    delivery finished the run first or took it over."""
    organisation = run.organisation
    version = current_factor_set_version(organisation)
    # Said (and committed) before the transaction: pages polling the run see it while the records are written.
    IngestionRun.objects.filter(pk=run.pk, attempts=run.attempts, status=RunStatus.RUNNING).update(
        phase=RunPhase.STORING, bytes_done=run.bytes_total
    )
    with transaction.atomic():
        locked = IngestionRun.objects.select_for_update().get(pk=run.pk)
        # Another delivery finished first or took over, or the reaper re-queued the run (this attempt was lost).
        if locked.status != RunStatus.RUNNING or locked.attempts != run.attempts:
            return
        assert_days_open(organisation, parsed["days"])
        serialise_writes(organisation, version)
        # Asked before the records are written: the days and months the run's records alone will hold get their
        # rollup rows from the frames' sums, the others are summed again from the records.
        stored = rollups.stored_days(organisation.pk, parsed["days"])
        constants = {"organisation_id": organisation.pk, "run_id": run.pk, "factor_set_id": version.pk}
        totals = write_records(
            _reported(run, parsed["spill"]),
            replaces=overlaps_stored(stored, parsed["days"]),
            factor_set=load_factor_set(version),
            resolve=identity_resolver(organisation),
            constants=constants,
        )
        rollups.refresh_run(organisation.pk, parsed["days"], totals.rollup_sums, stored, constants)
        SeatHolder.objects.filter(run=locked).delete()  # an earlier attempt's
        SeatHolder.objects.bulk_create(parsed["seats"], batch_size=2000)
        locked.status, locked.finished_at = RunStatus.SUCCEEDED, timezone.now()
        locked.bytes_done = locked.bytes_total
        locked.rows_read = parsed["rows_read"]
        locked.rows_skipped = parsed["rows_skipped"]
        locked.skipped = parsed["skipped"]
        locked.records_stored = totals.records
        locked.requests = totals.sums["requests"]
        locked.input_tokens = totals.sums["input_tokens"]
        locked.cached_input_tokens = totals.sums["cached_input_tokens"]
        locked.output_tokens = totals.sums["output_tokens"]
        locked.energy_kwh = totals.energy_kwh
        locked.co2e_kg = totals.co2e_kg
        locked.factor_set = version
        locked.warnings = [w.to_dict() if hasattr(w, "to_dict") else w for w in sorted(totals.warnings)[:50]]
        locked.errors = []
        locked.save()


def _drop_if_unusable() -> None:
    """After a database failure (the connection lost, e.g. during COMMIT, or a lock given up on): a connection that
    is gone is closed so _fail writes on a new one. _fail writes only while the run is running, so a COMMIT the
    server did take leaves the run succeeded."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


def _plain_error(message: Message | str) -> dict:
    """A run's error about the file as a whole; a Message's template kept (``message_template``) for its page."""
    error = {"row": None, "column": None, "message": str(message)}
    if isinstance(message, Message):
        error["message_template"] = message.to_dict()
    return error


def _error_dict(exc, filename: str) -> dict:
    """An error of the run as {row, column, message}; the message always starts with the file's name (a
    source's errors do already, the normalised frame's checks do not know it). A SourceError adds its file and
    ``message_template`` (its location is rebuilt from file, row and column), the frame's checks their whole
    text's template: see sources.errors.stored_text."""
    if isinstance(exc, SourceError):
        error = exc.to_dict()
        error["message"] = str(exc)
        if not error["message"].startswith(filename):  # not the run's file name: shown as written
            error["message"] = f"{filename}: {error['message']}"
            error.pop("message_template", None)
        return error
    message = message_of(exc)
    if not str(message).startswith(filename):
        message = Message(WITH_LOCATION, location=Message(IN_FILE, file=filename), message=message)
    return {**_plain_error(message), "row": getattr(exc, "row", None), "column": getattr(exc, "column", None)}


def _fail(run: IngestionRun, errors: list[dict]) -> None:
    """Mark the run failed with its errors. An attempt another delivery took over, or the reaper re-queued,
    leaves the run to it (its spill files may be gone)."""
    IngestionRun.objects.filter(pk=run.pk, attempts=run.attempts, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, errors=errors, finished_at=timezone.now()
    )
