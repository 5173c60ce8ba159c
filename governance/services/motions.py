"""Motions and voting: open (a ballot box with a frozen roll), cast, close (count), publish.

The ballot box (services/ballot_box.py) holds the roll, the voters and the ballots; this
module adds what is a motion's own: its translations and window, yes/no/abstain, quorum and
majority."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from members import notices
from members.models import Member, NoticeKind

from .. import tally
from ..models import (
    CHOICE_CONTENT,
    BallotKind,
    Choice,
    Electorate,
    Motion,
    MotionState,
    RollEntry,
)
from . import ballot_box

logger = logging.getLogger(__name__)


def _lock_motion(motion_id: int) -> Motion:
    try:
        return Motion.objects.select_for_update().get(pk=motion_id)
    except Motion.DoesNotExist as error:
        raise ValidationError(_("No such motion."), code="unknown_motion") from error


def ensure_openable(motion: Motion) -> None:
    """Refuse, with the reason, to open a motion that is not a ready draft."""
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


@transaction.atomic
def motion_open(*, motion_id: int, by: Member | None) -> Motion:
    """Open a draft motion: check its translations and window, and give it a ballot box,
    which freezes the electoral roll."""
    motion = _lock_motion(motion_id)
    ensure_openable(motion)
    motion.box = ballot_box.box_open(
        secret=motion.ballot_kind == BallotKind.SECRET,
        committee_only=motion.electorate == Electorate.STEERING_COMMITTEE,
        opens_at=motion.opens_at,
        closes_at=motion.closes_at,
        content_size=1,
        today=timezone.localdate(),
    )
    motion.state = MotionState.OPEN
    motion.opened_at = timezone.now()
    if motion.proposer_id is None and by is not None:
        motion.proposer = by
    motion.save(update_fields=["box", "state", "opened_at", "proposer"])
    audit.record("motion.opened", actor=by.user if by else None, target=motion)
    _notices_queue_for_roll(motion)
    return motion


def _roll_member_ids(motion: Motion) -> list[int]:
    return list(RollEntry.objects.filter(box=motion.box_id).values_list("member_id", flat=True))


def _notices_queue_for_roll(motion: Motion) -> None:
    """Queue, for everyone on the new roll, a notice for when voting starts and a reminder
    NOTICE_REMINDER_HOURS before it ends. The reminder goes to the whole roll, whether or
    not they have voted by then: making it depend on who voted would write a "has voted"
    fact into the outbox (and the mail log), which nothing else outside the ballot box
    holds. Both are queued now, in the same transaction as the opening, so they are
    never linked in time to anybody's vote."""
    members = _roll_member_ids(motion)
    starts = max(motion.opens_at, timezone.now())
    notices.notices_queue(member_ids=members, kind=NoticeKind.MOTION_OPENED, due_at=starts)
    reminder = motion.closes_at - timedelta(hours=settings.NOTICE_REMINDER_HOURS)
    if reminder > starts:
        notices.notices_queue(member_ids=members, kind=NoticeKind.MOTION_CLOSING, due_at=reminder)


# Motion id -> its box, as casting needs it. A motion's box never changes once it is set
# (motion_frozen_once_open), so each process reads it once per motion.
_boxes_for_casting: dict[int, ballot_box.BoxForCasting] = {}


def _box_for_casting(motion_id: int) -> ballot_box.BoxForCasting:
    box = _boxes_for_casting.get(motion_id)
    if box is None:
        box = ballot_box.box_for_casting(motion__pk=motion_id)
        if box is None:
            raise ValidationError(_("This motion is not open for voting."), code="motion_not_open")
        _boxes_for_casting[motion_id] = box
    return box


def ballot_cast(*, motion_id: int, voter: Member, choice: str) -> str:
    """Cast `voter`'s ballot on a motion; return the receipt code (shown once, never
    stored).

    One statement (services.ballot_box.box_cast): the database checks the window, the
    roll, the eligibility rule and that the voter has not voted, so a double click or a
    replayed request gets `already_voted`; no read comes before it (the motion's box is
    known to this process after the first vote). Refusals are ValidationErrors:
    `invalid_choice`, `motion_not_open`, `not_on_roll`, `already_voted`, or the rule's.
    """
    if choice not in Choice.values:
        raise ValidationError(_("Choose yes, no or abstain."), code="invalid_choice")
    box = _box_for_casting(motion_id)
    try:
        code = ballot_box.box_cast(box=box, voter=voter, content=CHOICE_CONTENT[choice])
    except ValidationError as error:
        if error.code == "not_open":
            raise ValidationError(
                _("This motion is not open for voting."), code="motion_not_open"
            ) from error
        if error.code == "not_on_roll":
            raise ValidationError(
                _("You are not on the electoral roll of this motion."), code="not_on_roll"
            ) from error
        if error.code == "already_voted":
            raise ValidationError(
                _("You have already voted on this motion."), code="already_voted"
            ) from error
        raise
    return code


@transaction.atomic
def motion_close(*, motion_id: int, by: Member | None = None) -> Motion:
    """Close an open motion: close its ballot box (the sealed ballots are opened and
    written, counted, in random order), then apply quorum and majority."""
    motion = _lock_motion(motion_id)
    if motion.state != MotionState.OPEN:
        raise ValidationError(_("Only an open motion can be closed."), code="not_open")
    closed = ballot_box.box_close(box_id=motion.box_id)
    counts = {choice: closed.count(content) for choice, content in CHOICE_CONTENT.items()}
    result = tally.decide(
        yes=counts[Choice.YES],
        no=counts[Choice.NO],
        abstain=counts[Choice.ABSTAIN],
        roll_size=closed.box.roll_size,
        rule=motion.majority,
        quorum_percent=motion.quorum_percent,
    )
    motion.box = closed.box
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
    processes at once (a motion being closed elsewhere is skipped, not waited for). A
    motion that cannot be closed (its box's key is missing) is logged and left open."""
    now = now or timezone.now()
    closed = 0
    due = Motion.objects.filter(state=MotionState.OPEN, closes_at__lte=now).values_list(
        "pk", flat=True
    )
    for motion_id in list(due):
        try:
            with transaction.atomic():
                still_due = (
                    Motion.objects.select_for_update(skip_locked=True)
                    .filter(pk=motion_id, state=MotionState.OPEN)
                    .exists()
                )
                if still_due:
                    motion_close(motion_id=motion_id)
                    closed += 1
        except ValidationError as error:
            logger.error("motion %s not closed: %s", motion_id, error.code)
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
    notices.notices_queue(member_ids=_roll_member_ids(motion), kind=NoticeKind.RESULTS_PUBLISHED)
    return motion


def receipt_is_counted(*, motion: Motion, code: str) -> bool:
    """True when a ballot with this receipt was counted in the closed motion."""
    return motion.box is not None and ballot_box.receipt_is_counted(box=motion.box, code=code)


def counted_receipt_hashes(*, motion: Motion) -> list[str]:
    """The motion's published list of counted receipts (empty until it closes)."""
    return ballot_box.counted_receipts(box=motion.box) if motion.box else []
