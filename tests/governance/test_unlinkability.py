"""Secret ballots cannot be linked to their voters by anyone holding the database.

Two hundred members vote at once through the real views (8 at a time, each in its own
transaction), while a read-only database role polls every voting table, `pg_locks` and
`pg_stat_activity`. Then the motion closes and fifty voters check their receipts. A
superuser then reads every raw page of the voting tables (dead tuples and freed bytes
included, with a snapshot held open through the vote so nothing could be pruned), the WAL
written from before the first vote to after a `VACUUM FULL`, and a `pg_dump`. Each
adversary (tests/governance/adversary.py) joins what it sees by transaction id and backend
and claims a link wherever one voter meets one receipt hash (as good as a choice: the
counted ballots pair them). It may learn who voted, never what: no claim is right, and
pairing voters and counted ballots by their physical order does no better than chance.
"""

import os
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from governance import receipts
from governance.models import Motion
from tests import agreements, database
from tests.rosealliance.servers import database_url_of_tests

from .adversary import (
    Observation,
    Truth,
    WalReader,
    facts_in_bytes,
    facts_in_text,
    links,
    order_links,
    parse_lsn,
)

pytestmark = pytest.mark.django_db(transaction=True)

VOTERS = 200
RECEIPT_CHECKERS = 50
CHOICES = ("yes", "no", "abstain")
VOTING_TABLES = [
    "governance_ballotbox",
    "governance_rollentry",
    "governance_voter",
    "governance_sealedballot",
    "governance_countedballots",
]
# A pairing by physical order gets about one right by chance; six or more would happen by
# chance less than once in a thousand runs.
CHANCE = 5
READER = "rosealliance_test_reader"


def superuser_cursor():
    conn = database.superuser_connect(autocommit=True)
    return conn, conn.cursor()


@pytest.fixture
def reader_role():
    """A read-only role that may read every table and every session's statement text."""
    conn, cur = superuser_cursor()
    cur.execute(
        f"DO $$ BEGIN CREATE ROLE {READER} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    cur.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER}")
    cur.execute(f"GRANT pg_read_all_stats TO {READER}")
    cur.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    cur.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
    yield {"USER": READER, "PASSWORD": ""}
    cur.execute(f"REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM {READER}")
    # Only a superuser may create these: a backup holding them could not be restored by
    # the owner role (tests/rosealliance/test_backups.py dumps this database later).
    cur.execute("DROP EXTENSION pageinspect, pg_walinspect")
    conn.close()


