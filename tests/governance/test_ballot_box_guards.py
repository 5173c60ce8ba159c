"""Every way around the ballot box's guards, tried as the application's own database role
(the role the test suite runs as: tests/database.py), and refused with a named error.

A client of that role can set any session setting, write raw SQL and call the box's
functions directly; it cannot lift a guard, write the voting tables, truncate or disable
anything.
"""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.database_roles import app_role_name
from governance import ballot_sealing, services
from governance.models import (
    ActKind,
    AssignmentState,
    BallotBox,
    BallotKind,
    Motion,
    MotionState,
    Position,
    Seat,
    SpokespersonAssignment,
    counted_ballots,
)
from governance.models.ballot_box import MAX_CONTENT_SIZE
from tests import agreements

pytestmark = pytest.mark.django_db


def refused(name):
    return pytest.raises(DatabaseError, match=name)


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def test_the_suite_runs_as_a_role_that_owns_nothing():
    ((user, superuser),) = sql(
        "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
    )
    assert user == app_role_name() and not superuser
    assert sql("SELECT count(*) FROM pg_tables WHERE tableowner = current_user") == [(0,)]
    owned_functions = "SELECT count(*) FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner"
    assert sql(owned_functions + " WHERE r.rolname = current_user") == [(0,)]


def every_trigger_name():
    return [row[0] for row in sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")]


def ignore_everything():
    """pgtrigger's escape hatch, set for every trigger there is (by its installed name and
    by pgtrigger's label)."""
    names = every_trigger_name() + [
        f"{model._meta.label}:{trigger.name}"
        for model in (Seat, SpokespersonAssignment, Motion, BallotBox)
        for trigger in model._meta.triggers
    ]
    sql("SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + ",".join(names) + "}"])


def test_no_guard_can_be_ignored(make_member, ally, make_motion, propose_spokesperson):
    sex_worker = make_member()
    motion = make_motion()
    today = timezone.localdate()
    attempts = [
        (
            "seat_holder_must_be_active_sex_worker",
            lambda: Seat.objects.create(
                member=ally, position=Position.MEMBER, term_start=today, term_end=today
            ),
        ),
        (
            "spokesperson_must_be_active_sex_worker",
            lambda: SpokespersonAssignment.objects.filter(
                pk=propose_spokesperson(sex_worker).pk
            ).update(member=ally, state=AssignmentState.APPROVED),
        ),
        (
            "motion_frozen_once_open",
            lambda: Motion.objects.filter(pk=motion.pk).update(title_en="Other"),
        ),
        (
            "voter_must_be_eligible",
            lambda: sql("SELECT ballot_box_cast(%s, %s, %s)", [motion.box_id, ally.pk, b"x" * 101]),
        ),
    ]
    for guard, attempt in attempts:
        with refused(guard), transaction.atomic():
            ignore_everything()
            attempt()


def test_the_application_role_cannot_write_the_voting_tables(sex_worker, make_motion):
    motion = make_motion()
    services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice="yes")
    box = motion.box_id
    for statement, params in [
        ("INSERT INTO governance_voter (box_id, member_id) VALUES (%s, %s)", [box, sex_worker.pk]),
        ("DELETE FROM governance_voter WHERE box_id = %s", [box]),
        ("DELETE FROM governance_sealedballot WHERE box_id = %s", [box]),
        (
            "INSERT INTO governance_sealedballot (id, box_id, sealed)"
            " VALUES (gen_random_uuid(), %s, '\\x00')",
            [box],
        ),
        ("UPDATE governance_sealedballot SET sealed = sealed WHERE box_id = %s", [box]),
        (
            "INSERT INTO governance_countedballots (box_id, chunk, receipt_hashes, contents)"
            " VALUES (%s, 9, '\\x00', '\\x01')",
            [box],
        ),
        (
            "INSERT INTO governance_rollentry (box_id, member_id) VALUES (%s, %s)",
            [box, sex_worker.pk],
        ),
        ("UPDATE governance_ballotbox SET roll_size = 0 WHERE id = %s", [box]),
        ("UPDATE governance_ballotbox SET state = 'closed' WHERE id = %s", [box]),
        ("SELECT 1 FROM governance_ballotbox WHERE id = %s FOR UPDATE", [box]),
    ]:
        with refused("permission denied"), transaction.atomic():
            sql(statement, params)


