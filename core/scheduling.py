"""Scheduled jobs: a registry, and one run of them under a database-wide lock.

`manage.py run_scheduled` is started by cron or a systemd timer on every app server. Each
run tries to take a Postgres advisory lock; the one that gets it runs every registered job,
the others return at once. So adding servers never runs a job twice at the same time, and
every job must still be idempotent (safe to run again after a crash or on the next tick).

Apps register their jobs from `AppConfig.ready()`:

    from core.scheduling import register_job
    register_job("motions_close_due", governance.jobs.motions_close_due)

A job is a callable taking no arguments. It returns a short summary for the log (a count,
never names or addresses) or None, and raises to report failure; the other jobs still run.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

Job = Callable[[], object]

_registry: dict[str, Job] = {}

# One lock for all scheduled work, the same number on every server. Advisory locks are
# per database, so test databases and other deployments never contend.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"rosealliance.run_scheduled").digest()[:8], signed=True)


def register_job(name: str, func: Job) -> None:
    """Add a job. Registering the same function again is a no-op (ready() can run twice in
    tests); another function under a taken name is a programming error."""
    existing = _registry.get(name)
    if existing is not None and existing is not func:
        raise ValueError(f"A different scheduled job is already registered as {name!r}.")
    _registry[name] = func


def registered_jobs() -> dict[str, Job]:
    """The registered jobs, in registration order."""
    return dict(_registry)


@dataclass(frozen=True)
class JobOutcome:
    name: str
    ok: bool
    summary: str
    seconds: float


@dataclass(frozen=True)
class RunResult:
    lock_taken: bool
    outcomes: tuple[JobOutcome, ...] = ()

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)


def run_jobs(names: list[str] | None = None) -> RunResult:
    """Run the registered jobs (or only `names`) if no other run holds the lock.

    The lock is a transaction-level advisory lock, taken in a transaction kept open on a
    connection of its own (apart from the one the jobs use) for as long as the jobs run:
    a job whose database error breaks its connection cannot release the lock early, and
    when this process dies the transaction ends with its connection. Not a session-level
    lock: behind PgBouncer in transaction pooling mode a session lock would stay on
    whichever server connection took it, held for other clients and released by none
    (tests/rosealliance/test_two_servers.py); an open transaction keeps its server
    connection to itself, so this works directly and through PgBouncer alike.
    """
    jobs = registered_jobs()
    if names:
        unknown = sorted(set(names) - set(jobs))
        if unknown:
            raise KeyError(f"Unknown scheduled jobs: {', '.join(unknown)}")
        jobs = {name: jobs[name] for name in names}

    lock_connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        lock_connection.set_autocommit(False)
        with lock_connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
            (locked,) = cursor.fetchone()
        if not locked:
            logger.info("Scheduled jobs skipped: another run holds the lock")
            return RunResult(lock_taken=False)
        return RunResult(lock_taken=True, outcomes=tuple(_run(n, f) for n, f in jobs.items()))
    finally:
        # Ending the transaction releases the lock (and hands PgBouncer its connection back).
        try:
            if lock_connection.connection is not None:
                lock_connection.rollback()
        finally:
            lock_connection.close()


def _run(name: str, func: Job) -> JobOutcome:
    started = time.monotonic()
    try:
        summary = func()
    except Exception:
        # Keep going: one broken job must not stop retention clean-ups. The formatter logs
        # the exception's type and stack only, never its message.
        logger.exception("Scheduled job failed: %s", name)
        return JobOutcome(name, False, "failed", time.monotonic() - started)
    finally:
        # A failed job may leave the connection broken; the next job gets a fresh one.
        # (Inside an outer transaction, as in tests, closing would lose that transaction.)
        connection = connections[DEFAULT_DB_ALIAS]
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
    seconds = time.monotonic() - started
    text = "" if summary is None else str(summary)
    logger.info("Scheduled job done: %s", " ".join(part for part in (name, text) if part))
    return JobOutcome(name, True, text, seconds)
