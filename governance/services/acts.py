"""Four eyes on seats and votes: propose an act with a reason, a second person confirms it.

`act_propose` records what is asked and why (governance.models.acts.PendingAct) and changes
nothing else; `act_confirm` carries it out, in the same transaction, when someone other
than the proposer (and other than the member it seats or unseats) confirms it in time:
another Steering Committee member for motions, a coordinator for seats. `act_decline`
refuses it (or, by its proposer, withdraws it); `acts_expire` marks the ones nobody
confirmed in time. The database refuses a self-confirmation or a late one too.

Proposing a seat checks nothing about the member but that their membership is active: the
eligibility rule is checked when a coordinator (who may see status) confirms, so what a
committee member sees after proposing is the same for an ally and for a sex worker.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from core.decisions import decision_record
from members.models import Member, MembershipState

from .. import permissions
from ..models import (
    MOTION_KINDS,
    ActKind,
    ActState,
    Motion,
    MotionState,
    PendingAct,
    Position,
    Seat,
)
from . import motions, roles


def _confirm_within() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.GOVERNANCE_ACT_CONFIRM_HOURS)


@dataclass(frozen=True)
class _KindRules:
    may_propose: Callable[[Member], bool]
    may_confirm: Callable[[Member], bool]
    carry_out: Callable[[PendingAct, Member], object]


def _motion_manager(member: Member) -> bool:
    return permissions.can_manage_motions(member.user)


def _seat_manager(member: Member) -> bool:
    return permissions.can_manage_seats(member.user)


def _seat_confirmer(member: Member) -> bool:
    return permissions.can_confirm_seat_acts(member.user)


def _seat_assign(act: PendingAct, by: Member) -> object:
    return roles.seat_assign(
        member_id=act.member_id,
        position=act.position,
        term_start=act.term_start,
        term_end=act.term_end,
        by=act.proposed_by,
        reason=act.reason,
    )


_RULES = {
    ActKind.SEAT_ASSIGN: _KindRules(_seat_manager, _seat_confirmer, _seat_assign),
    ActKind.SEAT_END: _KindRules(
        _seat_manager,
        _seat_confirmer,
        lambda act, by: roles.seat_end(seat_id=act.seat_id, by=act.proposed_by, reason=act.reason),
    ),
    ActKind.MOTION_OPEN: _KindRules(
        _motion_manager,
        permissions.can_confirm_motion_acts,
        lambda act, by: motions.motion_open(motion_id=act.motion_id, by=act.proposed_by),
    ),
    ActKind.MOTION_CLOSE: _KindRules(
        _motion_manager,
        permissions.can_confirm_motion_acts,
        lambda act, by: motions.motion_close(motion_id=act.motion_id, by=by),
    ),
    ActKind.MOTION_PUBLISH: _KindRules(
        _motion_manager,
        permissions.can_confirm_motion_acts,
        lambda act, by: motions.motion_publish(motion_id=act.motion_id, by=by),
    ),
}


def _not_allowed() -> ValidationError:
    return ValidationError(_("You may not do this."), code="not_allowed")


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."), code="no_reason")
    return reason


def _check_motion(kind: str, motion: Motion) -> None:
    """The motion is in the state the act needs (checked again when it is carried out)."""
    if kind == ActKind.MOTION_OPEN:
        motions.ensure_openable(motion)
    elif kind == ActKind.MOTION_CLOSE:
        if motion.state != MotionState.OPEN:
            raise ValidationError(_("Only an open motion can be closed."), code="not_open")
        if motion.closes_at <= timezone.now():
            raise ValidationError(
                _("Its voting window has ended: it closes by itself."), code="window_over"
            )
    elif motion.state != MotionState.CLOSED:
        raise ValidationError(
            _("Only a closed motion's result can be published."), code="not_closed"
        )


@transaction.atomic
def act_propose(
    *,
    kind: str,
    by: Member | None,
    reason: str,
    motion_id: int | None = None,
    seat_id: int | None = None,
    member_id: int | None = None,
    position: str = "",
    term_start: datetime.date | None = None,
    term_end: datetime.date | None = None,
) -> PendingAct:
    """Propose an act; nothing changes until a second person confirms it."""
    rules = _RULES.get(kind)
    if rules is None:
        raise ValidationError(_("Unknown act."), code="unknown_act")
    if by is None or not rules.may_propose(by):
        raise _not_allowed()
    # An expired proposal must not block a new one (one pending act per subject).
    acts_expire()
    act = PendingAct(kind=kind, proposed_by=by, reason=_clean_reason(reason))
    act.expires_at = act.proposed_at + _confirm_within()
    if kind in MOTION_KINDS:
        act.motion = Motion.objects.filter(pk=motion_id).first()
        if act.motion is None:
            raise ValidationError(_("No such motion."), code="unknown_motion")
        _check_motion(kind, act.motion)
    elif kind == ActKind.SEAT_END:
        act.seat = Seat.objects.filter(pk=seat_id, ended_on__isnull=True).first()
        if act.seat is None:
            raise ValidationError(_("No such seat, or it has ended."), code="unknown_seat")
        act.member_id = act.seat.member_id
    else:
        act.member = Member.objects.filter(pk=member_id, state=MembershipState.ACTIVE).first()
        if act.member is None:
            raise ValidationError(_("No such member."), code="unknown_member")
        if position not in Position.values:
            raise ValidationError(_("Choose a position."), code="unknown_position")
        if term_start is None or term_end is None or term_end < term_start:
            raise ValidationError(_("The term cannot end before it starts."), code="term_order")
        act.position, act.term_start, act.term_end = position, term_start, term_end
    try:
        with transaction.atomic():
            act.save()
    except IntegrityError as error:
        if "act_one_pending_per" in str(error):
            raise ValidationError(
                _("The same act is already waiting for confirmation."), code="already_proposed"
            ) from error
        raise
    audit.record("act.proposed", actor=by.user, target=act)
    return act


def _lock_act(act_id: int) -> PendingAct:
    act = PendingAct.objects.select_for_update().filter(pk=act_id).first()
    if act is None:
        raise ValidationError(_("No such act."), code="unknown_act")
    if act.state != ActState.PENDING:
        raise ValidationError(_("This act has already been decided."), code="already_decided")
    return act


@transaction.atomic
def act_confirm(*, act_id: int, by: Member | None, note: str = "") -> PendingAct:
    """Confirm a pending act and carry it out. Refused to its proposer, to the member it
    concerns, to anyone without the power to confirm this kind, and after it expires. A
    refusal of the act itself (the eligibility rule, a taken position) leaves it pending."""
    act = _lock_act(act_id)
    if by is None or by.pk in (act.proposed_by_id, act.member_id):
        raise ValidationError(
            _("A second person must confirm: not the proposer, not the member concerned."),
            code="own_act",
        )
    if not _RULES[act.kind].may_confirm(by):
        raise _not_allowed()
    if act.is_expired:
        raise ValidationError(_("The time to confirm this act is over."), code="expired")
    # Confirmed first: the database lets a motion move only with a confirmed act
    # (motion_acts_need_a_second_person). A refusal below rolls the confirmation back.
    decision_record(act, by=by, state=ActState.CONFIRMED, decision_note=(note or "").strip())
    _RULES[act.kind].carry_out(act, by)
    audit.record("act.confirmed", actor=by.user, target=act)
    return act


@transaction.atomic
def act_decline(*, act_id: int, by: Member | None, note: str) -> PendingAct:
    """Decline a pending act (someone who could confirm it) or withdraw it (its proposer)."""
    act = _lock_act(act_id)
    if by is None:
        raise _not_allowed()
    if by.pk != act.proposed_by_id and (
        by.pk == act.member_id or not _RULES[act.kind].may_confirm(by)
    ):
        raise _not_allowed()
    decision_record(act, by=by, state=ActState.DECLINED, decision_note=_clean_reason(note))
    audit.record("act.declined", actor=by.user, target=act)
    return act


def acts_expire() -> int:
    """Mark the pending acts nobody confirmed in time as expired. Idempotent (scheduler)."""
    return PendingAct.objects.filter(state=ActState.PENDING, expires_at__lt=timezone.now()).update(
        state=ActState.EXPIRED
    )
