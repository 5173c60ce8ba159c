"""Every write to Steering Committee seats and spokesperson assignments.

Each service runs in one transaction and locks the member row (`select_for_update`) before
checking the rule, so a status change racing a seat or an approval is serialised with it.
The database triggers back the same rule; their violations come back as the rule's
ValidationError (see `_translate_integrity_error`).
"""

import datetime
from collections.abc import Iterable

import pghistory
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from core.decisions import decision_record
from members import eligibility
from members import services as member_services
from members.emails import send_member_mail
from members.models import Member
from members.roles import STEERING_COMMITTEE

from .. import selectors
from ..models import (
    ACTIVE_ASSIGNMENT_STATES,
    SINGLE_HOLDER_POSITIONS,
    AssignmentState,
    Seat,
    SpokespersonAssignment,
    Topic,
)


def _lock_member(member_id: int) -> Member:
    """members' lock, with an unknown id turned into the services' ValidationError."""
    try:
        return member_services.member_lock(member_id)
    except Member.DoesNotExist as error:
        raise ValidationError(_("No such member."), code="unknown_member") from error


def _history_context(by: Member | None, reason: str = ""):
    """Who and why, stored with every history row pghistory writes in this block."""
    return pghistory.context(by_member=by.pk if by else None, reason=reason)


def _audit(action: str, by: Member | None, target) -> None:
    """Record a role change in the audit log: the code, who acted, which row; never why."""
    audit.record(action, actor=by.user if by else None, target=target)


def _translate_integrity_error(error: IntegrityError, member: Member) -> ValidationError:
    rule_error = eligibility.error_from_database(error, member)
    if rule_error is not None:
        return rule_error
    text = str(error)
    if "seat_one_active_per_member" in text:
        return ValidationError(
            _("This member already holds a seat on the Steering Committee."),
            code="already_seated",
        )
    if "seat_single_holder_positions_do_not_overlap" in text:
        return ValidationError(
            _("Someone else holds this position during that term."), code="position_taken"
        )
    raise error


def _sync_committee_group(member: Member) -> None:
    """The Steering Committee group (admin permissions) follows the seats: members with an
    active seat are in it, others are not."""
    group, _created = Group.objects.get_or_create(name=STEERING_COMMITTEE)
    if Seat.objects.filter(member=member, ended_on__isnull=True).exists():
        member.user.groups.add(group)
        if not member.user.is_staff:
            member.user.is_staff = True
            member.user.save(update_fields=["is_staff"])
    else:
        member.user.groups.remove(group)


def _seat_close(seat: Seat, *, by: Member | None, reason: str, term_over: bool = False) -> None:
    """The one way a seat ends (by a decision, by the rule, or because its term is over):
    the end date, the reason in its history, the committee's group, the audit log."""
    if term_over:
        ended_on, reason = seat.term_end + datetime.timedelta(days=1), _("The term ended.")
    else:
        ended_on = max(timezone.localdate(), seat.term_start)
    with _history_context(by, reason):
        seat.ended_on = ended_on
        seat.end_reason = reason
        seat.save(update_fields=["ended_on", "end_reason"])
    _sync_committee_group(seat.member)
    _audit("seat.ended", by, seat)


def _end_expired_seats_of(member: Member, today: datetime.date) -> None:
    for seat in Seat.objects.select_for_update().filter(
        member=member, ended_on__isnull=True, term_end__lt=today
    ):
        _seat_close(seat, by=None, reason="", term_over=True)


