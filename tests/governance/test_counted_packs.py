"""Counted ballots are packed `counted_per_row` to a row (models.ballot_box.CountedBallots):
the close's packing, what the readers unpack, and the migration that packed the counted
ballots already written one per row (governance 0014) into the same layout."""

import secrets
from importlib import import_module

import pytest

from core.database_roles import credentials
from governance import ballot_sealing, receipts, services
from governance.models import BallotKind, CountedBallots, counted_ballots
from governance.models.ballot_box import counted_per_row
from tests import agreements, database

pytestmark = pytest.mark.django_db(transaction=True)

PACK_EXISTING = import_module("governance.migrations.0014_counted_ballots_packed").PACK_EXISTING


def test_a_close_packs_its_ballots_and_every_reader_finds_each_one(make_member, make_motion):
    per_row = counted_per_row(1)
    voters = [make_member() for _ in range(per_row + 3)]
    motion = make_motion(ballot_kind=BallotKind.ROLL_CALL)
    choice_of = {v.pk: secrets.choice(["yes", "no", "abstain"]) for v in voters}
    codes = {
        v.pk: services.ballot_cast(motion_id=motion.pk, voter=v, choice=choice_of[v.pk])
        for v in voters
    }
    closed = agreements.motion_close(motion_id=motion.pk)

    packs = list(CountedBallots.objects.filter(box_id=motion.box_id).order_by("chunk"))
    assert [len(bytes(p.receipt_hashes)) // 32 for p in packs] == [per_row, 3]
    assert [len(bytes(p.contents)) for p in packs] == [per_row, 3]
    assert [len(p.voter_ids) for p in packs] == [per_row, 3]
    ballots = counted_ballots(motion.box_id)
    # Written in random order: by receipt hash, not by voter or by the order of casting.
    assert [b.receipt_hash for b in ballots] == sorted(b.receipt_hash for b in ballots)
    assert {b.voter_id: b.receipt_hash for b in ballots} == {
        pk: receipts.code_digest(code) for pk, code in codes.items()
    }
    assert (closed.yes_count, closed.no_count, closed.abstain_count) == tuple(
        list(choice_of.values()).count(c) for c in ("yes", "no", "abstain")
    )
    assert all(
        services.receipt_is_counted(motion=closed, code=code) for code in list(codes.values())[-5:]
    )


def test_the_migration_packs_rows_as_the_close_does(make_member, make_motion):
    """The migration's packing, run on the one-row-per-ballot table it replaced (rebuilt
    here as a temporary table that hides the real one) in a random order, gives exactly
    the packs the close wrote."""
    voters = [make_member() for _ in range(counted_per_row(1) + 1)]
    motion = make_motion(ballot_kind=BallotKind.ROLL_CALL)
    for voter in voters:
        services.ballot_cast(motion_id=motion.pk, voter=voter, choice="no")
    agreements.motion_close(motion_id=motion.pk)
    rows = [
        (motion.box_id, b.receipt_hash, b.content, b.voter_id)
        for b in counted_ballots(motion.box_id)
    ]
    secrets.SystemRandom().shuffle(rows)

    owner = database.psycopg.connect(**database.conninfo(credentials("owner")))
    try:
        owner.execute(
            "CREATE TEMP TABLE governance_countedballot"
            " (box_id bigint, receipt_hash bytea, content bytea, voter_id bigint)"
        )
        owner.execute(
            "CREATE TEMP TABLE governance_countedballots"
            " (LIKE public.governance_countedballots INCLUDING ALL)"
        )
        with owner.cursor() as cursor:
            cursor.executemany("INSERT INTO governance_countedballot VALUES (%s, %s, %s, %s)", rows)
        owner.execute(PACK_EXISTING)
        query = (
            "SELECT chunk, receipt_hashes, contents, voter_ids FROM {} WHERE box_id = %s"
            " ORDER BY chunk"
        )
        migrated = owner.execute(query.format("governance_countedballots"), [motion.box_id])
        migrated = migrated.fetchall()
        written = owner.execute(query.format("public.governance_countedballots"), [motion.box_id])
        assert len(migrated) == 2
        assert migrated == written.fetchall()
    finally:
        owner.rollback()
        owner.close()


def test_columns_of_splits_plaintexts_in_their_order():
    plains = [
        ballot_sealing.plaintext(
            receipt_hash=bytes([n]) * 32, voter_id=1000 + n, content=bytes([n, 255 - n])
        )
        for n in range(5)
    ]
    opened = ballot_sealing.columns_of(plains, content_size=2, secret=False)
    assert opened.receipt_hashes == b"".join(bytes([n]) * 32 for n in range(5))
    assert opened.content_list() == [bytes([n, 255 - n]) for n in range(5)]
    assert opened.voter_ids == [1000 + n for n in range(5)]
    assert len(opened) == 5
    assert ballot_sealing.columns_of(plains, content_size=2, secret=True).voter_ids is None
