import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from governance import receipts, services
from governance.models import (
    Ballot,
    BallotKind,
    Choice,
    Electorate,
    Motion,
    MotionState,
    MotionVoters,
    Outcome,
    RollEntry,
)
from members import services as member_services
from members.models import MembershipState, Status


def roll_of(motion):
    return set(RollEntry.objects.filter(motion=motion).values_list("member_id", flat=True))


def test_opening_freezes_the_roll_of_eligible_members(make_member, make_motion):
    worker, other_worker = make_member(), make_member()
    ally = make_member(status=Status.ALLY)
    suspended = make_member(state=MembershipState.SUSPENDED)
    applicant = make_member(state=MembershipState.APPLIED)
    motion = make_motion()
    assert roll_of(motion) == {worker.pk, other_worker.pk}
    assert not roll_of(motion) & {ally.pk, suspended.pk, applicant.pk}
    assert motion.roll_size == 2
    assert len(motion.roll_digest) == 64
    assert motion.state == MotionState.OPEN

    late = make_member()  # joins after the opening: not on this motion's roll
    with pytest.raises(ValidationError) as excinfo:
        services.ballot_cast(motion_id=motion.pk, voter=late, choice=Choice.YES)
    assert excinfo.value.code == "not_on_roll"


def test_committee_only_electorate(make_member, committee_member, make_motion):
    make_member()
    motion = make_motion(electorate=Electorate.STEERING_COMMITTEE)
    assert roll_of(motion) == {committee_member.pk}


def test_opening_needs_every_translation_unless_fallback_allowed(make_motion):
    draft = make_motion(open=False, languages=("en", "sv"))
    with pytest.raises(ValidationError) as excinfo:
        services.motion_open(motion_id=draft.pk, by=None)
    assert excinfo.value.code == "translations_missing"
    assert "nb" in excinfo.value.messages[0]
    Motion.objects.filter(pk=draft.pk).update(allow_language_fallback=True)
    assert services.motion_open(motion_id=draft.pk, by=None).state == MotionState.OPEN


def test_opening_twice_is_refused(make_motion):
    motion = make_motion()
    with pytest.raises(ValidationError) as excinfo:
        services.motion_open(motion_id=motion.pk, by=None)
    assert excinfo.value.code == "not_draft"


def test_cast_gives_a_receipt_and_one_ballot_only(sex_worker, make_motion):
    motion = make_motion()
    code = services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice=Choice.YES)
    assert len(receipts.normalise(code)) == 12
    ballot = Ballot.objects.get(motion=motion)
    assert ballot.receipt_hash == receipts.code_hash(code)
    assert ballot.voter is None  # secret by default
    with pytest.raises(ValidationError) as excinfo:
        services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice=Choice.NO)
    assert excinfo.value.code == "already_voted"
    assert Ballot.objects.filter(motion=motion).count() == 1


def test_ally_cannot_vote(ally, sex_worker, make_motion):
    motion = make_motion()
    with pytest.raises(ValidationError) as excinfo:
        services.ballot_cast(motion_id=motion.pk, voter=ally, choice=Choice.YES)
    assert excinfo.value.code == "not_sex_worker"
    assert not Ballot.objects.exists()


def test_member_who_becomes_ineligible_during_the_vote_cannot_vote(
    sex_worker, coordinator, make_motion
):
    motion = make_motion()
    change = member_services.status_change_request(member=sex_worker, to_status="ally", reason="")
    member_services.status_change_approve(request_id=change.pk, by=coordinator)
    sex_worker.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice=Choice.YES)
    assert excinfo.value.code == "not_sex_worker"


def test_suspended_during_the_vote_cannot_vote(sex_worker, coordinator, make_motion):
    motion = make_motion()
    member_services.membership_state_set(
        member_id=sex_worker.pk, state="suspended", by=coordinator, reason=""
    )
    with pytest.raises(ValidationError) as excinfo:
        services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice=Choice.YES)
    assert excinfo.value.code == "membership_not_active"


@pytest.mark.parametrize("choice", ["maybe", "", "YES"])
def test_unknown_choice_is_refused(sex_worker, make_motion, choice):
    motion = make_motion()
    with pytest.raises(ValidationError) as excinfo:
        services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice=choice)
    assert excinfo.value.code == "invalid_choice"


def test_no_voting_on_drafts_closed_or_expired_motions(sex_worker, make_motion):
    draft = make_motion(open=False)
    closed = make_motion()
    services.motion_close(motion_id=closed.pk)
    for motion in (draft, closed):
        with pytest.raises(ValidationError) as excinfo:
            services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice=Choice.YES)
        assert excinfo.value.code == "motion_not_open"
    expired = make_motion(closes_at=timezone.now() + datetime.timedelta(seconds=1))
    time.sleep(1.1)
    # The window is over even though nobody has closed it yet: the vote is refused, so the
    # tally is the same whenever the close runs.
    with pytest.raises(ValidationError) as excinfo:
        services.ballot_cast(motion_id=expired.pk, voter=sex_worker, choice=Choice.YES)
    assert excinfo.value.code == "motion_not_open"
    assert not Ballot.objects.exists()