@pytest.mark.parametrize(
    "table",
    [
        "governance_voter",
        "governance_sealedballot",
        "governance_countedballots",
        "governance_rollentry",
        "governance_ballotbox",
        "governance_motion",
        "members_member",
        "audit_auditevent",
    ],
)
def test_nothing_can_be_truncated(table):
    with refused("permission denied"), transaction.atomic():
        sql(f"TRUNCATE {table} CASCADE")


def test_no_trigger_can_be_switched_off():
    ((voters_are_final,),) = sql(
        "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'pgtrigger_voters_are_final_%%'"
    )
    for statement, error in [
        ("ALTER TABLE governance_voter DISABLE TRIGGER ALL", "must be owner"),
        ("ALTER TABLE members_member DISABLE TRIGGER USER", "must be owner"),
        ("SET session_replication_role = replica", "permission denied"),
        ("DROP TRIGGER {voters_are_final} ON governance_voter", "must be owner"),
        (
            "CREATE OR REPLACE FUNCTION ballot_box_lock(p_box bigint) RETURNS void"
            " LANGUAGE sql AS 'SELECT NULL'",
            "permission denied",
        ),
    ]:
        with refused(error), transaction.atomic():
            sql(statement.format(voters_are_final=voters_are_final))


def test_the_draft_roll_path_is_closed(make_member, ally, make_motion):
    """A roll written for a draft (with an ally on it), a voter recorded, the motion moved
    to open: each step is refused."""
    draft = make_motion(open=False)
    agreements.agreed(ActKind.MOTION_OPEN, draft.pk)  # a second person agreed: the box decides
    worker = make_member()
    keys = ballot_sealing.box_keys_new()
    # A box made by hand with other rules than the draft's cannot be attached to it.
    ((box_id,),) = sql(
        "SELECT ballot_box_open(%s, %s, false, %s, %s, 1, false, %s)",
        [keys.public_key, keys.roll_salt, draft.opens_at, draft.closes_at, timezone.localdate()],
    )
    with refused("motion_opens_with_its_own_box"), transaction.atomic():
        Motion.objects.filter(pk=draft.pk).update(box_id=box_id, state=MotionState.OPEN)
    with refused("motion_opens_with_its_own_box"), transaction.atomic():
        Motion.objects.filter(pk=draft.pk).update(state=MotionState.OPEN)
    # The roll the box froze has no ally on it, and cannot be added to.
    on_roll = {
        row[0]
        for row in sql("SELECT member_id FROM governance_rollentry WHERE box_id = %s", [box_id])
    }
    assert worker.pk in on_roll and ally.pk not in on_roll
    with refused("permission denied"), transaction.atomic():
        sql("INSERT INTO governance_rollentry VALUES (%s, %s)", [box_id, ally.pk])
    with refused("voter_must_be_on_the_roll|voter_must_be_eligible"), transaction.atomic():
        sql("SELECT ballot_box_cast(%s, %s, %s)", [box_id, ally.pk, b"x" * 101])


def test_an_ally_or_a_late_member_cannot_be_recorded_as_a_voter(make_member, ally, make_motion):
    motion = make_motion()
    late = make_member()
    sealed = b"x" * (1 + 100)
    with refused("voter_must_be_eligible"), transaction.atomic():
        sql("SELECT ballot_box_cast(%s, %s, %s)", [motion.box_id, ally.pk, sealed])
    with refused("voter_must_be_on_the_roll"), transaction.atomic():
        sql("SELECT ballot_box_cast(%s, %s, %s)", [motion.box_id, late.pk, sealed])


def test_a_sealed_ballot_has_the_size_of_its_box(sex_worker, make_motion):
    motion = make_motion()
    with refused("sealed_ballot_has_the_box_size"), transaction.atomic():
        sql("SELECT ballot_box_cast(%s, %s, %s)", [motion.box_id, sex_worker.pk, b"x" * 102])


def test_one_vote_per_voter_even_around_the_services(sex_worker, make_motion):
    motion = make_motion()
    services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice="no")
    with refused("voter_votes_once"), transaction.atomic():
        sql("SELECT ballot_box_cast(%s, %s, %s)", [motion.box_id, sex_worker.pk, b"x" * 101])