class Poller(threading.Thread):
    """The read-only role, every few milliseconds: rows with their xmin/xmax, the locks
    and their holders, the statements running. It keeps what it read as it read it; the
    facts in it are matched against the truth afterwards (`observations`)."""

    def __init__(self, credentials):
        super().__init__(daemon=True)
        self.conn = database.psycopg.connect(**database.conninfo(credentials), autocommit=True)
        self.stop = threading.Event()
        # (source, xids, pids, member ids, raw bytes, statement text)
        self.seen: list[tuple] = []
        self.rounds = 0

    def run(self):
        cur = self.conn.cursor()
        while not self.stop.is_set():
            self.poll(cur)
            self.rounds += 1
            time.sleep(0.005)
        self.poll(cur)
        self.conn.close()

    def poll(self, cur):
        seen = self.seen
        cur.execute("SELECT xmin::text, xmax::text, member_id FROM governance_voter")
        for xmin, xmax, member in cur.fetchall():
            seen.append(("voter row", {xmin, xmax} - {"0"}, set(), {member}, b"", ""))
        cur.execute("SELECT xmin::text, xmax::text, sealed FROM governance_sealedballot")
        for xmin, xmax, sealed in cur.fetchall():
            seen.append(("sealed", {xmin, xmax} - {"0"}, set(), set(), bytes(sealed), ""))
        cur.execute("SELECT xmin::text, receipt_hashes FROM governance_countedballots")
        for xmin, packed in cur.fetchall():
            seen.append(("counted", {xmin}, set(), set(), bytes(packed), ""))
        cur.execute("SELECT xmin::text, xmax::text, id FROM members_member")
        for xmin, xmax, member in cur.fetchall():
            seen.append(("member row", {xmin, xmax} - {"0"}, set(), {member}, b"", ""))
        cur.execute(
            "SELECT pid, transactionid::text, classid, objid, locktype FROM pg_locks"
            " WHERE pid <> pg_backend_pid()"
        )
        for pid, xid, classid, objid, locktype in cur.fetchall():
            keys = {classid, objid} if locktype == "advisory" else set()
            seen.append(("lock", {xid} if xid else set(), {pid}, keys, b"", ""))
        cur.execute(
            "SELECT pid, backend_xid::text, query FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        for pid, xid, query in cur.fetchall():
            seen.append(("statement", {xid} if xid else set(), {pid}, set(), b"", query or ""))

    def observations(self, truth: Truth) -> list[Observation]:
        result = []
        for source, xids, pids, members, raw, text in self.seen:
            in_bytes, receipts_in_bytes = facts_in_bytes(raw, truth)
            in_text, receipts_in_text = facts_in_text(text, truth)
            result.append(
                Observation(
                    source,
                    xids,
                    pids,
                    (members & set(truth.receipt_of)) | in_bytes | in_text,
                    receipts_in_bytes | receipts_in_text,
                )
            )
        return result


def vote_through_the_views(member, motion_id: int, choice: str) -> str:
    try:
        client = Client()
        client.force_login(member.user)
        response = client.post(
            reverse("governance:motion_vote", args=[motion_id]), {"choice": choice, "step": "cast"}
        )
        assert response.status_code == 200
        return response.cookies["receipt"].value
    finally:
        connection.close()


def check_receipt(member, motion_id: int, code: str) -> bool:
    try:
        client = Client()
        client.force_login(member.user)
        page = client.post(reverse("governance:receipt_check", args=[motion_id]), {"code": code})
        return "Your ballot was counted." in page.content.decode()
    finally:
        connection.close()


def raw_page_observations(cur, truth: Truth) -> tuple[list[Observation], dict]:
    """Every tuple of every page of the voting tables, dead ones included, and every
    page's raw bytes (freed space too)."""
    observations, physical = [], {}
    for table in VOTING_TABLES:
        cur.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])
        (pages,) = cur.fetchone()
        order = []
        for block in range(pages):
            cur.execute("SELECT get_raw_page(%s, %s)", [table, block])
            raw = bytes(cur.fetchone()[0])
            members, found = facts_in_bytes(raw, truth)
            observations.append(
                Observation(f"{table} page {block}", members=members, receipts=found)
            )
            cur.execute(
                "SELECT t_xmin::text, t_xmax::text, t_data"
                " FROM heap_page_items(get_raw_page(%s, %s)) WHERE t_data IS NOT NULL ORDER BY lp",
                [table, block],
            )
            for xmin, xmax, data in cur.fetchall():
                members, found = facts_in_bytes(bytes(data), truth)
                observations.append(
                    Observation(
                        f"{table} tuple", {xmin, xmax} - {"0"}, members=members, receipts=found
                    )
                )
                # A tuple of counted ballots packs many: their order is where they stand.
                for receipt in sorted(found, key=bytes(data).find) or [None]:
                    order.append((members, {receipt} if receipt else set()))
        physical[table] = order
    return observations, physical


