"""Someone holding the database tries to re-link secret ballots to voters using the
database's own columns, and fails. Each ballot is cast in its own committed transaction,
as in real use, so transaction ids (xmin/xmax) differ between votes."""

import uuid

import pytest
from django.db import connection

from governance import services
from governance.models import Ballot, Motion

pytestmark = pytest.mark.django_db(transaction=True)

CHOICES = ["yes", "no", "no", "abstain", "yes", "yes", "no", "abstain"]


def rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.fixture
def cast_secret_ballots(make_member, make_motion):
    voters = [make_member() for _ in CHOICES]
    motion = make_motion()
    for voter, choice in zip(voters, CHOICES, strict=True):
        services.ballot_cast(motion_id=motion.pk, voter=voter, choice=choice)
    return motion, voters


def ballot_xmins(motion):
    return {
        row[0]
        for row in rows(
            "SELECT xmin::text FROM governance_ballot WHERE motion_id = %s", [motion.pk]
        )
    }


def test_a_ballot_holds_nothing_that_names_or_dates_its_voter(cast_secret_ballots):
    motion, _ = cast_secret_ballots
    columns = {f.column for f in Ballot._meta.concrete_fields}
    assert columns == {"id", "motion_id", "choice", "receipt_hash", "voter_id"}
    assert not any(f.get_internal_type().startswith("Date") for f in Ballot._meta.fields)
    ballots = list(Ballot.objects.filter(motion=motion))
    assert all(b.voter_id is None for b in ballots)
    assert all(isinstance(b.id, uuid.UUID) and b.id.version == 4 for b in ballots)


def test_transaction_ids_pair_no_ballot_with_a_voter(cast_secret_ballots):
    motion, voters = cast_secret_ballots
    member_ids = [v.pk for v in voters]
    ballots = ballot_xmins(motion)
    assert len(ballots) == len(CHOICES)  # one transaction per vote
    # Every place that knows a voter: their member and user rows, their roll entry, and
    # the row of who voted. Neither its xmin nor its xmax (row locks write xmax) may equal
    # the transaction that wrote a ballot.
    traces = rows(
        "SELECT xmin::text, xmax::text FROM members_member WHERE id = ANY(%s)"
        " UNION ALL SELECT xmin::text, xmax::text FROM members_user"
        "   WHERE id IN (SELECT user_id FROM members_member WHERE id = ANY(%s))"
        " UNION ALL SELECT xmin::text, xmax::text FROM governance_rollentry"
        "   WHERE motion_id = %s AND member_id = ANY(%s)",
        [member_ids, member_ids, motion.pk, member_ids],
    )
    for xmin, xmax in traces:
        assert xmin not in ballots
        assert xmax not in ballots


def test_the_voters_row_is_one_row_in_no_telling_order(cast_secret_ballots):
    motion, voters = cast_secret_ballots
    ((voter_ids, xmin),) = rows(
        "SELECT voter_ids, xmin::text FROM governance_motionvoters WHERE motion_id = %s",
        [motion.pk],
    )
    assert voter_ids == sorted(v.pk for v in voters)  # sorted, not the order of voting
    # Its xmin is that of the last vote only: it singles out the last ballot, but the row
    # lists everyone, so it says nothing about who cast that ballot.
    assert xmin in ballot_xmins(motion)


def test_closing_reseals_the_box(cast_secret_ballots):
    motion, _ = cast_secret_ballots
    before = {b.receipt_hash: b.id for b in Ballot.objects.filter(motion=motion)}
    services.motion_close(motion_id=motion.pk)
    after = list(Ballot.objects.filter(motion=motion))
    # One transaction wrote every ballot: xmin no longer orders them by time of voting.
    assert len(ballot_xmins(motion)) == 1
    assert {b.receipt_hash for b in after} == set(before)
    assert not {b.id for b in after} & set(before.values())  # new random ids
    counts = Motion.objects.get(pk=motion.pk)
    assert (counts.yes_count, counts.no_count, counts.abstain_count) == (3, 3, 2)
