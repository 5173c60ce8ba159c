"""Two app servers, one database behind PgBouncer in transaction pooling mode, as
docs/deployment.md runs several servers: nothing a member relies on may live in one
process, nor in one database session (a transaction may run on any server connection).

Each test starts its own PgBouncer (a generated config on a free port, few server
connections) and two real gunicorn processes on their own loopback ports, with the
settings the deployment guide gives for PgBouncer; data is committed (transactional_db) so
they can see it.
"""

import io
import os
import re
import subprocess
import sys
import time

import psycopg
import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests import agreements
from tests.conftest import PASSWORD

from .pgbouncer import POOL_SIZE, pgbouncer_start
from .servers import ROOT, Client, database_url_of_tests, gunicorn_start

pytestmark = pytest.mark.gunicorn

WRONG_PASSWORD = "not-the-password-1"


@pytest.fixture
def bouncer(transactional_db, tmp_path):
    bouncer = pgbouncer_start(tmp_path)
    yield bouncer
    bouncer.stop()


# What docs/deployment.md sets on every app server behind PgBouncer's transaction pool.
BEHIND_PGBOUNCER = {"DISABLE_SERVER_SIDE_CURSORS": "1", "DATABASE_CONN_MAX_AGE": "0"}


@pytest.fixture
def shared_ledger(tmp_path):
    """The erasure ledger both servers share (a network folder in production)."""
    return tmp_path / "shared" / "erasures.ledger"


@pytest.fixture
def two_servers(bouncer, shared_ledger, tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "rosealliance.test_settings", **BEHIND_PGBOUNCER}
    env["DATABASE_URL"] = bouncer.database_url()
    env["ERASURE_LEDGER"] = str(shared_ledger)
    # Rate-limit counters live in the shared cache table, which flushing between tests does
    # not empty: start and end with none.
    cache.clear()
    servers = []
    try:
        for name in ("a", "b"):
            servers.append(gunicorn_start(tmp_path / f"gunicorn-{name}.log", env))
        yield servers[0].port, servers[1].port
    finally:
        for server in servers:
            server.stop()
        cache.clear()


def test_member_logged_in_on_one_server_is_served_by_the_other(two_servers, make_member):
    port_a, port_b = two_servers
    member = make_member(pseudonym="Crossing")
    browser = Client(port_a)

    response = browser.post_form(
        "/accounts/login/", {"login": member.user.email, "password": PASSWORD}
    )
    assert response.status == 302
    assert response.headers["Location"] == "/dashboard/"
    assert "sessionid" in browser.cookies

    on_b = browser.on(port_b).get("/dashboard/")
    assert on_b.status == 200
    assert "Hello, Crossing" in on_b.body
    # Without the session cookie server B sends the visitor to the login page.
    assert Client(port_b).get("/dashboard/").status == 302


def test_failed_logins_count_across_servers(two_servers, make_member):
    port_a, port_b = two_servers
    member = make_member()
    browser = Client(port_a)
    wrong = {"login": member.user.email, "password": WRONG_PASSWORD}

    # allauth allows 5 failed logins per address: 3 here and 2 there stay under it on each
    # server alone, so only a shared counter can stop the next attempt.
    for port in (port_a, port_b, port_a, port_b, port_a):
        response = browser.on(port).post_form("/accounts/login/", wrong)
        assert response.status == 200
        assert "sessionid" not in browser.cookies

    right = {"login": member.user.email, "password": PASSWORD}
    refused = browser.on(port_b).post_form("/accounts/login/", right)
    assert refused.status == 200
    assert "Too many failed attempts" in refused.body
    assert "sessionid" not in browser.cookies


def test_votes_cast_through_both_servers_are_all_counted_once(
    two_servers, make_member, make_motion
):
    from concurrent.futures import ThreadPoolExecutor

    ports = two_servers
    voters = [make_member() for _ in range(12)]
    motion = make_motion()
    vote_path = f"/motions/{motion.pk}/vote/"

    # Read in this thread: the worker threads below must not open database connections.
    emails = [member.user.email for member in voters]

    def vote(index_and_email):
        index, email = index_and_email
        browser = Client(ports[index % 2])
        login = browser.post_form("/accounts/login/", {"login": email, "password": PASSWORD})
        assert login.status == 302
        # Read the motion and confirm on one server, cast on the other, then the browser
        # sends the cast again to the first.
        other = browser.on(ports[(index + 1) % 2])
        page = other.get(f"/motions/{motion.pk}/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
        form = {"choice": "yes", "csrfmiddlewaretoken": token}
        confirm = other.request("POST", vote_path, {**form, "step": "confirm"})
        cast = browser.request("POST", vote_path, {**form, "step": "cast"})
        replay = other.request("POST", vote_path, {**form, "step": "cast"})
        return confirm.status, cast.status, replay.status

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(vote, enumerate(emails)))
    assert results == [(200, 200, 302)] * len(voters)
    closed = agreements.motion_close(motion_id=motion.pk)
    assert (closed.yes_count, closed.no_count, closed.abstain_count) == (len(voters), 0, 0)


