"""Elections through the services, from proposal to seating, and every rule tried through
the service and as the application's database role (the role the tests run as)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.scheduling import registered_jobs
from elections import services
from elections.models import Candidacy, Election, ElectionState, SeatOutcome
from governance.models import Seat
from members import services as member_services
from members.models import MembershipState, Status

from .conftest import nominations_end

pytestmark = pytest.mark.django_db


class refused:
    """A ValidationError with this code."""

    def __init__(self, code):
        self.code = code

    def __enter__(self):
        return self

    def __exit__(self, kind, error, _traceback):
        assert kind is ValidationError, f"expected a refusal {self.code}, got {kind}"
        assert error.code == self.code, error
        return True


def database_refuses(guard):
    return pytest.raises(DatabaseError, match=guard)


def sql(statement, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def stand(election, member):
    return services.candidacy_nominate(election_id=election.pk, member_id=member.pk, by=member)


def test_proposal_needs_a_committee_member_and_someone_else_to_confirm(
    make_member, committee_member, nominating_election
):
    today, now = timezone.localdate(), timezone.now()
    fields = dict(
        title="E",
        seats=1,
        term_start=today,
        term_end=today,
        nominations_open_at=now,
        nominations_close_at=now + datetime.timedelta(hours=1),
        opens_at=now + datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(hours=2),
    )
    with refused("not_committee"):
        services.election_propose(by=make_member(), **fields)
    election = services.election_propose(by=committee_member, **fields)
    with refused("self_confirm"):
        services.election_confirm(election_id=election.pk, by=committee_member)
    with refused("not_allowed"):
        services.election_confirm(election_id=election.pk, by=make_member())
    assert Election.objects.get(pk=election.pk).state == ElectionState.PROPOSED
    with database_refuses("election_confirmed_by_someone_else"):
        sql(
            "UPDATE elections_election SET state = 'confirmed', confirmed_by_id = proposed_by_id"
            " WHERE id = %s",
            [election.pk],
        )
    with database_refuses("election_state_moves_forward"):
        sql("UPDATE elections_election SET state = 'published' WHERE id = %s", [election.pk])


def test_standing_needs_eligibility_consent_and_one_nomination(
    make_member, ally, nominating_election
):
    election = nominating_election()
    nominee, nominator = make_member(), make_member()
    with refused("not_eligible"):
        services.candidacy_nominate(election_id=election.pk, member_id=ally.pk, by=nominator)
    # An ally may not nominate anyone either (themselves included).
    with refused("not_sex_worker"):
        stand(election, ally)
    candidacy = services.candidacy_nominate(
        election_id=election.pk, member_id=nominee.pk, by=nominator
    )
    assert candidacy.accepted_at is None
    with refused("already_nominated"):
        stand(election, nominee)
    with refused("unknown_candidacy"):
        services.candidacy_accept(candidacy_id=candidacy.pk, by=nominator)
    services.candidacy_accept(candidacy_id=candidacy.pk, by=nominee, statement="Hello")
    with refused("already_accepted"):
        services.candidacy_accept(candidacy_id=candidacy.pk, by=nominee)
    assert Candidacy.objects.filter(election=election).count() == 1
    # The database refuses an ally, a second nomination and a ballot place without consent.
    insert = (
        "INSERT INTO elections_candidacy (election_id, member_id, nominated_by_id, statement,"
        " nominated_at, elected, seat_outcome) VALUES (%s, %s, %s, '', now(), false, '')"
    )
    with database_refuses("candidate_must_be_eligible"):
        sql(insert, [election.pk, ally.pk, nominator.pk])
    with database_refuses("candidacy_one_per_member"):
        sql(insert, [election.pk, nominee.pk, nominator.pk])
    unaccepted = services.candidacy_nominate(
        election_id=election.pk, member_id=nominator.pk, by=nominee
    )
    with database_refuses("candidacy_on_the_ballot_only_with_consent"):
        sql("UPDATE elections_candidacy SET ballot_number = 5 WHERE id = %s", [unaccepted.pk])


def test_nominations_only_in_their_window(make_member, nominating_election):
    election = nominations_end(nominating_election())
    member = make_member()
    with refused("nominations_closed"):
        stand(election, member)
    with database_refuses("nomination_in_its_window"):
        sql(
            "INSERT INTO elections_candidacy (election_id, member_id, nominated_by_id,"
            " statement, nominated_at, elected, seat_outcome)"
            " VALUES (%s, %s, %s, '', now(), false, '')",
            [election.pk, member.pk, member.pk],
        )


def _rank(election, *members):
    ids = dict(Candidacy.objects.filter(election=election).values_list("member_id", "pk"))
    return {ids[m.pk]: rank for rank, m in enumerate(members, start=1)}


def test_an_election_from_nomination_to_seating_with_an_ineligible_winner_skipped(
    make_member, coordinator_member, nominating_election
):
    election = nominating_election(seats=2)
    ann, bea, cy, dee = (make_member(pseudonym=n) for n in ("Ann", "Bea", "Cy", "Dee"))
    make_member(status=Status.ALLY)  # not on the roll
    make_member()
    for member in (ann, bea, cy):
        stand(election, member)
    # Nominated by someone else and never accepted: not on the ballot.
    services.candidacy_nominate(election_id=election.pk, member_id=dee.pk, by=ann)
    with refused("nominations_open"):
        services.voting_open(election_id=election.pk)
    election = services.voting_open(election_id=nominations_end(election).pk)
    assert election.box.content_size == 3 and election.box.secret
    assert Candidacy.objects.get(member=dee).ballot_number is None

    ballots = [(ann, bea), (ann, cy), (ann, bea), (bea,), (cy, bea), (cy, ann), (bea, ann)]
    # The roll frozen at the opening: every active sex-worker member, the candidates too.
    electorate = _roll_members(election)
    assert {ann.pk, bea.pk, cy.pk, dee.pk} <= {m.pk for m in electorate}
    assert len(electorate) == len(ballots)
    receipts = []
    for voter, ranking in zip(electorate, ballots, strict=True):
        receipts.append(
            services.ballot_cast(
                election_id=election.pk, voter=voter, ranks=_rank(election, *ranking)
            )
        )
    assert len(set(receipts)) == len(receipts)
    with refused("already_voted"):
        services.ballot_cast(election_id=election.pk, voter=ann, ranks=_rank(election, ann))

    election = services.election_close(election_id=election.pk)
    assert election.state == ElectionState.COUNTED
    assert election.result["valid_ballots"] == len(receipts)
    ranked = list(
        Candidacy.objects.filter(election=election, count_rank__isnull=False)
        .order_by("count_rank")
        .values_list("member__pseudonym", "elected")
    )
    # Ann has 3 first preferences of 7 (quota 3): elected at once; Bea and Cy then.
    assert ranked[0] == ("Ann", True)
    assert {name for name, elected in ranked if elected} == {"Ann", ranked[1][0]}
    runner_up = ranked[2][0]

    services.election_publish(election_id=election.pk, by=coordinator_member)
    # Ann is suspended before the term starts: she is skipped, the runner-up seated.
    member_services.membership_state_set(
        member_id=ann.pk, state=MembershipState.SUSPENDED, by=coordinator_member, reason="x"
    )
    assert "elections_seat_due" in registered_jobs()
    assert services.elections_seat_due(today=election.term_start) == 1
    outcomes = dict(
        Candidacy.objects.filter(election=election).values_list("member__pseudonym", "seat_outcome")
    )
    assert outcomes["Ann"] == SeatOutcome.SKIPPED
    assert outcomes[ranked[1][0]] == outcomes[runner_up] == SeatOutcome.SEATED
    seated = set(
        Seat.objects.filter(term_start=election.term_start).values_list(
            "member__pseudonym", flat=True
        )
    )
    assert {ranked[1][0], runner_up} <= seated and "Ann" not in seated
    assert Election.objects.get(pk=election.pk).state == ElectionState.SEATED
    assert services.elections_seat_due(today=election.term_start) == 0


def _roll_members(election):
    from governance.models import RollEntry
    from members.models import Member

    return list(
        Member.objects.filter(
            pk__in=RollEntry.objects.filter(box=election.box).values("member_id")
        ).order_by("pk")
    )


@pytest.mark.parametrize(
    ("ranks", "code"),
    [
        ("empty", "empty"),
        ("repeat", "repeat"),
        ("gap", "gap"),
        ("unknown", "unknown"),
    ],
)
def test_a_ranking_with_repeats_gaps_or_strangers_is_refused(
    make_member, nominating_election, ranks, code
):
    election = nominating_election(seats=1)
    ann, bea = make_member(), make_member()
    stand(election, ann)
    stand(election, bea)
    election = services.voting_open(election_id=nominations_end(election).pk)
    a, b = Candidacy.objects.filter(election=election).order_by("pk").values_list("pk", flat=True)
    ranks = {
        "empty": {a: None, b: None},
        "repeat": {a: 1, b: 1},
        "gap": {a: 1, b: 3},
        "unknown": {a: 1, 999999: 2},
    }[ranks]
    with refused(code):
        services.ballot_cast(election_id=election.pk, voter=ann, ranks=ranks)
    # Nothing was cast: the voter can still vote.
    services.ballot_cast(election_id=election.pk, voter=ann, ranks={a: 1, b: 2})


def test_allies_do_not_vote_and_no_vote_outside_the_window(make_member, ally, nominating_election):
    election = nominating_election(seats=1)
    ann = make_member()
    candidacy = stand(election, ann)
    with refused("not_open"):
        services.ballot_cast(election_id=election.pk, voter=ann, ranks={candidacy.pk: 1})
    election = services.voting_open(election_id=nominations_end(election).pk)
    with pytest.raises(ValidationError):
        services.ballot_cast(election_id=election.pk, voter=ally, ranks={candidacy.pk: 1})
    services.election_close(election_id=election.pk)
    with refused("not_open"):
        services.ballot_cast(election_id=election.pk, voter=ann, ranks={candidacy.pk: 1})


def test_a_tie_is_broken_by_the_published_lot(make_member, nominating_election):
    election = nominating_election(seats=1)
    ann, bea = make_member(), make_member()
    stand(election, ann)
    stand(election, bea)
    election = services.voting_open(election_id=nominations_end(election).pk)
    services.ballot_cast(election_id=election.pk, voter=ann, ranks=_rank(election, ann))
    services.ballot_cast(election_id=election.pk, voter=bea, ranks=_rank(election, bea))
    election = services.election_close(election_id=election.pk)
    ids = sorted(Candidacy.objects.filter(election=election).values_list("pk", flat=True))
    loser = services.lot_order(election.pk, ids)[0]
    assert election.result["stages"][-1]["tie_break"] == "lot"
    assert election.result["stages"][-1]["candidate"] == loser
    assert not Candidacy.objects.get(pk=loser).elected
    assert Candidacy.objects.get(pk=(set(ids) - {loser}).pop()).elected


def test_the_database_refuses_a_box_not_made_for_the_election(
    make_member, make_motion, nominating_election
):
    election = nominating_election(seats=1)
    stand(election, make_member())
    election = nominations_end(election)
    motion = make_motion()
    with database_refuses("election_opens_with_its_own_box"):
        sql(
            "UPDATE elections_election SET state = 'voting', box_id = %s WHERE id = %s",
            [motion.box_id, election.pk],
        )


def test_the_ballot_and_the_record_are_frozen_once_voting_opens(make_member, nominating_election):
    election = nominating_election(seats=1)
    candidacy = stand(election, make_member())
    election = services.voting_open(election_id=nominations_end(election).pk)
    with database_refuses("candidacy_frozen_once_voting"):
        sql("UPDATE elections_candidacy SET statement = 'changed' WHERE id = %s", [candidacy.pk])
    with database_refuses("candidacy_frozen_once_voting"):
        sql("DELETE FROM elections_candidacy WHERE id = %s", [candidacy.pk])
    with database_refuses("election_deleted_only_as_proposed"):
        sql("DELETE FROM elections_election WHERE id = %s", [election.pk])
    with refused("not_confirmed"):
        services.voting_open(election_id=election.pk)


def test_a_confirmed_election_and_its_count_cannot_be_rewritten(make_member, nominating_election):
    election = nominating_election(seats=1)
    candidacy = stand(election, make_member())
    with database_refuses("election_frozen_once_confirmed"):
        sql("UPDATE elections_election SET seats = 5 WHERE id = %s", [election.pk])
    election = services.voting_open(election_id=nominations_end(election).pk)
    with database_refuses("election_frozen_once_confirmed"):
        sql(
            "UPDATE elections_election SET closes_at = closes_at + interval '1 day' WHERE id = %s",
            [election.pk],
        )
    services.election_close(election_id=election.pk)
    with database_refuses("election_frozen_once_confirmed"):
        sql("UPDATE elections_election SET result = '{}' WHERE id = %s", [election.pk])
    with database_refuses("candidacy_frozen_once_voting"):
        sql("UPDATE elections_candidacy SET elected = NOT elected WHERE id = %s", [candidacy.pk])


def test_the_scheduler_opens_and_closes_the_vote(make_member, nominating_election):
    election = nominating_election(seats=1)
    ann = make_member()
    stand(election, ann)
    assert services.elections_open_due() == 0  # nominations still open
    election = nominations_end(election)
    assert {"elections_open_due", "elections_close_due"} <= set(registered_jobs())
    assert services.elections_open_due() == 1
    assert Election.objects.get(pk=election.pk).state == ElectionState.VOTING
    assert services.elections_close_due() == 0  # the window has not ended
    later = election.closes_at + datetime.timedelta(seconds=1)
    assert services.elections_close_due(now=later) == 1
    assert Election.objects.get(pk=election.pk).state == ElectionState.COUNTED


def test_losing_the_rights_ends_a_candidacy_while_nominations_run(
    make_member, coordinator_member, nominating_election
):
    election = nominating_election(seats=1)
    ann, bea = make_member(), make_member()
    stand(election, ann)
    services.candidacy_nominate(election_id=election.pk, member_id=bea.pk, by=ann)
    member_services.membership_state_set(
        member_id=ann.pk, state=MembershipState.SUSPENDED, by=coordinator_member, reason="x"
    )
    assert not Candidacy.objects.filter(election=election, member=ann).exists()
    # A nomination Ann made stays: it is Bea's to accept.
    assert Candidacy.objects.filter(election=election, member=bea).exists()


def test_an_election_for_a_named_position_fills_one_seat(
    make_member, committee_member, coordinator_member
):
    now, today = timezone.now(), timezone.localdate()
    fields = dict(
        by=committee_member,
        title="Chair",
        position="chair",
        term_start=today,
        term_end=today + datetime.timedelta(days=365),
        nominations_open_at=now - datetime.timedelta(hours=1),
        nominations_close_at=now + datetime.timedelta(hours=1),
        opens_at=now + datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(hours=2),
    )
    with refused("position_seats"):
        services.election_propose(seats=2, **fields)
    election = services.election_propose(seats=1, **fields)
    with database_refuses("election_named_position_has_one_seat"):
        sql("UPDATE elections_election SET seats = 2 WHERE id = %s", [election.pk])
    election = services.election_confirm(election_id=election.pk, by=coordinator_member)
    ann = make_member()
    stand(election, ann)
    election = services.voting_open(election_id=nominations_end(election).pk)
    services.ballot_cast(election_id=election.pk, voter=ann, ranks=_rank(election, ann))
    services.election_close(election_id=election.pk)
    services.election_publish(election_id=election.pk, by=coordinator_member)
    services.election_seat(election_id=election.pk)
    assert Seat.objects.get(member=ann).position == "chair"


def test_a_sitting_member_re_elected_moves_to_the_new_term(
    committee_member, coordinator_member, nominating_election
):
    election = nominating_election(seats=1)
    stand(election, committee_member)
    election = services.voting_open(election_id=nominations_end(election).pk)
    services.ballot_cast(
        election_id=election.pk, voter=committee_member, ranks=_rank(election, committee_member)
    )
    services.election_close(election_id=election.pk)
    services.election_publish(election_id=election.pk, by=coordinator_member)
    services.election_seat(election_id=election.pk)
    seats = Seat.objects.filter(member=committee_member).order_by("pk")
    old, new = seats
    assert old.ended_on is not None and old.end_reason == "Re-elected for a new term."
    assert (new.ended_on, new.term_start) == (None, election.term_start)
    assert Candidacy.objects.get(member=committee_member).seat_outcome == SeatOutcome.SEATED