def test_close_counts_and_applies_the_rules(make_member, make_motion):
    voters = [make_member() for _ in range(5)]
    motion = make_motion(majority="two_thirds", quorum_percent=60)
    for voter, choice in zip(voters, ["yes", "yes", "no", "abstain"], strict=False):
        services.ballot_cast(motion_id=motion.pk, voter=voter, choice=choice)
    closed = services.motion_close(motion_id=motion.pk)
    assert (closed.yes_count, closed.no_count, closed.abstain_count) == (2, 1, 1)
    assert closed.outcome == Outcome.ADOPTED  # exactly two-thirds; 4 of 5 = 80% turnout
    assert closed.state == MotionState.CLOSED
    published = services.motion_publish(motion_id=motion.pk, by=None)
    assert published.state == MotionState.PUBLISHED


def test_close_keeps_every_receipt(make_member, make_motion):
    voters = [make_member() for _ in range(3)]
    motion = make_motion()
    codes = [services.ballot_cast(motion_id=motion.pk, voter=v, choice="no") for v in voters]
    services.motion_close(motion_id=motion.pk)
    assert all(services.receipt_is_counted(motion_id=motion.pk, code=c) for c in codes)
    assert not services.receipt_is_counted(motion_id=motion.pk, code="AAAA-BBBB-CCCC")


def test_receipts_are_not_checkable_while_open(sex_worker, make_motion):
    motion = make_motion()
    code = services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice="yes")
    assert not services.receipt_is_counted(motion_id=motion.pk, code=code)


def test_due_motions_close_without_anyone_pressing_a_button(sex_worker, make_motion):
    motion = make_motion(closes_at=timezone.now() + datetime.timedelta(seconds=1))
    services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice="yes")
    time.sleep(1.1)
    assert services.motions_close_due() == 1
    assert services.motions_close_due() == 0
    motion.refresh_from_db()
    assert motion.state == MotionState.CLOSED
    assert motion.yes_count == 1


def test_roll_call_ballots_name_the_voter(sex_worker, make_motion):
    motion = make_motion(ballot_kind=BallotKind.ROLL_CALL)
    services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice="abstain")
    assert Ballot.objects.get(motion=motion).voter == sex_worker


# Database guards, tried around the services ------------------------------------------


def guard(name):
    return pytest.raises(IntegrityError, match=name)


def test_open_motion_text_cannot_change(make_motion):
    motion = make_motion()
    for change in ({"title_sv": "Annat"}, {"quorum_percent": 90}, {"majority": "absolute"}):
        with guard("motion_frozen_once_open"), transaction.atomic():
            Motion.objects.filter(pk=motion.pk).update(**change)


def test_motion_state_only_moves_forward(make_motion):
    motion = make_motion()
    with guard("motion_state_moves_forward"), transaction.atomic():
        Motion.objects.filter(pk=motion.pk).update(state="draft")
    with guard("motion_state_moves_forward"), transaction.atomic():
        Motion.objects.filter(pk=motion.pk).update(state="published")


def test_open_motion_cannot_be_deleted(make_motion):
    motion = make_motion()
    with guard("motion_deleted_only_as_draft|voters_are_never_deleted"), transaction.atomic():
        Motion.objects.filter(pk=motion.pk).delete()
    with guard("motion_deleted_only_as_draft"), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM governance_motion WHERE id = %s", [motion.pk])


def test_roll_cannot_change_once_open(make_motion, make_member):
    motion = make_motion()
    late = make_member()
    with guard("roll_frozen_once_open"), transaction.atomic():
        RollEntry.objects.create(motion=motion, member=late)


def test_ballots_cannot_be_changed_or_deleted(sex_worker, make_motion):
    motion = make_motion()
    services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice="yes")
    with guard("ballots_are_final"), transaction.atomic():
        Ballot.objects.filter(motion=motion).update(choice="no")
    with guard("ballots_are_final"), transaction.atomic():
        Ballot.objects.filter(motion=motion).delete()


def test_ballot_without_a_recorded_voter_is_refused_at_commit(make_motion, sex_worker):
    motion = make_motion()
    with guard("ballot_requires_a_recorded_voter"), transaction.atomic():
        Ballot.objects.create(motion=motion, choice="yes", receipt_hash="0" * 64)
        # The guard is deferred to commit; make it fire now, inside the test's transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_ballot_on_a_closed_motion_is_refused(make_motion):
    motion = make_motion()
    services.motion_close(motion_id=motion.pk)
    with guard("ballot_only_while_open"), transaction.atomic():
        Ballot.objects.create(motion=motion, choice="yes", receipt_hash="1" * 64)


def test_an_ally_cannot_be_recorded_as_voter(ally, make_motion):
    motion = make_motion()
    with guard("voter_must_be_on_roll_and_eligible"), transaction.atomic():
        MotionVoters.objects.filter(motion=motion).update(voter_ids=[ally.pk])


def test_a_voter_cannot_be_recorded_twice(sex_worker, make_motion):
    motion = make_motion()
    with guard("one ballot per voter"), transaction.atomic():
        MotionVoters.objects.filter(motion=motion).update(voter_ids=[sex_worker.pk] * 2)