def test_scheduled_jobs_run_once_through_pgbouncer(bouncer):
    """run_scheduled on every server, through the transaction pool: one run at a time does
    the work, and the lock it took is gone afterwards, whichever server connection each
    statement landed on."""
    env = {**os.environ, **BEHIND_PGBOUNCER, "DATABASE_URL": bouncer.database_url()}
    command = [sys.executable, "manage.py", "run_scheduled", "--job", "expired_sessions_delete"]

    def run_scheduled() -> str:
        return subprocess.run(  # noqa: S603
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
        ).stdout

    direct = database_url_of_tests()
    with psycopg.connect(direct) as holder, psycopg.connect(direct, autocommit=True) as watch:
        # Hold the sessions table: the first run stops inside its job, holding the lock.
        holder.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
        first = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + 30
            while not watch.execute(
                "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE %s AND datname = current_database()",
                ["%django_session%"],
            ).fetchone():
                assert time.monotonic() < deadline, "the first run never reached its job"
                time.sleep(0.1)
            # Other servers' runs meanwhile, more of them than PgBouncer has connections.
            for _ in range(POOL_SIZE + 1):
                assert "skipped: another run holds the scheduling lock" in run_scheduled()
        finally:
            holder.rollback()
        out, errors = first.communicate(timeout=60)
        assert first.returncode == 0, errors
        assert "expired_sessions_delete: ok" in out
        # Each later tick takes the lock again, whichever server connection it lands on.
        for _ in range(POOL_SIZE + 1):
            assert "expired_sessions_delete: ok" in run_scheduled()
        left = watch.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchone()
        assert left == (0,)


def test_erasures_on_both_servers_go_to_the_shared_ledger_and_survive_a_restore(
    two_servers, bouncer, shared_ledger, make_member, fresh_database, tmp_path
):
    from members.models import MembershipState

    from .test_backups import members_in, restore

    port_a, port_b = two_servers
    leaving = [make_member(pseudonym="Leaving A"), make_member(pseudonym="Leaving B")]
    make_member(pseudonym="Staying")
    out = io.StringIO()
    call_command("db_backup", directory=tmp_path / "backups", stdout=out)
    dump = out.getvalue().strip()

    # Each leaves through another server, re-entering the password as the page asks.
    for member, port in zip(leaving, (port_a, port_b), strict=True):
        browser = Client(port)
        login = browser.post_form(
            "/accounts/login/", {"login": member.user.email, "password": PASSWORD}
        )
        assert login.status == 302
        again = browser.post_form("/accounts/reauthenticate/", {"password": PASSWORD})
        assert again.status == 302
        left = browser.post_form("/profile/leave/", {"confirm": "on"})
        assert (left.status, left.headers["Location"]) == (302, "/left/")
    assert shared_ledger.read_text() == "".join(f"{m.pk}\n" for m in leaving)

    # The worst day: the backup, older than both erasures, goes into a fresh database.
    result = restore(dump, fresh_database, ERASURE_LEDGER=str(shared_ledger))
    assert "Erased again from the erasure ledger: 2." in result.stdout
    states = {pseudonym: state for _, pseudonym, _, state in members_in(fresh_database)}
    assert states.get("Staying") == MembershipState.ACTIVE
    assert "Leaving A" not in states and "Leaving B" not in states

    # A third server given a ledger of its own (a local folder, not the shared one) would
    # lose the next erasures from every restore: it refuses to start, and says why.
    env = {
        "DJANGO_SETTINGS_MODULE": "rosealliance.test_settings",
        **BEHIND_PGBOUNCER,
        "DATABASE_URL": bouncer.database_url(),
        "ERASURE_LEDGER": str(tmp_path / "local" / "erasures.ledger"),
    }
    with pytest.raises(RuntimeError, match=r"(?s)members\.E014: The erasure ledger .* lacks 2"):
        gunicorn_start(tmp_path / "gunicorn-c.log", env)
