"""Motions and voting: open (freeze the roll), cast, close (count, seal), publish.

See governance/models/motions.py for why casting never locks the member row and why closing
re-inserts the ballots."""

import hashlib
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from members.locks import member_rights_lock_sql
from members.models import Member, MembershipState, Status

from .. import eligibility, receipts, selectors, tally
from ..models import (
    Ballot,
    BallotKind,
    Choice,
    Electorate,
    Motion,
    MotionState,
    MotionVoters,
    RollEntry,
)


def _lock_motion(motion_id: int) -> Motion:
    try:
        return Motion.objects.select_for_update().get(pk=motion_id)
    except Motion.DoesNotExist as error:
        raise ValidationError(_("No such motion."), code="unknown_motion") from error


def electorate_of(motion: Motion):
    """The members eligible to vote on `motion` right now."""
    eligible = Member.objects.filter(state=MembershipState.ACTIVE, status=Status.SEX_WORKER)
    if motion.electorate == Electorate.STEERING_COMMITTEE:
        eligible = eligible.filter(pk__in=selectors.committee_members().values("pk"))
    return eligible


def roll_digest(motion_id: int, member_ids: list[int]) -> str:
    """A short fingerprint of the frozen roll, shown to members with its size."""
    payload = f"{motion_id}:" + ",".join(str(pk) for pk in sorted(member_ids))
    return hashlib.sha256(payload.encode()).hexdigest()


@transaction.atomic
def motion_open(*, motion_id: int, by: Member | None) -> Motion:
    """Open a draft motion: check its translations and window, freeze the electoral roll."""
    motion = _lock_motion(motion_id)
    if motion.state != MotionState.DRAFT:
        raise ValidationError(_("Only a draft motion can be opened."), code="not_draft")
    if motion.closes_at <= timezone.now():
        raise ValidationError(
            _("The voting window has already ended. Change the closing time first."),
            code="window_over",
        )
    missing = motion.missing_languages()
    if "en" in missing:
        raise ValidationError(_("The English title and text are required."), code="no_english")
    if missing and not motion.allow_language_fallback:
        raise ValidationError(
            _(
                "Translations are missing (%(languages)s). Add them, or allow the motion to "
                "open with the English text as a fallback."
            )
            % {"languages": ", ".join(missing)},
            code="translations_missing",
        )
    member_ids = list(electorate_of(motion).values_list("pk", flat=True))
    RollEntry.objects.bulk_create(
        [RollEntry(motion=motion, member_id=pk) for pk in member_ids], batch_size=2000
    )
    MotionVoters.objects.create(motion=motion, voter_ids=[])
    motion.roll_size = len(member_ids)
    motion.roll_digest = roll_digest(motion.pk, member_ids)
    motion.state = MotionState.OPEN
    motion.opened_at = timezone.now()
    if motion.proposer_id is None and by is not None:
        motion.proposer = by
    motion.save(update_fields=["roll_size", "roll_digest", "state", "opened_at", "proposer"])
    audit.record("motion.opened", actor=by.user if by else None, target=motion)
    return motion


@dataclass(frozen=True)
class CastBallot:
    """A cast ballot as the receipt page needs it: the receipt code (shown once, never
    stored) and the motion as it was read under its lock."""

    receipt_code: str
    motion: Motion


def ballot_cast(*, motion_id: int, voter: Member, choice: str) -> str:
    """Cast `voter`'s ballot and return the receipt code (shown once, never stored).
    See `ballot_cast_for_receipt`."""
    return ballot_cast_for_receipt(motion_id=motion_id, voter=voter, choice=choice).receipt_code


def ballot_cast_for_receipt(*, motion_id: int, voter: Member, choice: str) -> CastBallot:
    """Cast `voter`'s ballot; return the receipt code and the motion.

    One transaction checks that the motion is open, the voter is still eligible and on the
    roll, and has not voted; the voters row's UPDATE is the one-ballot-per-voter guard, so a
    double click or a replayed request gets `already_voted`. Four statements, because a
    general assembly's votes queue on the motion's one voters row: the motion's lock and the
    member's rights lock together; the member and the roll together; the voters row and
    the ballot together (so the voters row is held for one statement and the commit).
    """
    if choice not in Choice.values:
        raise ValidationError(_("Choose yes, no or abstain."), code="invalid_choice")
    with transaction.atomic():
        # FOR SHARE: closing (FOR UPDATE) waits for ballots being cast, so the tally counts
        # every ballot that was accepted. The member's rights lock (members.locks) is taken
        # in the same statement: never a row lock on the member (see the models' docstring).
        lock_sql, lock_params = member_rights_lock_sql(voter.pk)
        motion = next(
            iter(
                Motion.objects.raw(
                    # lock_sql is members.locks' constant text; the values are parameters.
                    f"SELECT *, {lock_sql} AS rights_locked FROM governance_motion"  # noqa: S608  # nosec B608
                    " WHERE id = %s FOR SHARE",
                    [*lock_params, motion_id],
                )
            ),
            None,
        )
        if motion is None:
            raise ValidationError(_("No such motion."), code="unknown_motion")
        if not motion.is_open_now:
            raise ValidationError(_("This motion is not open for voting."), code="motion_not_open")
        # A new statement, so a new snapshot taken after the rights lock is held: a status
        # change that committed while this cast waited for the lock is seen here.
        member = Member.objects.annotate(
            on_roll=Exists(RollEntry.objects.filter(motion_id=motion_id, member_id=OuterRef("pk")))
        ).get(pk=voter.pk)
        eligibility.ensure_eligible(member)
        if not member.on_roll:
            raise ValidationError(
                _("You are not on the electoral roll of this motion."), code="not_on_roll"
            )
        code = receipts.new_code()
        with connection.cursor() as cursor:
            # The voters row (kept sorted, so the array's order says nothing about who voted
            # when) and the ballot in one statement: no ballot unless the voter was recorded.
            cursor.execute(
                "WITH recorded AS ("
                "  UPDATE governance_motionvoters"
                "  SET voter_ids = (SELECT array_agg(v ORDER BY v)"
                "                   FROM unnest(voter_ids || %s::bigint) AS v)"
                "  WHERE motion_id = %s AND NOT (%s = ANY(voter_ids))"
                "  RETURNING motion_id)"
                " INSERT INTO governance_ballot (id, motion_id, choice, receipt_hash, voter_id)"
                " SELECT %s, motion_id, %s, %s, %s FROM recorded",
                [
                    member.pk,
                    motion_id,
                    member.pk,
                    uuid.uuid4(),
                    choice,
                    receipts.code_hash(code),
                    member.pk if motion.ballot_kind == BallotKind.ROLL_CALL else None,
                ],
            )
            recorded = cursor.rowcount == 1
        if not recorded:
            raise ValidationError(_("You have already voted on this motion."), code="already_voted")
    return CastBallot(receipt_code=code, motion=motion)


