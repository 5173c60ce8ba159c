"""`make bench`: a general assembly's vote, measured side by side with its floors.

Creates its own database (`bench_rosealliance` on the server of BENCH_DATABASE_URL, else
of DATABASE_URL, else the embedded cluster), migrates it, seeds it, serves the application
with gunicorn in production mode on a loopback port, measures the seven stages of issue 8
three times each (medians), checks correctness, prints a table and writes
bench/results/latest.json. Exits non-zero when a correctness check fails.

    python -m bench.run [--members 5000] [--burst 2000] [--tally-ballots 100000] [--smoke]
"""

import argparse
import json
import os
import platform
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.cpu import CpuMeter

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench"
EMBEDDED_URL = "postgres://postgres@127.0.0.1:54329/rosealliance"
SECRET_KEY = "bench-only-secret-key-never-deployed-" + "x" * 20
BALLOT_KEY = "YmVuY2gtb25seS1iYWxsb3Qta2V5LW5ldmVyLXVzZWQ="
CHOICES = ("yes", "no", "abstain")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--small", type=int, default=50, help="members for the 'small' pages")
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--tally-ballots", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "4")))
    parser.add_argument(
        "--database", default=os.environ.get("BENCH_DATABASE", "bench_rosealliance")
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--bursts-alone", action="store_true", help="stage 4 from three bursts without readers"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run: every stage, small numbers"
    )
    parser.add_argument("--output", default=str(RESULTS / "latest.json"))
    args = parser.parse_args()
    if args.smoke:
        args.members, args.small, args.burst, args.concurrency = 120, 30, 60, 16
        args.tally_ballots, args.reps = 2000, 1
    if not args.database.startswith("bench_"):
        parser.error("the benchmark's database name must start with bench_")
    return args


def database_urls(name: str) -> dict[str, str]:
    """The bench database's URLs: as the application's role ("app"), the owner ("owner")
    and a superuser ("superuser", for seeding as a restore would), and the server's
    maintenance database ("maintenance"). The configured URL must be a superuser's."""
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or EMBEDDED_URL
    parts = urlsplit(base)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("the benchmark only runs against a database on loopback")
    host = parts.netloc.rsplit("@", 1)[-1]

    def as_role(user: str) -> str:
        return urlunsplit(parts._replace(netloc=f"{user}@{host}", path="/" + name))

    return {
        "app": as_role("rosealliance_app"),
        "owner": as_role("rosealliance_owner"),
        "superuser": urlunsplit(parts._replace(path="/" + name)),
        "maintenance": urlunsplit(parts._replace(path="/postgres")),
    }


def recreate_database(maintenance_url: str, name: str, *, drop_only: bool = False) -> None:
    """(Re)create the bench database, owned by the project's owner role (the roles are
    made first: scripts/db_roles.sql)."""
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute((ROOT / "scripts" / "db_roles.sql").read_text())
            conn.execute(f'CREATE DATABASE "{name}" OWNER rosealliance_owner')


def configure_environment(urls: dict[str, str]) -> dict[str, str]:
    """Production settings (DEBUG off, whitenoise's manifest, the two database roles) with
    only the HTTPS-only parts relaxed for loopback. The same for this process and the
    gunicorn it starts."""
    env = {
        "DATABASE_URL": urls["app"],
        "DATABASE_OWNER_URL": urls["owner"],
        "SECRET_KEY": SECRET_KEY,
        "BALLOT_KEY": BALLOT_KEY,
        "BALLOT_KEY_DIR": str(WORK / "ballot-keys"),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "localhost,127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DEFAULT_HTTP_PROTOCOL": "http",
        "STATIC_ROOT": str(WORK / "static"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "rosealliance.settings",
    }
    os.environ.update(env)
    return env


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


# --- the server ------------------------------------------------------------------------


class Server:
    def __init__(self, env: dict[str, str], workers: int):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        WORK.mkdir(parents=True, exist_ok=True)
        self.log_path = WORK / "gunicorn.log"
        self.log_file = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:rosealliance.gunicorn_config",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--backlog",
                "2048",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        from bench.load import Browser, fetch

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_path.read_text()}")
            if fetch(Browser(self.port), "/healthz").status == 200:
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


# --- measuring helpers -----------------------------------------------------------------

TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)", re.I)