def test_no_vote_outside_the_window_or_after_the_close(sex_worker, make_motion):
    motion = make_motion(
        opens_at=timezone.now() + datetime.timedelta(hours=1),
        closes_at=timezone.now() + datetime.timedelta(hours=2),
    )
    with refused("ballot_box_must_be_open"), transaction.atomic():
        sql("SELECT ballot_box_cast(%s, %s, %s)", [motion.box_id, sex_worker.pk, b"x" * 101])
    other = make_motion()
    agreements.motion_close(motion_id=other.pk)
    with refused("ballot_box_must_be_open"), transaction.atomic():
        sql("SELECT ballot_box_cast(%s, %s, %s)", [other.box_id, sex_worker.pk, b"x" * 101])


def test_a_closed_result_never_changes(make_member, make_motion):
    voters = [make_member() for _ in range(3)]
    motion = make_motion()
    for voter in voters:
        services.ballot_cast(motion_id=motion.pk, voter=voter, choice="yes")
    agreements.motion_close(motion_id=motion.pk)
    for change in ({"yes_count": 0}, {"no_count": 3}, {"outcome": "rejected"}):
        with refused("motion_results_frozen"), transaction.atomic():
            Motion.objects.filter(pk=motion.pk).update(**change)
    agreements.motion_publish(motion_id=motion.pk, by=None)
    with refused("motion_results_frozen"), transaction.atomic():
        Motion.objects.filter(pk=motion.pk).update(yes_count=1)
    with refused("motion_state_moves_forward"), transaction.atomic():
        Motion.objects.filter(pk=motion.pk).update(state=MotionState.OPEN)


def test_a_motion_closes_only_with_the_count_of_its_closed_box(make_member, make_motion):
    voter = make_member()
    motion = make_motion()
    services.ballot_cast(motion_id=motion.pk, voter=voter, choice="yes")
    agreements.agreed(ActKind.MOTION_CLOSE, motion.pk)  # a second person agreed to close
    with refused("motion_results_match_its_ballots"), transaction.atomic():
        Motion.objects.filter(pk=motion.pk).update(
            state=MotionState.CLOSED, yes_count=0, no_count=5, abstain_count=0, outcome="rejected"
        )


CLOSE = "SELECT ballot_box_close(%s, %s, %s, %s, %s::bigint[])"


def two_votes_cast(make_member, make_motion, **motion_fields):
    """Two members' ballots in a fresh motion: (voters, motion, box, the box's roll salt,
    which only the key file holds and the close function needs)."""
    voters = [make_member() for _ in range(2)]
    motion = make_motion(**motion_fields)
    for voter in voters:
        services.ballot_cast(motion_id=motion.pk, voter=voter, choice="no")
    box = motion.box
    _private, salt = ballot_sealing.key_load(box.pk, bytes(box.public_key))
    return voters, motion, box, salt


def test_the_close_function_counts_every_ballot_and_only_with_the_salt(make_member, make_motion):
    voters, motion, box, salt = two_votes_cast(make_member, make_motion)

    def receipts_of(n):
        return b"".join(bytes([i]) * 32 for i in range(n))

    with refused("ballot_box_counts_every_ballot"), transaction.atomic():
        sql(CLOSE, [box.pk, salt, receipts_of(3), b"\x02" * 3, None])  # one too many
    with refused("ballot_box_counts_every_ballot"), transaction.atomic():
        sql(CLOSE, [box.pk, salt, receipts_of(1), b"\x02", None])
    with refused("ballot_box_counts_every_ballot"), transaction.atomic():
        sql(CLOSE, [box.pk, salt, receipts_of(2), b"\x02" * 3, None])
    with refused("ballot_box_counts_every_ballot"), transaction.atomic():
        sql(CLOSE, [box.pk, salt, receipts_of(2) + b"\x00", b"\x02" * 2, None])
    with refused("ballot_box_close_needs_the_roll_salt"), transaction.atomic():
        sql(CLOSE, [box.pk, b"0" * 32, receipts_of(2), b"\x02" * 2, None])
    with refused("ballot_box_counts_every_ballot"), transaction.atomic():
        sql(CLOSE, [box.pk, salt, receipts_of(2), b"\x02" * 2, [voters[0].pk, voters[1].pk]])


