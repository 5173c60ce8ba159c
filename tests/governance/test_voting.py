import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.db.models import BinaryField
from django.utils import timezone

from governance import receipts, services
from governance.models import (
    CHOICE_CONTENT,
    BallotBox,
    BallotKind,
    Choice,
    Electorate,
    Motion,
    MotionState,
    Outcome,
    RollEntry,
    SealedBallot,
    Voter,
    counted_ballots,
)
from members import services as member_services
from members.models import Member, MembershipState, Status
from tests import agreements


def roll_of(motion):
    return set(RollEntry.objects.filter(box_id=motion.box_id).values_list("member_id", flat=True))


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
        agreements.motion_open(motion_id=draft.pk, by=None)
    assert excinfo.value.code == "translations_missing"
    assert "nb" in excinfo.value.messages[0]
    Motion.objects.filter(pk=draft.pk).update(allow_language_fallback=True)
    assert agreements.motion_open(motion_id=draft.pk, by=None).state == MotionState.OPEN


def test_opening_twice_is_refused(make_motion):
    motion = make_motion()
    with pytest.raises(ValidationError) as excinfo:
        agreements.motion_open(motion_id=motion.pk, by=None)
    assert excinfo.value.code == "not_draft"


def test_cast_gives_a_receipt_and_one_ballot_only(
    sex_worker, make_motion, django_capture_on_commit_callbacks
):
    motion = make_motion()
    code = services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice=Choice.YES)
    assert len(receipts.normalise(code)) == 12
    assert Voter.objects.filter(box_id=motion.box_id, member=sex_worker).exists()
    sealed = SealedBallot.objects.get(box_id=motion.box_id)
    # Sealed: neither the receipt's hash nor the choice is in the row.
    assert receipts.code_digest(code) not in bytes(sealed.sealed)
    with pytest.raises(ValidationError) as excinfo:
        services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice=Choice.NO)
    assert excinfo.value.code == "already_voted"
    assert SealedBallot.objects.filter(box_id=motion.box_id).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        agreements.motion_close(motion_id=motion.pk)
    (counted,) = counted_ballots(motion.box_id)
    assert counted.receipt_hash == receipts.code_digest(code)
    assert counted.content == CHOICE_CONTENT[Choice.YES]
    assert counted.voter_id is None  # secret by default
    assert not SealedBallot.objects.filter(box_id=motion.box_id).exists()


def test_ally_cannot_vote(ally, sex_worker, make_motion):
    motion = make_motion()
    with pytest.raises(ValidationError) as excinfo:
        services.ballot_cast(motion_id=motion.pk, voter=ally, choice=Choice.YES)
    assert excinfo.value.code == "not_sex_worker"
    assert not Voter.objects.exists()
    assert not SealedBallot.objects.exists()


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
    agreements.motion_close(motion_id=closed.pk)
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
    assert not SealedBallot.objects.exists()
    assert not Voter.objects.exists()


def test_close_counts_and_applies_the_rules(make_member, make_motion):
    voters = [make_member() for _ in range(5)]
    motion = make_motion(majority="two_thirds", quorum_percent=60)
    for voter, choice in zip(voters, ["yes", "yes", "no", "abstain"], strict=False):
        services.ballot_cast(motion_id=motion.pk, voter=voter, choice=choice)
    closed = agreements.motion_close(motion_id=motion.pk)
    assert (closed.yes_count, closed.no_count, closed.abstain_count) == (2, 1, 1)
    assert closed.outcome == Outcome.ADOPTED  # exactly two-thirds; 4 of 5 = 80% turnout
    assert closed.state == MotionState.CLOSED
    published = agreements.motion_publish(motion_id=motion.pk, by=None)
    assert published.state == MotionState.PUBLISHED


def test_close_keeps_every_receipt(make_member, make_motion):
    voters = [make_member() for _ in range(3)]
    motion = make_motion()
    codes = [services.ballot_cast(motion_id=motion.pk, voter=v, choice="no") for v in voters]
    agreements.motion_close(motion_id=motion.pk)
    motion = Motion.objects.select_related("box").get(pk=motion.pk)
    assert all(services.receipt_is_counted(motion=motion, code=c) for c in codes)
    assert not services.receipt_is_counted(motion=motion, code="AAAA-BBBB-CCCC")
    assert sorted(services.counted_receipt_hashes(motion=motion)) == sorted(
        receipts.code_digest(c).hex() for c in codes
    )


def test_receipts_are_not_checkable_while_open(sex_worker, make_motion):
    motion = make_motion()
    code = services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice="yes")
    motion = Motion.objects.select_related("box").get(pk=motion.pk)
    assert not services.receipt_is_counted(motion=motion, code=code)
    assert services.counted_receipt_hashes(motion=motion) == []


def test_due_motions_close_without_anyone_pressing_a_button(sex_worker, make_motion):
    motion = make_motion(closes_at=timezone.now() + datetime.timedelta(seconds=1))
    services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice="yes")
    time.sleep(1.1)
    assert services.motions_close_due() == 1
    assert services.motions_close_due() == 0
    motion.refresh_from_db()
    assert motion.state == MotionState.CLOSED
    assert motion.yes_count == 1


def test_roll_call_ballots_name_the_voter_once_counted(sex_worker, make_motion):
    motion = make_motion(ballot_kind=BallotKind.ROLL_CALL)
    services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice="abstain")
    agreements.motion_close(motion_id=motion.pk)
    (counted,) = counted_ballots(motion.box_id)
    assert counted.voter_id == sex_worker.pk
    assert counted.content == CHOICE_CONTENT[Choice.ABSTAIN]


def test_the_roll_digest_of_a_small_roll_cannot_be_brute_forced(make_member, make_motion):
    """An attacker who knows the range of member ids and sees the digest (and, after the
    close, everything the database and the pages hold) tries every subset of the range,
    with every salt the database could give them, and finds no roll."""
    import hashlib
    import itertools

    voters = [make_member(), make_member()]
    make_member(status="ally")
    motion = make_motion()
    agreements.motion_close(motion_id=motion.pk)
    box = BallotBox.objects.get(pk=motion.box_id)
    known = sorted(Member.objects.values_list("pk", flat=True))
    candidate_ids = range(known[0], known[-1] + 3)
    salts = [b""] + [  # every binary column of the box (the old close wrote the salt there)
        bytes(getattr(box, field.name))
        for field in BallotBox._meta.concrete_fields
        if isinstance(field, BinaryField) and getattr(box, field.name) is not None
    ]
    tried = 0
    for size in range(len(candidate_ids) + 1):
        for roll in itertools.combinations(candidate_ids, size):
            ids = ",".join(map(str, roll)).encode()
            for salt in salts:
                tried += 1
                digest = hashlib.sha256(salt + ids).hexdigest()
                assert digest != box.roll_digest
                assert digest[:16] != box.roll_digest[:16]  # the fingerprint members see
    assert tried >= 2 * 2 ** len(voters)
    assert box.roll_size == len(voters)
