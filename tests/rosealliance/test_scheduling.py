"""`manage.py run_scheduled`: every registered job once per run, and only one run at a
time however many servers start it."""

import io
import os
import subprocess
import sys
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core import scheduling

from .servers import ROOT, database_url_of_tests


@pytest.fixture
def registry(monkeypatch):
    """An empty job registry for the test, instead of the project's jobs."""
    jobs: dict = {}
    monkeypatch.setattr(scheduling, "_registry", jobs)
    return jobs


def run_scheduled(*args: str) -> str:
    out = io.StringIO()
    call_command("run_scheduled", *args, stdout=out)
    return out.getvalue()


def test_project_registers_its_retention_jobs():
    assert {
        "expired_sessions_delete",
        "expired_cache_entries_delete",
        "rejected_applications_purge",
    } <= set(scheduling.registered_jobs())


def test_each_run_runs_every_job_once(db, registry):
    calls = []
    scheduling.register_job("first", lambda: calls.append("first"))
    scheduling.register_job("second", lambda: calls.append("second") or 7)

    output = run_scheduled()

    assert calls == ["first", "second"]
    assert "first: ok" in output
    assert "second: ok 7" in output
    run_scheduled("--job", "second")
    assert calls == ["first", "second", "second"]


def test_a_failing_job_does_not_stop_the_others_and_fails_the_command(db, registry):
    calls = []

    def broken():
        raise RuntimeError("boom")

    scheduling.register_job("broken", broken)
    scheduling.register_job("after", lambda: calls.append("after"))

    with pytest.raises(CommandError, match="failed"):
        run_scheduled()
    assert calls == ["after"]


def test_registering_another_function_under_a_taken_name_is_refused(registry):
    def job():
        return None

    scheduling.register_job("job", job)
    scheduling.register_job("job", job)
    with pytest.raises(ValueError, match="already registered"):
        scheduling.register_job("job", lambda: None)


def test_unknown_job_name_is_an_error(db, registry):
    with pytest.raises(CommandError, match="Unknown scheduled jobs: nope"):
        run_scheduled("--job", "nope")


def test_a_second_concurrent_run_does_nothing(transactional_db, registry):
    started, release = threading.Event(), threading.Event()
    runs = []

    def slow_job():
        runs.append("run")
        started.set()
        assert release.wait(timeout=60)

    scheduling.register_job("slow", slow_job)
    outputs = []

    def first_run():
        try:
            outputs.append(run_scheduled())
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=first_run)
    thread.start()
    try:
        assert started.wait(timeout=30)
        # Another server starts the command while the first run is still working: a real
        # separate process with its own connection to the same database.
        other = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "run_scheduled"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url_of_tests()},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    finally:
        release.set()
        thread.join(timeout=60)

    assert "skipped: another run holds the scheduling lock" in other.stdout
    assert runs == ["run"]
    assert "slow: ok" in outputs[0]
    # The lock is released at the end: the next tick runs the job again.
    run_scheduled()
    assert runs == ["run", "run"]