def count_queries(method: str, path: str, session_key: str, data: dict | None = None) -> dict:
    """Queries one request makes, counted in this process with Django's test client against
    the bench database (same settings as the server; CSRF is not enforced by the test client,
    and checking it makes no query)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, data) if method == "POST" else client.get(path)
    statements = [q["sql"] for q in captured.captured_queries]
    queries = [s for s in statements if not TRANSACTION_CONTROL.match(s)]
    return {
        "status": response.status_code,
        "queries": len(queries),
        "with_begin_commit": len(statements),
    }


# Set by main(): the CPU meter of the server and the bench database's backends.
METER = None


def measured(run):
    """Run `run()` (returning (results, seconds)) with the CPU it costs, per request."""
    before = METER.snapshot()
    results, seconds = run()
    return results, seconds, METER.per_request(before, METER.snapshot(), len(results))


def http_stage(browsers, make_path, *, count: int, concurrency: int, post=None) -> dict:
    """`count` requests spread over `browsers` (one each when voting), `concurrency` at a
    time: latency percentiles, throughput and CPU per request."""
    from bench.load import run_jobs, summary_ms

    def job(i):
        browser = browsers[i % len(browsers)]
        if post is None:
            return lambda: browser.get(make_path(i))
        return lambda: browser.post(make_path(i), post(i))

    results, seconds, cpu = measured(lambda: run_jobs([job(i) for i in range(count)], concurrency))
    out = summary_ms(results)
    out["seconds"] = round(seconds, 3)
    out["per_second"] = round(count / seconds, 1)
    out["statuses"] = sorted({r.status for r in results})
    out.update(cpu)
    out["_results"] = results
    return out


CPU_KEYS = ("workers_cpu_ms", "database_cpu_ms", "client_cpu_ms")


def cpu_medians(runs: list[dict]) -> dict:
    return {key: median([r[key] for r in runs]) for key in CPU_KEYS}


def strip(stage: dict) -> dict:
    return {k: v for k, v in stage.items() if not k.startswith("_")}


# --- the stages ------------------------------------------------------------------------


def sealed_ballots(box_id: int, count: int) -> list[bytes]:
    """`count` sealed ballots for a box, as the cast seals them (made before the clock
    starts: the floor is the database's part of a vote)."""
    from governance import ballot_sealing, receipts
    from governance.models import CHOICE_CONTENT, BallotBox

    public_key = bytes(BallotBox.objects.get(pk=box_id).public_key)
    return [
        ballot_sealing.seal(
            box_id=box_id,
            box_public_key=public_key,
            ballot=ballot_sealing.plaintext(
                receipt_hash=receipts.code_digest(receipts.new_code()),
                voter_id=None,
                content=CHOICE_CONTENT[random.choice(CHOICES)],
            ),
        )
        for _ in range(count)
    ]


def stage_floor(app_url: str, box_id: int, member_ids: list[int], clients: int) -> dict:
    """The cast's one statement (`ballot_box_cast`: the voter row with its guards and the
    sealed ballot), issued through psycopg as the application's role, with its values
    bound apart from the text as the service binds them; one transaction per ballot."""
    import threading

    import psycopg

    from bench.load import percentile

    sealed = dict(zip(member_ids, sealed_ballots(box_id, len(member_ids)), strict=True))
    from bench.cpu import process_cpu_seconds

    latencies: list[tuple[int, float]] = []
    cast = [0]
    database_cpu = [0.0]
    lock = threading.Lock()
    chunks = [member_ids[i::clients] for i in range(clients)]

    def work(chunk):
        with psycopg.connect(app_url, autocommit=True) as conn:
            backend = conn.info.backend_pid
            cpu_before = process_cpu_seconds(backend)
            for member_id in chunk:
                start = time.perf_counter()
                conn.execute(
                    "SELECT ballot_box_cast(%s, %s, %s)", [box_id, member_id, sealed[member_id]]
                )
                with lock:
                    latencies.append((len(latencies), time.perf_counter() - start))
                    cast[0] += 1
            with lock:
                database_cpu[0] += process_cpu_seconds(backend) - cpu_before

    threads = [threading.Thread(target=work, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    in_order = [t for _, t in sorted(latencies)]
    tenth = max(1, len(in_order) // 10)
    return {
        "n": len(member_ids),
        "cast": cast[0],
        "p50_ms": round(1000 * percentile(in_order, 50), 3),
        "p95_ms": round(1000 * percentile(in_order, 95), 3),
        # The cost of a vote must not grow with the votes already cast.
        "first_tenth_p50_ms": round(1000 * percentile(in_order[:tenth], 50), 3),
        "last_tenth_p50_ms": round(1000 * percentile(in_order[-tenth:], 50), 3),
        "seconds": round(seconds, 3),
        "per_second": round(len(member_ids) / seconds, 1),
        "database_cpu_ms": round(1000 * database_cpu[0] / max(len(member_ids), 1), 3),
    }


def check_burst(
    motion_id: int, results, expected_voters: set[int], allies: set[int], choices: dict[int, str]
) -> dict:
    """Correctness after a burst: sealed ballots == accepted requests == recorded voters;
    nobody twice; no ally; no 5xx. Then the motion is closed: the tally is exactly the
    choices sent by the accepted voters, and every receipt shown was counted."""
    from collections import Counter

    from django.db import connection

    from bench.load import RECEIPT
    from governance import receipts
    from governance.models import Motion, SealedBallot, Voter, counted_ballots
    from tests import agreements

    box_id = Motion.objects.get(pk=motion_id).box_id
    accepted = [r for r in results if r.status == 200]
    codes = [RECEIPT.search(r.body) for r in accepted]
    digests = [receipts.code_digest(m.group(1)) for m in codes if m]
    voter_ids = list(Voter.objects.filter(box_id=box_id).values_list("member_id", flat=True))
    sealed = SealedBallot.objects.filter(box_id=box_id).count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM members_member WHERE id = ANY(%s)"
            " AND NOT (status = 'sex_worker' AND state = 'active')",
            [voter_ids],
        )
        ineligible = cursor.fetchone()[0]
    closed = agreements.motion_close(motion_id=motion_id)
    counted = {ballot.receipt_hash for ballot in counted_ballots(box_id)}
    expected_tally = Counter(choices[m] for m in voter_ids)
    check = {
        "accepted": len(accepted),
        "refused": sum(1 for r in results if 300 <= r.status < 400),
        "sealed_ballots": sealed,
        "recorded_voters": len(voter_ids),
        "distinct_voters": len(set(voter_ids)),
        "receipts_counted": len(counted & set(digests)),
        "allies_recorded": len(set(voter_ids) & allies),
        "ineligible_recorded": ineligible,
        "tally": [closed.yes_count, closed.no_count, closed.abstain_count],
        "errors_5xx": sum(1 for r in results if r.status >= 500),
        "failed_connections": sum(1 for r in results if r.status == 0),
    }
    problems = []
    if not (check["accepted"] == sealed == len(voter_ids) == check["receipts_counted"]):
        problems.append("sealed ballots, accepted requests, voters and counted receipts differ")
    if len(set(voter_ids)) != len(voter_ids):
        problems.append("a member is recorded twice")
    if set(voter_ids) != expected_voters:
        problems.append("the recorded voters are not exactly the members who voted")
    if check["allies_recorded"] or ineligible:
        problems.append("an ally or ineligible member is recorded as a voter")
    if check["tally"] != [expected_tally[c] for c in CHOICES]:
        problems.append("the tally is not the choices the accepted voters sent")
    if check["errors_5xx"] or check["failed_connections"]:
        problems.append("5xx answers or failed connections")
    check["problems"] = problems
    return check


class capture_close_phases:  # noqa: N801 (used as a context manager)
    """The phases the close logs (services.ballot_box.box_close), as a dict."""

    def __enter__(self) -> dict:
        import logging

        self.phases: dict = {}
        phases = self.phases

        class Handler(logging.Handler):
            def emit(self, record):
                for part in record.getMessage().split():
                    if "=" in part and part.endswith(tuple("0123456789")):
                        key, value = part.split("=")
                        phases[key] = float(value)

        self.logger = logging.getLogger("governance.services.ballot_box")
        self.handler = Handler()
        self.level = self.logger.level
        self.logger.setLevel(logging.INFO)
        self.logger.addHandler(self.handler)
        return phases

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)


def floors_of_the_count(superuser_url: str, box_id: int) -> dict:
    """What the close is compared with, on the same ballots: a bare GROUP BY of them as
    rows of a plain table (one per ballot, as the first ballot box kept them: box,
    receipt hash, content, voter), and a shuffled copy of that table into an unindexed
    temporary one (the floor of writing them in random order, without WAL)."""
    import psycopg

    with psycopg.connect(superuser_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_ballots_as_rows")
        conn.execute(
            "CREATE TABLE bench_ballots_as_rows AS"
            " SELECT c.box_id, substring(c.receipt_hashes FROM 32 * i + 1 FOR 32) AS receipt_hash,"
            "        substring(c.contents FROM b.content_size * i + 1 FOR b.content_size)"
            "          AS content, NULL::bigint AS voter_id"
            "   FROM governance_countedballots c"
            "   JOIN governance_ballotbox b ON b.id = c.box_id,"
            "        generate_series(0, length(c.receipt_hashes) / 32 - 1) AS i"
            "  WHERE c.box_id = %s",
            [box_id],
        )
        conn.execute("VACUUM ANALYZE bench_ballots_as_rows")

        def timed(statement: str) -> float:
            runs = []
            for _ in range(5):
                conn.execute("BEGIN")
                start = time.perf_counter()
                cursor = conn.execute(statement, [box_id])
                if cursor.description:
                    cursor.fetchall()
                runs.append(time.perf_counter() - start)
                conn.execute("ROLLBACK")
            return round(statistics.median(runs), 4)

        try:
            return {
                "group_by_s": timed(
                    "SELECT content, count(*) FROM bench_ballots_as_rows WHERE box_id = %s"
                    " GROUP BY content"
                ),
                "shuffled_copy_s": timed(
                    "CREATE TEMP TABLE shuffled AS SELECT * FROM bench_ballots_as_rows"
                    " WHERE box_id = %s ORDER BY random()"
                ),
            }
        finally:
            conn.execute("DROP TABLE bench_ballots_as_rows")


def database_pids(superuser_url: str):
    """A function listing the pids of the bench database's backends (the app's and the
    floor's connections), for the CPU meter."""
    import psycopg

    conn = psycopg.connect(superuser_url, autocommit=True)

    def pids() -> list[int]:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        return [pid for (pid,) in rows]

    return pids


def main() -> int:  # noqa: C901 (one linear script, stage after stage)
    args = parse_args()
    started = time.perf_counter()
    urls = database_urls(args.database)
    maintenance_url = urls["maintenance"]
    env = configure_environment(urls)
    sys.path.insert(0, str(ROOT))
    log(f"database {args.database} on {urlsplit(urls['app']).netloc}; recreating it")
    recreate_database(maintenance_url, args.database)

    import django

    django.setup()
    from django.core.management import call_command

    from bench import seed
    from bench.load import Browser, Readers, run_jobs, summary_ms
    from governance import services as governance_services
    from governance.models import ActKind, RollEntry
    from members.models import Member
    from tests import agreements

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    log(f"migrated in {time.perf_counter() - started:.1f} s")

    report: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "settings": {k: v for k, v in vars(args).items() if k not in ("output",)},
        "stages": {},
        "correctness": {},
    }
    problems: list[str] = []

    # -- a small organisation: the pages at `small` members --------------------------------
    seed.members_up_to(args.small)
    admin = seed.administrator()
    early = seed.voting_members(9)
    seed.closed_motion("Closed motion", early[:6], publish=False)
    seed.closed_motion("Published motion", early[:9], publish=True)
    page_motion = seed.motion("Open motion A")
    seed.motion("Open motion B")
    seed.motion("Draft motion", open_=False)
    reader_member = early[0]
    page_sessions = dict(
        zip(["admin", "member"], seed.sessions_for([admin.pk, reader_member.user_id]), strict=True)
    )
    server = Server(env, args.workers)
    log(f"gunicorn on 127.0.0.1:{server.port} with {args.workers} workers")
    global METER
    METER = CpuMeter(server.process.pid, database_pids(urls["superuser"]))
    try:
        # Every worker renders every page once before anything is measured.
        warm = [Browser(server.port), Browser(server.port, {"sessionid": page_sessions["member"]})]
        run_jobs(
            [
                lambda b=b, p=p: b.get(p)
                for b in warm
                for p in ("/healthz", "/dashboard/", "/profile/", "/motions/") * 10
            ],
            4,
        )
        # -- 0. the price of being logged in: an empty view (the health endpoint, which
        # answers from one `SELECT 1` and reads no user) with and without a session -------
        empty = {}
        for label, cookies in (
            ("anonymous", {}),
            ("logged_in", {"sessionid": page_sessions["member"]}),
        ):
            browser = Browser(server.port, dict(cookies))
            runs = [
                strip(http_stage([browser], lambda i: "/healthz", count=200, concurrency=1))
                for _ in range(args.reps)
            ]
            empty[label] = {
                key: median([r[key] for r in runs])
                for key in ("p50_ms", "workers_cpu_ms", "database_cpu_ms", "client_cpu_ms")
            }
        report["stages"]["0_empty_view"] = empty
        log("stage 0 done")

        pages = {
            "admin_member_list": ("/admin/members/member/", "admin"),
            "motion_list": ("/motions/", "member"),
            "motion_detail": (f"/motions/{page_motion.pk}/", "member"),
            "dashboard": ("/dashboard/", "member"),
        }

        def measure_pages(label: str) -> dict:
            out = {}
            for name, (path, who) in pages.items():
                browser = Browser(server.port, {"sessionid": page_sessions[who]})
                runs = []
                for _ in range(args.reps):
                    stage = http_stage([browser], lambda i, p=path: p, count=15, concurrency=1)
                    runs.append(stage["p50_ms"])
                    if stage["errors_5xx"] or stage["statuses"] != [200]:
                        problems.append(f"{name} at {label}: statuses {stage['statuses']}")
                out[name] = {
                    "p50_ms": median(runs),
                    "runs_p50_ms": runs,
                    **{
                        k: v
                        for k, v in count_queries("GET", path, page_sessions[who]).items()
                        if k != "status"
                    },
                }
            return out

        report["stages"]["7_pages_small"] = {
            "members": seed.member_count(),
            **measure_pages("small"),
        }
        log(f"stage 7 at {seed.member_count()} members done")

        # -- the large organisation ------------------------------------------------------
        seed.members_up_to(args.members)
        log(f"seeded {seed.member_count()} members")
        report["stages"]["7_pages_large"] = {
            "members": seed.member_count(),
            **measure_pages("large"),
        }
        log("stage 7 at the large size done")

        voter_numbers = seed.voting_numbers(args.burst)
        ally_numbers = seed.ally_numbers(max(4, args.burst // 50))
        reader_numbers = seed.voting_numbers(8, start=voter_numbers[-1] + 1)
        user_ids = seed.member_user_ids(voter_numbers + ally_numbers + reader_numbers)
        members_by_user = dict(
            Member.objects.filter(user_id__in=user_ids.values()).values_list("user_id", "pk")
        )
        keys = seed.sessions_for(
            [user_ids[n] for n in voter_numbers + ally_numbers + reader_numbers]
        )
        browsers = [Browser(server.port, {"sessionid": k}) for k in keys]
        voters = browsers[: len(voter_numbers)]
        allies = browsers[len(voter_numbers) : len(voter_numbers) + len(ally_numbers)]
        readers = browsers[len(voter_numbers) + len(ally_numbers) :]
        voter_member_ids = [members_by_user[user_ids[n]] for n in voter_numbers]
        ally_member_ids = {members_by_user[user_ids[n]] for n in ally_numbers}
        # The CSRF cookie: what Django's first page sets is a random secret, and a form may
        # send the secret itself as its token. Made here for every member instead of 2,048
        # page loads; the readers and the first voters load a page for theirs, as members do.
        for browser in browsers:
            browser.cookies["csrftoken"] = browser.csrf_token = secrets.token_hex(16)
        sample = voters[:16] + readers
        prepared, _ = run_jobs([lambda b=b: b.get("/dashboard/") for b in sample], 8)
        if any(r.status != 200 for r in prepared) or not all(b.csrf_token for b in sample):
            problems.append("could not prepare the members' sessions")
        log(f"{len(browsers)} member sessions ready")

        def vote_data(i):
            return {"choice": CHOICES[i % 3], "step": "cast"}

        # What each voter sends (voter i sends vote_data(i)): the tally must be exactly this.
        choice_of = {member: CHOICES[i % 3] for i, member in enumerate(voter_member_ids)}

        # -- 1. the database floor -------------------------------------------------------
        floor = {"1_client": [], "16_clients": []}
        for rep in range(args.reps):
            for label, clients, n in (("1_client", 1, 200), ("16_clients", 16, 800)):
                motion = seed.motion(f"Floor {label} {rep}")
                ids = list(
                    RollEntry.objects.filter(box_id=motion.box_id)
                    .order_by("?")
                    .values_list("member_id", flat=True)[: min(n, args.members)]
                )
                floor[label].append(stage_floor(urls["app"], motion.box_id, ids, clients))
        # The cost of a vote as the box fills: one client casting `burst` ballots in a row.
        depth = []
        for rep in range(args.reps):
            motion = seed.motion(f"Depth {rep}")
            ids = list(
                RollEntry.objects.filter(box_id=motion.box_id)
                .order_by("?")
                .values_list("member_id", flat=True)[: args.burst]
            )
            depth.append(stage_floor(urls["app"], motion.box_id, ids, 1))
        report["stages"]["1_database_floor"] = {
            label: {
                "p50_ms": median([r["p50_ms"] for r in runs]),
                "per_second": median([r["per_second"] for r in runs]),
                "database_cpu_ms": median([r["database_cpu_ms"] for r in runs]),
                "runs": runs,
            }
            for label, runs in floor.items()
        }
        report["stages"]["1_database_floor"]["by_depth"] = {
            "ballots": args.burst,
            "first_tenth_p50_ms": median([r["first_tenth_p50_ms"] for r in depth]),
            "last_tenth_p50_ms": median([r["last_tenth_p50_ms"] for r in depth]),
            "runs": depth,
        }
        log("stage 1 done")

        # -- 2. the cheapest authenticated page -----------------------------------------
        cheapest = {}
        for path in ("/dashboard/", "/profile/"):
            runs = [
                strip(http_stage(voters[:1], lambda i, p=path: p, count=50, concurrency=1))
                for _ in range(args.reps)
            ]
            cheapest[path] = {
                "1_client": {
                    "p50_ms": median([r["p50_ms"] for r in runs]),
                    "per_second": median([r["per_second"] for r in runs]),
                    "errors_5xx": sum(r["errors_5xx"] for r in runs),
                    **cpu_medians(runs),
                    "runs": runs,
                },
                "queries": count_queries("GET", path, keys[0])["queries"],
            }
        cheapest_path = min(cheapest, key=lambda p: cheapest[p]["1_client"]["p50_ms"])
        runs = [
            strip(http_stage(voters[:16], lambda i: cheapest_path, count=200, concurrency=16))
            for _ in range(args.reps)
        ]
        cheapest[cheapest_path]["16_clients"] = {
            "p50_ms": median([r["p50_ms"] for r in runs]),
            "per_second": median([r["per_second"] for r in runs]),
            "errors_5xx": sum(r["errors_5xx"] for r in runs),
            **cpu_medians(runs),
            "runs": runs,
        }
        report["stages"]["2_cheapest_page"] = {"path": cheapest_path, "pages": cheapest}
        log("stage 2 done")

        # -- 3. casting a vote over HTTP ------------------------------------------------
        votes = {"1_client": [], "16_clients": []}
        for rep in range(args.reps):
            for label, concurrency, n in (("1_client", 1, 50), ("16_clients", 16, 200)):
                motion = seed.motion(f"Vote {label} {rep}")
                n = min(n, len(voters))
                stage = http_stage(
                    voters[:n],
                    lambda i, m=motion.pk: f"/motions/{m}/vote/",
                    count=n,
                    concurrency=concurrency,
                    post=vote_data,
                )
                check = check_burst(
                    motion.pk,
                    stage["_results"],
                    set(voter_member_ids[:n]),
                    ally_member_ids,
                    choice_of,
                )
                problems += [f"stage 3 {label}: {p}" for p in check["problems"]]
                votes[label].append({**strip(stage), "accepted": check["accepted"]})
        report["stages"]["3_vote"] = {
            label: {
                "p50_ms": median([r["p50_ms"] for r in runs]),
                "per_second": median([r["per_second"] for r in runs]),
                **cpu_medians(runs),
                "runs": runs,
            }
            for label, runs in votes.items()
        }
        vote_motion = seed.motion("Vote query count")
        report["stages"]["3_vote"]["queries"] = count_queries(
            "POST", f"/motions/{vote_motion.pk}/vote/", keys[0], {"choice": "yes", "step": "cast"}
        )
        log("stage 3 done")

        # -- 4. and 5. the burst, then the burst with members reading --------------------
        def burst(rep: int, with_readers: bool) -> dict:
            motion = seed.motion(f"Burst {rep} {'readers' if with_readers else 'alone'}")
            path = f"/motions/{motion.pk}/vote/"
            jobs = [(lambda b=b, i=i: b.post(path, vote_data(i))) for i, b in enumerate(voters)]
            # Refused on purpose: allies, and members sending their vote twice.
            jobs += [(lambda b=b: b.post(path, vote_data(0))) for b in allies]
            # (The same choice again: whichever of the two arrives first is the one counted.)
            jobs += [
                (lambda b=b, i=i: b.post(path, vote_data(i)))
                for i, b in enumerate(voters[: len(allies)])
            ]
            random.Random(rep).shuffle(jobs)
            reading = Readers(readers, ["/motions/", f"/motions/{motion.pk}/"])
            results, seconds, cpu = measured(
                lambda: run_jobs(
                    jobs, args.concurrency, alongside=reading if with_readers else None
                )
            )
            check = check_burst(
                motion.pk, results, set(voter_member_ids), ally_member_ids, choice_of
            )
            if check["accepted"] != len(voters):
                check["problems"].append("not every member's ballot was accepted")
            out = {
                "requests": len(jobs),
                "drain_seconds": round(seconds, 3),
                "votes_per_second": round(check["accepted"] / seconds, 1),
                # Per request (the reads alongside are in it: stage 4 alone has none).
                **cpu,
                **{k: v for k, v in summary_ms(results).items() if k != "n"},
                "check": check,
            }
            if with_readers:
                out["reads"] = summary_ms(reading.results)
                out["reads"]["per_second"] = round(len(reading.results) / seconds, 1)
            return out

        # By default the three bursts run with members reading alongside (stage 5 is
        # defined as reads during the burst): stage 4's figures come from the same bursts.
        # --bursts-alone adds three bursts without readers for stage 4 (a minute or two
        # more, which a busy 2-core machine cannot spare within `make bench`'s 10 minutes).
        plan = [("5_burst_with_readers", True)]
        if args.bursts_alone:
            plan.insert(0, ("4_burst", False))
        for key, with_readers in plan:
            runs = [burst(rep, with_readers) for rep in range(args.reps)]
            for run in runs:
                problems += [f"{key}: {p}" for p in run["check"]["problems"]]
            report["stages"][key] = {
                "drain_seconds": median([r["drain_seconds"] for r in runs]),
                "votes_per_second": median([r["votes_per_second"] for r in runs]),
                "p50_ms": median([r["p50_ms"] for r in runs]),
                "p95_ms": median([r["p95_ms"] for r in runs]),
                "p99_ms": median([r["p99_ms"] for r in runs]),
                "errors_5xx": sum(r["errors_5xx"] for r in runs),
                **cpu_medians(runs),
                "runs": runs,
            }
            if with_readers:
                for q in ("p50_ms", "p95_ms", "p99_ms", "per_second"):
                    report["stages"][key][f"reads_{q}"] = median([r["reads"][q] for r in runs])
                report["stages"][key]["reads_errors_5xx"] = sum(
                    r["reads"]["errors_5xx"] for r in runs
                )
            log(f"stage {key} done")
        if not args.bursts_alone:
            report["stages"]["4_burst"] = {
                **report["stages"]["5_burst_with_readers"],
                "note": "the bursts of stage 5 (with 8 members reading alongside)",
            }
    finally:
        server.stop()

    # -- 6. closing a motion of `tally_ballots` ballots ----------------------------------
    needed = -(-args.tally_ballots * seed.ALLY_EVERY // (seed.ALLY_EVERY - 1)) + 1
    seed.members_up_to(max(needed, args.members))
    log(f"seeded {seed.member_count()} members for the close")
    closes = []
    for rep in range(args.reps):
        motion = seed.motion(f"Tally {rep}")
        expected = seed.voters_and_sealed_ballots_directly(
            urls["superuser"], motion.box_id, args.tally_ballots
        )
        # The committee's agreement to close early, recorded outside the measured close.
        agreements.agreed(ActKind.MOTION_CLOSE, motion.pk)
        with capture_close_phases() as phases:
            start = time.perf_counter()
            closed = governance_services.motion_close(motion_id=motion.pk)
            seconds = time.perf_counter() - start
        got = {"yes": closed.yes_count, "no": closed.no_count, "abstain": closed.abstain_count}
        if got != expected:
            problems.append(f"stage 6: tally {got} != {expected}")
        closes.append(
            {
                # The close proper; the purge of the sealed rows follows its commit.
                "seconds": round(seconds - phases.get("purge_s", 0.0), 3),
                **phases,
                **floors_of_the_count(urls["superuser"], motion.box_id),
                "counts": got,
            }
        )
    report["stages"]["6_tally"] = {
        "ballots": args.tally_ballots,
        "close_seconds": median([c["seconds"] for c in closes]),
        **{
            key: median([c[key] for c in closes])
            for key in ("read_s", "open_s", "write_s", "purge_s", "group_by_s", "shuffled_copy_s")
        },
        "runs": closes,
    }
    log("stage 6 done")

    # -- ratios -----------------------------------------------------------------------
    s = report["stages"]
    cheapest_page = s["2_cheapest_page"]["pages"][s["2_cheapest_page"]["path"]]
    empty = s["0_empty_view"]
    report["ratios"] = {
        "logged_in_over_anonymous_empty_view_cpu": round(
            empty["logged_in"]["workers_cpu_ms"] / empty["anonymous"]["workers_cpu_ms"], 2
        ),
        "vote_over_cheapest_page_latency_1_client": round(
            s["3_vote"]["1_client"]["p50_ms"] / cheapest_page["1_client"]["p50_ms"], 2
        ),
        "vote_over_cheapest_page_throughput_16_clients": round(
            cheapest_page["16_clients"]["per_second"] / s["3_vote"]["16_clients"]["per_second"], 2
        ),
        "vote_over_database_floor_latency_1_client": round(
            s["3_vote"]["1_client"]["p50_ms"] / s["1_database_floor"]["1_client"]["p50_ms"], 2
        ),
        "vote_over_database_floor_throughput_16_clients": round(
            s["1_database_floor"]["16_clients"]["per_second"]
            / s["3_vote"]["16_clients"]["per_second"],
            2,
        ),
        "vote_cost_at_depth_over_first": round(
            s["1_database_floor"]["by_depth"]["last_tenth_p50_ms"]
            / s["1_database_floor"]["by_depth"]["first_tenth_p50_ms"],
            2,
        ),
        "close_over_group_by": round(s["6_tally"]["close_seconds"] / s["6_tally"]["group_by_s"], 1),
        "shuffled_copy_over_group_by": round(
            s["6_tally"]["shuffled_copy_s"] / s["6_tally"]["group_by_s"], 1
        ),
        "burst_drain_seconds": s["4_burst"]["drain_seconds"],
        "burst_with_readers_drain_seconds": s["5_burst_with_readers"]["drain_seconds"],
        "queries_per_vote": s["3_vote"]["queries"]["queries"],
    }
    for page in ("admin_member_list", "motion_list"):
        report["ratios"][f"{page}_time_large_over_small"] = round(
            s["7_pages_large"][page]["p50_ms"] / s["7_pages_small"][page]["p50_ms"], 2
        )
        report["ratios"][f"{page}_queries_large_minus_small"] = (
            s["7_pages_large"][page]["queries"] - s["7_pages_small"][page]["queries"]
        )
    report["correctness"] = {"ok": not problems, "problems": problems}
    report["total_seconds"] = round(time.perf_counter() - started, 1)

    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(table(report))
    print(f"\nJSON: {output}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        recreate_database(maintenance_url, args.database, drop_only=True)
    if problems:
        print("\nCORRECTNESS FAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print("\ncorrectness: ok")
    return 0


def table(report: dict) -> str:
    s, r = report["stages"], report["ratios"]
    floor, vote = s["1_database_floor"], s["3_vote"]
    depth = floor["by_depth"]
    cheapest = s["2_cheapest_page"]
    page = cheapest["pages"][cheapest["path"]]
    burst, mixed = s["4_burst"], s["5_burst_with_readers"]
    small, large = s["7_pages_small"], s["7_pages_large"]
    settings = report["settings"]

    def latency(stage):
        cpu = ""
        if "workers_cpu_ms" in stage:
            cpu = (
                f"; CPU/request: app {stage['workers_cpu_ms']} ms, db"
                f" {stage['database_cpu_ms']} ms, client {stage['client_cpu_ms']} ms"
            )
        elif "database_cpu_ms" in stage:
            cpu = f"; CPU/cast: db {stage['database_cpu_ms']} ms"
        return f"{stage['p50_ms']} ms p50", f"{stage['per_second']}/s{cpu}"

    def spread(stage, prefix=""):
        return "/".join(str(stage[f"{prefix}p{q}_ms"]) for q in (50, 95, 99)) + " ms p50/95/99"

    empty = s["0_empty_view"]
    rows = [
        *(
            (
                f"0 empty view (/healthz), {label}",
                f"{e['p50_ms']} ms p50",
                f"CPU/request: app {e['workers_cpu_ms']} ms, db {e['database_cpu_ms']} ms",
            )
            for label, e in empty.items()
        ),
        ("1 database floor, 1 client", *latency(floor["1_client"])),
        ("1 database floor, 16 clients", *latency(floor["16_clients"])),
        (f"2 cheapest page {cheapest['path']}, 1 client", *latency(page["1_client"])),
        (f"2 cheapest page {cheapest['path']}, 16 clients", *latency(page["16_clients"])),
        ("3 vote over HTTP, 1 client", *latency(vote["1_client"])),
        ("3 vote over HTTP, 16 clients", *latency(vote["16_clients"])),
        (
            f"4 burst {settings['burst']} voters @{settings['concurrency']}"
            + (" (stage 5's)" if "note" in burst else ""),
            f"drain {burst['drain_seconds']} s",
            f"{spread(burst)}, 5xx {burst['errors_5xx']}",
        ),
        (
            "5 burst + 8 readers: votes",
            f"drain {mixed['drain_seconds']} s",
            f"{spread(mixed)}; CPU/request: app {mixed['workers_cpu_ms']} ms,"
            f" db {mixed['database_cpu_ms']} ms, client {mixed['client_cpu_ms']} ms",
        ),
        (
            "5 burst + 8 readers (0.25 s pauses): reads",
            f"{mixed['reads_per_second']}/s",
            f"{spread(mixed, 'reads_')}, 5xx {mixed['reads_errors_5xx']}",
        ),
        (
            f"1 cast cost by depth, {depth['ballots']} ballots in a row",
            f"{depth['first_tenth_p50_ms']} / {depth['last_tenth_p50_ms']} ms",
            "p50 of the first / last tenth",
        ),
        (
            f"6 close + tally, {s['6_tally']['ballots']} ballots",
            f"{s['6_tally']['close_seconds']} s",
            "read {read_s} s, open {open_s} s, write {write_s} s, then purge {purge_s} s;"
            " GROUP BY {group_by_s} s, shuffled copy {shuffled_copy_s} s".format(**s["6_tally"]),
        ),
    ]
    for name in ("admin_member_list", "motion_list", "motion_detail", "dashboard"):
        rows.append(
            (
                f"7 {name} at {small['members']} / {large['members']}",
                f"{small[name]['p50_ms']} / {large[name]['p50_ms']} ms",
                f"queries {small[name]['queries']} / {large[name]['queries']}",
            )
        )
    width = max(len(a) for a, _, _ in rows)
    lines = [f"{'stage':<{width}}  {'median of 3':<22}  detail", "-" * (width + 60)]
    lines += [f"{a:<{width}}  {b:<22}  {c}" for a, b, c in rows]
    lines += ["", "ratios:"]
    lines += [f"  {k} = {v}" for k, v in r.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