def test_a_roll_call_close_names_exactly_the_recorded_voters(make_member, make_motion):
    voters, motion, box, salt = two_votes_cast(
        make_member, make_motion, ballot_kind=BallotKind.ROLL_CALL
    )
    stranger = make_member()
    hashes = b"\x01" * 32 + b"\x02" * 32
    a, b = voters[0].pk, voters[1].pk
    for named in (None, [a], [a, a], [a, stranger.pk], [a, b, stranger.pk]):
        with refused("ballot_box_counts_every_ballot"), transaction.atomic():
            sql(CLOSE, [box.pk, salt, hashes, b"\x02\x02", named])
    sql(CLOSE, [box.pk, salt, hashes, b"\x02\x02", [b, a]])
    assert {(c.voter_id, c.content) for c in counted_ballots(box.pk)} == {
        (a, b"\x02"),
        (b, b"\x02"),
    }


def test_a_motion_closes_only_on_ballots_that_are_choices(make_member, make_motion):
    """Counted contents that are not a choice cannot be turned into any result: the
    guard's count of the packed contents is exact only on choice bytes, so it refuses
    anything else."""
    voters, motion, box, salt = two_votes_cast(make_member, make_motion)
    # 0x10 0x13 reads as "1013" in hex: a count of "01" not aligned to bytes would find a
    # yes in it.
    sql(
        "SELECT ballot_box_close(%s, %s, %s, %s, NULL)",
        [box.pk, salt, b"\x01" * 32 + b"\x02" * 32, b"\x10\x13"],
    )
    agreements.agreed(ActKind.MOTION_CLOSE, motion.pk)
    for yes, no, abstain in ((0, 0, 0), (1, 0, 0), (2, 0, 0)):
        with refused("motion_results_match_its_ballots"), transaction.atomic():
            Motion.objects.filter(pk=motion.pk).update(
                state=MotionState.CLOSED,
                yes_count=yes,
                no_count=no,
                abstain_count=abstain,
                outcome="rejected",
            )


@pytest.mark.django_db(transaction=True)
def test_the_owner_too_is_refused_by_the_guards(sex_worker, make_motion):
    """The guards bind the tables' owner as well (only disabling them, which only the owner
    may, lifts them)."""
    from core.database_roles import credentials
    from tests import database

    motion, still_open = make_motion(), make_motion()
    services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice="yes")
    services.ballot_cast(motion_id=still_open.pk, voter=sex_worker, choice="no")
    agreements.motion_close(motion_id=motion.pk)
    owner = database.psycopg.connect(**database.conninfo(credentials("owner")))
    try:
        for statement, guard in [
            ("DELETE FROM governance_sealedballot", "sealed_ballots_deleted_only_by_the_close"),
            ("UPDATE governance_sealedballot SET sealed = sealed", "sealed_ballots_are_final"),
            (
                "UPDATE governance_countedballots SET contents = '\\x02'",
                "counted_ballots_are_final",
            ),
            ("DELETE FROM governance_voter", "voters_are_final"),
            ("DELETE FROM governance_rollentry", "roll_frozen_once_open"),
            (
                "UPDATE governance_ballotbox SET roll_size = 99",
                "ballot_box_changes_only_by_closing",
            ),
            ("DELETE FROM audit_auditevent", "audit_event_append_only"),
            ("TRUNCATE audit_auditevent", "audit_event_no_truncate"),
        ]:
            with pytest.raises(database.psycopg.Error, match=guard):
                owner.execute(statement)
            owner.rollback()
    finally:
        owner.close()


def test_a_box_whose_ballots_would_not_fit_a_pack_does_not_open():
    """Counted ballots are packed into rows that never leave their page: a box whose
    ballots could not be written there would open, take votes and never close."""
    now = timezone.now()
    opening = "SELECT ballot_box_open(%s, %s, true, %s, %s, %s, false, %s)"
    window = [now, now + datetime.timedelta(hours=1)]
    with refused("ballot_box_content_fits_a_pack"), transaction.atomic():
        sql(opening, [b"k" * 32, b"s" * 32, *window, MAX_CONTENT_SIZE + 1, now.date()])
    sql(opening, [b"k" * 32, b"s" * 32, *window, MAX_CONTENT_SIZE, now.date()])