@transaction.atomic
def seat_assign(
    *,
    member_id: int,
    position: str,
    term_start: datetime.date,
    term_end: datetime.date,
    by: Member | None,
    reason: str = "",
) -> Seat:
    """Seat a member on the Steering Committee for a term (after an election, or when a
    second person confirms the act: governance.services.acts)."""
    member = _lock_member(member_id)
    eligibility.ensure_eligible(member)
    if term_end < term_start:
        raise ValidationError(_("The term cannot end before it starts."), code="term_order")
    _end_expired_seats_of(member, timezone.localdate())
    if Seat.objects.filter(member=member, ended_on__isnull=True).exists():
        raise ValidationError(
            _("This member already holds a seat on the Steering Committee."),
            code="already_seated",
        )
    if position in SINGLE_HOLDER_POSITIONS and selectors.position_holders_during(
        position, term_start, term_end
    ):
        raise ValidationError(
            _("Someone else holds this position during that term."), code="position_taken"
        )
    try:
        with transaction.atomic(), _history_context(by, reason):
            seat = Seat.objects.create(
                member=member,
                position=position,
                term_start=term_start,
                term_end=term_end,
                created_by=by,
            )
    except IntegrityError as error:
        raise _translate_integrity_error(error, member) from error
    _sync_committee_group(member)
    _audit("seat.assigned", by, seat)
    return seat


@transaction.atomic
def seat_end(*, seat_id: int, by: Member | None, reason: str) -> Seat:
    """End a seat from today (or from its start, if it has not started yet); outside an
    election only when a second person confirms the act (governance.services.acts)."""
    seat = Seat.objects.select_for_update().select_related("member__user").get(pk=seat_id)
    if seat.ended_on is not None:
        raise ValidationError(_("This seat has already ended."), code="already_ended")
    _seat_close(seat, by=by, reason=reason)
    return seat


def seats_end_expired(*, today: datetime.date | None = None) -> int:
    """End every seat whose term is over. Idempotent; meant for the scheduler."""
    today = today or timezone.localdate()
    ended = 0
    with transaction.atomic():
        for seat in (
            Seat.objects.select_for_update(skip_locked=True)
            .select_related("member__user")
            .filter(ended_on__isnull=True, term_end__lt=today)
        ):
            _seat_close(seat, by=None, reason="", term_over=True)
            ended += 1
    return ended


@transaction.atomic
def spokesperson_propose(
    *,
    member_id: int,
    topics: Iterable[Topic],
    countries: list[str],
    languages: list[str],
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    by: Member | None,
) -> SpokespersonAssignment:
    """A member asks to be a spokesperson (by == the member), or a Steering Committee
    member proposes one. A coordinator decides."""
    member = _lock_member(member_id)
    eligibility.ensure_eligible(member)
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(_("The period cannot end before it starts."), code="period_order")
    topics = list(topics)
    if not topics or not countries or not languages:
        raise ValidationError(
            _("Choose at least one topic, country and language."), code="incomplete"
        )
    try:
        with transaction.atomic(), _history_context(by):
            assignment = SpokespersonAssignment.objects.create(
                member=member,
                countries=sorted(set(countries)),
                languages=sorted(set(languages)),
                starts_on=starts_on,
                ends_on=ends_on,
                proposed_by=by,
            )
            assignment.topics.set(topics)
    except IntegrityError as error:
        raise _translate_integrity_error(error, member) from error
    _audit("spokesperson.proposed", by, assignment)
    return assignment


def _lock_assignment(assignment_id: int) -> SpokespersonAssignment:
    try:
        return SpokespersonAssignment.objects.select_for_update().get(pk=assignment_id)
    except SpokespersonAssignment.DoesNotExist as error:
        raise ValidationError(
            _("No such spokesperson assignment."), code="unknown_assignment"
        ) from error


def _lock_proposed_for_decision(assignment_id: int, by: Member | None) -> SpokespersonAssignment:
    assignment = _lock_assignment(assignment_id)
    if assignment.state != AssignmentState.PROPOSED:
        raise ValidationError(
            _("This assignment has already been decided."), code="already_decided"
        )
    if by is not None and by.pk in (assignment.member_id, assignment.proposed_by_id):
        raise ValidationError(
            _("You cannot decide on an assignment you asked for or proposed."),
            code="own_request",
        )
    return assignment


