"""Signed-off periods are locked: nothing may add, change or delete usage records on their days.

Every write path (ingestion, mapping re-attribution, instruments, the admin) asks here first. Which periods
are signed off is known above this app (disclosures owns reporting periods): it registers the function that
tells, so the arrows between apps keep pointing down.

The check and the write must not be split by a sign-off: a writer that found the days open at the start of its
transaction could otherwise commit after the period was frozen (the snapshot would not hold its records). So every
write into a period's days reads the locked ranges under one lock per organisation (`hold_open_days`, shared
between writers), and sign-off takes the same lock exclusively (`wait_for_writers`) after marking the period as
signing: it waits for the writers that checked before, and every writer after it sees the period locked. On
PostgreSQL the lock is a transaction-scoped advisory lock. SQLite needs none: its transactions begin IMMEDIATE
(settings), so a writer's transaction, check included, holds the database's one write lock, and sign-off's
transaction cannot begin until it has committed."""

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import connection

from apps.core.errors import ConflictError
from apps.core.messages import Message

PERIOD_LOCK_NAMESPACE = 4_140_002  # pg_advisory_xact_lock's first key (record_writer's write lock is 4_140_001)

# What a write into a signed-off period is refused with: the msgid of its French entry (locale/fr).
PERIOD_SIGNED_OFF = (
    "The reporting period {start} – {end} is signed off: {what} for {day} cannot be added, changed or deleted. "
    "Reopen the period (a restatement) to load corrections."
)

LockedRanges = Callable[[object], list[tuple[dt.date, dt.date]]]
_providers: list[LockedRanges] = []


class PeriodLocked(ConflictError):
    """A write would touch a signed-off period. The message says which and how to proceed."""


def register_locked_ranges(provider: LockedRanges) -> None:
    """Called once at start-up by the app that owns reporting periods."""
    if provider not in _providers:
        _providers.append(provider)


def _advisory(function: str, organisation) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("The period lock is held by a transaction: call it inside transaction.atomic().")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s, %s)", [PERIOD_LOCK_NAMESPACE, organisation.pk])


def hold_open_days(organisation) -> None:
    """Called by a write into an organisation's days, inside its transaction and before it reads which days are
    locked: until it commits, no sign-off of the organisation can freeze (writers do not wait for each other)."""
    _advisory("pg_advisory_xact_lock_shared", organisation)


def wait_for_writers(organisation) -> None:
    """Called by sign-off inside a transaction, once the period is marked as signing (committed) or locked in
    this transaction: returns when every write that may have found its days open has committed or rolled back."""
    _advisory("pg_advisory_xact_lock", organisation)


def locked_ranges(organisation) -> list[tuple[dt.date, dt.date]]:
    """(start, end) of every signed-off period of the organisation."""
    return [span for provider in _providers for span in provider(organisation)]


def locked_day_mask(organisation, days: Iterable[dt.date]) -> list[bool]:
    """For each day, whether it falls in a locked period."""
    ranges = locked_ranges(organisation)
    return [any(start <= day <= end for start, end in ranges) for day in days]


def assert_days_open(organisation, days: Iterable[dt.date], what: str = "records") -> None:
    """Raise PeriodLocked naming the period and the first locked day when any day is locked. Inside a
    transaction the answer holds until it ends (hold_open_days)."""
    if connection.in_atomic_block:
        hold_open_days(organisation)
    ranges = locked_ranges(organisation)
    if not ranges:
        return
    for day in sorted(set(days)):
        for start, end in ranges:
            if start <= day <= end:
                # A Message (a str): a run's page writes it again in the reader's language.
                raise PeriodLocked(
                    Message(
                        PERIOD_SIGNED_OFF,
                        start=f"{start:%Y-%m-%d}",
                        end=f"{end:%Y-%m-%d}",
                        what=Message("records") if what == "records" else what,
                        day=f"{day:%Y-%m-%d}",
                    )
                )
