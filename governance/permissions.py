"""Named predicates for governance."""

from django.db.models import Exists, OuterRef, Q

from members import eligibility
from members.models import Member

from . import selectors


def can_approve_spokespersons(user) -> bool:
    """Coordinators (and administrators) decide on spokesperson assignments."""
    return bool(user.is_authenticated and user.has_perm("governance.approve_spokesperson"))


def can_manage_seats(user) -> bool:
    """Steering Committee members (and administrators) manage seats in the admin."""
    return bool(user.is_authenticated and user.has_perm("governance.add_seat"))


def can_ask_to_be_spokesperson(member: Member | None) -> bool:
    """Only eligible members (active sex workers) may ask; allies see no way to."""
    return eligibility.is_eligible(member)


def is_committee_member(member: Member | None) -> bool:
    return member is not None and selectors.committee_members().filter(pk=member.pk).exists()


def can_manage_motions(user) -> bool:
    """Steering Committee members (and administrators) draft, open, close and publish."""
    return bool(user.is_authenticated and user.has_perm("governance.manage_motions"))


def can_see_results(user, motion) -> bool:
    """Results are hidden from everyone while voting is open; after the close the
    Steering Committee reviews them, and members see them once published."""
    if motion.state == "published":
        return True
    return motion.state == "closed" and can_manage_motions(user)


def can_vote(member: Member | None, motion) -> bool:
    """`motion` must come from selectors.motions_for_member (it carries on_roll and
    has_voted). Allies and ineligible members never get a ballot form."""
    return (
        eligibility.is_eligible(member)
        and motion.is_open_now
        and motion.on_roll
        and not motion.has_voted
    )


def holds_spokesperson_role(user) -> bool:
    """An approved spokesperson assignment: such accounts must have a second factor."""
    from .models import AssignmentState, SpokespersonAssignment

    return bool(
        user.is_authenticated
        and SpokespersonAssignment.objects.filter(
            member__user=user, state=AssignmentState.APPROVED
        ).exists()
    )


def holds_spokesperson_role_condition() -> Q:
    """`holds_spokesperson_role` as a condition on users, so that the query loading a
    request's user answers it (members.selectors.user_for_request)."""
    from .models import AssignmentState, SpokespersonAssignment

    return Q(
        Exists(
            SpokespersonAssignment.objects.filter(
                member__user_id=OuterRef("pk"), state=AssignmentState.APPROVED
            )
        )
    )


def can_confirm_seat_acts(user) -> bool:
    """Coordinators (and administrators) confirm the seat changes the committee proposes."""
    return bool(user.is_authenticated and user.has_perm("governance.confirm_seat_act"))


def can_confirm_motion_acts(member: Member | None) -> bool:
    """A motion act is confirmed by a (second) sitting Steering Committee member."""
    return member is not None and can_manage_motions(member.user) and is_committee_member(member)