@transaction.atomic
def spokesperson_approve(
    *, assignment_id: int, by: Member | None, reason: str = ""
) -> SpokespersonAssignment:
    # Lock the member row before the assignment: the status-change cascade locks them in
    # that order, and the opposite order deadlocks under a race.
    member_id = (
        SpokespersonAssignment.objects.filter(pk=assignment_id)
        .values_list("member_id", flat=True)
        .first()
    )
    if member_id is None:
        raise ValidationError(_("No such spokesperson assignment."), code="unknown_assignment")
    member = _lock_member(member_id)
    assignment = _lock_proposed_for_decision(assignment_id, by)
    eligibility.ensure_eligible(member)
    try:
        with transaction.atomic(), _history_context(by, reason):
            decision_record(
                assignment, by=by, state=AssignmentState.APPROVED, decision_reason=reason
            )
    except IntegrityError as error:
        raise _translate_integrity_error(error, member) from error
    _audit("spokesperson.approved", by, assignment)
    send_member_mail(member, "request_decided")
    return assignment


@transaction.atomic
def spokesperson_reject(
    *, assignment_id: int, by: Member | None, reason: str
) -> SpokespersonAssignment:
    assignment = _lock_proposed_for_decision(assignment_id, by)
    with _history_context(by, reason):
        decision_record(assignment, by=by, state=AssignmentState.REJECTED, decision_reason=reason)
    _audit("spokesperson.rejected", by, assignment)
    send_member_mail(assignment.member, "request_decided")
    return assignment


def _close(assignment: SpokespersonAssignment, state: str, by: Member | None, reason: str):
    with _history_context(by, reason):
        assignment.state = state
        assignment.closed_at = timezone.now()
        assignment.close_reason = reason
        assignment.save(update_fields=["state", "closed_at", "close_reason"])
    _audit(f"spokesperson.{state}", by, assignment)


@transaction.atomic
def spokesperson_end(*, assignment_id: int, by: Member, reason: str = "") -> SpokespersonAssignment:
    """The member ends (or withdraws) their own assignment."""
    assignment = _lock_assignment(assignment_id)
    if assignment.member_id != by.pk:
        raise ValidationError(_("This is not your assignment."), code="not_yours")
    if assignment.state not in ACTIVE_ASSIGNMENT_STATES:
        raise ValidationError(_("This assignment has already ended."), code="already_ended")
    _close(assignment, AssignmentState.ENDED, by, reason or _("Ended by the member."))
    return assignment


@transaction.atomic
def spokesperson_revoke(
    *, assignment_id: int, by: Member | None, reason: str
) -> SpokespersonAssignment:
    """A coordinator withdraws an approved assignment."""
    assignment = _lock_assignment(assignment_id)
    if assignment.state != AssignmentState.APPROVED:
        raise ValidationError(_("Only an approved assignment can be revoked."), code="not_approved")
    _close(assignment, AssignmentState.REVOKED, by, reason)
    send_member_mail(assignment.member, "request_decided")
    return assignment


def assignments_end_expired(*, today: datetime.date | None = None) -> int:
    """End approved assignments whose period is over. Idempotent; for the scheduler."""
    today = today or timezone.localdate()
    ended = 0
    with transaction.atomic():
        for assignment in SpokespersonAssignment.objects.select_for_update(skip_locked=True).filter(
            state=AssignmentState.APPROVED, ends_on__lt=today
        ):
            _close(assignment, AssignmentState.ENDED, None, _("The period ended."))
            ended += 1
    return ended


def roles_end_for_member(*, member: Member, reason: str, by: Member | None) -> None:
    """Registered with members.hooks: called with the member row locked, inside the
    transaction that is taking the member's rights away. Ends every seat and assignment,
    then tells the Steering Committee in neutral words."""
    ended_any = False
    for seat in (
        Seat.objects.select_for_update()
        .select_related("member__user")
        .filter(member=member, ended_on__isnull=True)
    ):
        _seat_close(seat, by=by, reason=reason)
        ended_any = True
    for assignment in SpokespersonAssignment.objects.select_for_update().filter(
        member=member, state__in=ACTIVE_ASSIGNMENT_STATES
    ):
        _close(assignment, AssignmentState.ENDED, by, reason)
        ended_any = True
    if ended_any:
        _sync_committee_group(member)
        for recipient in selectors.committee_members().exclude(pk=member.pk):
            send_member_mail(recipient, "committee_roles_changed")