def wal_observations(cur, start_lsn: str, end_lsn: str, truth: Truth) -> list[Observation]:
    """Every WAL record written from before the first vote to the end, read from the
    segment files, joined by its transaction id."""
    cur.execute("SHOW wal_segment_size")
    cur.execute("SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'")
    (segment_size,) = cur.fetchone()

    def segment_name(lsn: int) -> str:
        cur.execute("SELECT pg_walfile_name(%s::pg_lsn)", [f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"])
        return cur.fetchone()[0]

    wal = WalReader(cur, segment_name, segment_size)
    cur.execute(
        "SELECT start_lsn::text, xid::text, record_length FROM pg_get_wal_records_info(%s, %s)",
        [start_lsn, end_lsn],
    )
    observations = []
    for start, xid, length in cur.fetchall():
        data = wal.record(parse_lsn(start), length)
        members, found = facts_in_bytes(data, truth)
        if members or found:
            observations.append(
                Observation("wal record", {xid} - {"0"}, members=members, receipts=found)
            )
    return observations


def test_nobody_holding_the_database_links_a_secret_ballot_to_its_voter(
    make_member, make_motion, reader_role
):
    voters = [make_member() for _ in range(VOTERS)]
    motion = make_motion()
    choice_of = {m.pk: CHOICES[i % 3] for i, m in enumerate(voters)}

    su_conn, su = superuser_cursor()
    # A physical slot keeps every WAL segment from here on, for the WAL adversary. It is
    # temporary (gone with this session, whatever happens) and named after this process,
    # so two test runs sharing one server do not collide.
    slot = f"unlinkability_{os.getpid()}"
    su.execute("SELECT pg_create_physical_replication_slot(%s, true, true)", [slot])
    holder = poller = None
    try:
        su.execute("SELECT pg_current_wal_lsn()::text")
        (start_lsn,) = su.fetchone()
        # A reader holding a snapshot through the vote: no dead tuple can be pruned.
        holder = database.psycopg.connect(**database.conninfo(reader_role))
        holder.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        holder.execute("SELECT count(*) FROM governance_voter").fetchone()

        poller = Poller(reader_role)
        poller.start()
        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = dict(
                zip(
                    [m.pk for m in voters],
                    pool.map(
                        lambda m: vote_through_the_views(m, motion.pk, choice_of[m.pk]), voters
                    ),
                    strict=True,
                )
            )
        truth = Truth(
            motion.box_id, {member: receipts.code_digest(code) for member, code in codes.items()}
        )

        agreements.motion_close(motion_id=motion.pk)
        agreements.motion_publish(motion_id=motion.pk, by=None)
        checkers = voters[:RECEIPT_CHECKERS]
        with ThreadPoolExecutor(max_workers=8) as pool:
            checked = list(pool.map(lambda m: check_receipt(m, motion.pk, codes[m.pk]), checkers))
        poller.stop.set()
        poller.join()
        assert all(checked)
        closed = Motion.objects.get(pk=motion.pk)
        assert (closed.yes_count, closed.no_count, closed.abstain_count) == (67, 67, 66)

        # The poller saw the vote happen, and what it read names the voters...
        assert poller.rounds > 20
        polled = poller.observations(truth)
        assert {"voter row", "sealed", "counted", "lock", "statement"} <= {o.source for o in polled}
        assert set().union(*(o.members for o in polled)) == set(truth.receipt_of)
        assert set().union(*(o.receipts for o in polled)) == set(truth.receipt_of.values())
        # ... but pairs none of them with a receipt, whatever it joins.
        assert links(polled, truth)["correct"] == 0
        assert not any(o.receipts for o in polled if o.source in ("statement", "sealed"))

        pages, physical = raw_page_observations(su, truth)
        # The raw pages hold every voter and every counted receipt...
        assert set().union(*(o.members for o in pages)) == set(truth.receipt_of)
        assert set().union(*(o.receipts for o in pages)) == set(truth.receipt_of.values())
        # ... and no tuple or page pairs one with the other.
        assert all(not (o.members and o.receipts) for o in pages)
        assert links(pages, truth)["correct"] == 0
        voter_order = [next(iter(m)) for m, _ in physical["governance_voter"] if len(m) == 1]
        counted_order = [next(iter(r)) for _, r in physical["governance_countedballots"] if r]
        assert len(voter_order) == len(counted_order) == VOTERS
        assert order_links(voter_order, counted_order, truth) <= CHANCE
        holder.rollback()
        holder.close()

        su.execute(
            "VACUUM FULL governance_voter, governance_sealedballot, governance_countedballots"
        )
        # pg_walinspect reads up to what has been flushed to disk.
        su.execute("SELECT pg_current_wal_flush_lsn()::text")
        (end_lsn,) = su.fetchone()
        wal = wal_observations(su, start_lsn, end_lsn, truth)
        assert set().union(*(o.members for o in wal)) == set(truth.receipt_of)
        assert set().union(*(o.receipts for o in wal)) == set(truth.receipt_of.values())
        result = links(wal, truth)
        assert result["correct"] == 0, result
    finally:
        # A failed assertion must not leave a connection behind: it would keep the test
        # database from being dropped.
        if poller is not None:
            poller.stop.set()
            poller.join()
        if holder is not None and not holder.closed:
            holder.close()
        su_conn.close()

    dump = subprocess.run(  # noqa: S603
        [
            shutil.which("pg_dump"),
            "--data-only",
            *[f"--table={t}" for t in VOTING_TABLES],
            database_url_of_tests(),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    voter_rows, packs = (
        copy_rows(dump, "governance_voter"),
        copy_rows(dump, "governance_countedballots"),
    )
    columns = copy_columns(dump, "governance_countedballots")
    hashes, voter_ids = columns.index("receipt_hashes"), columns.index("voter_ids")
    assert all(pack[voter_ids] == "\\N" for pack in packs)  # no voter on a secret ballot
    dump_voters = [int(row[1]) for row in voter_rows]
    dump_receipts = [
        bytes.fromhex(pack[hashes][3:][i : i + 64])
        for pack in packs
        for i in range(0, len(pack[hashes]) - 3, 64)
    ]
    assert len(voter_rows) == len(dump_receipts) == VOTERS
    assert order_links(dump_voters, dump_receipts, truth) <= CHANCE
    assert "sealedballot" not in dump or not copy_rows(dump, "governance_sealedballot")


def copy_columns(dump: str, table: str) -> list[str]:
    """The columns of `table`'s COPY block, in order."""
    line = next(line for line in dump.splitlines() if line.startswith(f"COPY public.{table} "))
    return [c.strip().strip('"') for c in line.split("(", 1)[1].split(")", 1)[0].split(",")]


def copy_rows(dump: str, table: str) -> list[list[str]]:
    """The rows of `table` in a plain pg_dump's COPY block."""
    lines = dump.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"COPY public.{table} "))
    rows = []
    for line in lines[start + 1 :]:
        if line == "\\.":
            break
        rows.append(line.split("\t"))
    return rows