@transaction.atomic
def motion_close(*, motion_id: int, by: Member | None = None) -> Motion:
    """Close an open motion: count the ballots, apply quorum and majority, and seal the
    ballot box (re-insert the ballots in random order, see the models' docstring)."""
    motion = _lock_motion(motion_id)
    if motion.state != MotionState.OPEN:
        raise ValidationError(_("Only an open motion can be closed."), code="not_open")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('rosealliance.sealing_motion', %s, true)", [str(motion.pk)]
        )
        cursor.execute(
            "WITH cast_ballots AS ("
            "  DELETE FROM governance_ballot WHERE motion_id = %s"
            "  RETURNING motion_id, choice, receipt_hash, voter_id)"
            " INSERT INTO governance_ballot (id, motion_id, choice, receipt_hash, voter_id)"
            " SELECT gen_random_uuid(), motion_id, choice, receipt_hash, voter_id"
            " FROM cast_ballots ORDER BY random()",
            [motion.pk],
        )
        cursor.execute("SELECT set_config('rosealliance.sealing_motion', '', true)")
    counts = dict(
        Ballot.objects.filter(motion=motion)
        .values_list("choice")
        .annotate(n=Count("pk"))
        .values_list("choice", "n")
    )
    result = tally.decide(
        yes=counts.get(Choice.YES, 0),
        no=counts.get(Choice.NO, 0),
        abstain=counts.get(Choice.ABSTAIN, 0),
        roll_size=motion.roll_size or 0,
        rule=motion.majority,
        quorum_percent=motion.quorum_percent,
    )
    motion.yes_count, motion.no_count, motion.abstain_count = result.yes, result.no, result.abstain
    motion.outcome = result.outcome
    motion.state = MotionState.CLOSED
    motion.closed_at = timezone.now()
    motion.save(
        update_fields=["yes_count", "no_count", "abstain_count", "outcome", "state", "closed_at"]
    )
    audit.record("motion.closed", actor=by.user if by else None, target=motion)
    return motion


def motions_close_due(*, now=None) -> int:
    """Close every open motion whose window has ended. Idempotent, safe to run from many
    processes at once (a motion being closed elsewhere is skipped, not waited for)."""
    now = now or timezone.now()
    closed = 0
    due = Motion.objects.filter(state=MotionState.OPEN, closes_at__lte=now).values_list(
        "pk", flat=True
    )
    for motion_id in list(due):
        with transaction.atomic():
            still_due = (
                Motion.objects.select_for_update(skip_locked=True)
                .filter(pk=motion_id, state=MotionState.OPEN)
                .exists()
            )
            if still_due:
                motion_close(motion_id=motion_id)
                closed += 1
    return closed


@transaction.atomic
def motion_publish(*, motion_id: int, by: Member | None) -> Motion:
    """Publish a closed motion's result to the members, after the committee reviewed it."""
    motion = _lock_motion(motion_id)
    if motion.state != MotionState.CLOSED:
        raise ValidationError(
            _("Only a closed motion's result can be published."), code="not_closed"
        )
    motion.state = MotionState.PUBLISHED
    motion.published_at = timezone.now()
    motion.save(update_fields=["state", "published_at"])
    audit.record("motion.published", actor=by.user if by else None, target=motion)
    return motion


def receipt_is_counted(*, motion_id: int, code: str) -> bool:
    """True when a ballot with this receipt was counted in the closed motion."""
    return Ballot.objects.filter(
        motion_id=motion_id,
        motion__state__in=[MotionState.CLOSED, MotionState.PUBLISHED],
        receipt_hash=receipts.code_hash(code),
    ).exists()
