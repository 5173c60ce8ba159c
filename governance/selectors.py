"""Reads shared by governance views, admin and services."""

import datetime

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from members.models import Member

from .models import (
    AssignmentState,
    Ballot,
    BallotKind,
    Motion,
    MotionState,
    MotionVoters,
    RollEntry,
    Seat,
    SpokespersonAssignment,
)


def active_seats() -> QuerySet[Seat]:
    """Seats held today."""
    today = timezone.localdate()
    return (
        Seat.objects.filter(ended_on__isnull=True, term_start__lte=today, term_end__gte=today)
        .select_related("member")
        .order_by("position", "member__pseudonym")
    )


def committee_members() -> QuerySet[Member]:
    """The members who hold a Steering Committee seat today."""
    return Member.objects.filter(pk__in=active_seats().values("member_id"))


def position_holders_during(
    position: str, start: datetime.date, end: datetime.date
) -> QuerySet[Seat]:
    """Seats of `position` whose occupied days overlap [start, end]."""
    return Seat.objects.filter(position=position, term_start__lte=end).filter(
        Q(ended_on__isnull=True, term_end__gte=start) | Q(ended_on__gt=start)
    )


def approved_spokespersons() -> QuerySet[SpokespersonAssignment]:
    today = timezone.localdate()
    return (
        SpokespersonAssignment.objects.filter(state=AssignmentState.APPROVED, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("member")
        .prefetch_related("topics")
        .order_by("member__pseudonym")
    )


def assignments_of(member: Member) -> QuerySet[SpokespersonAssignment]:
    return (
        SpokespersonAssignment.objects.filter(member=member)
        .prefetch_related("topics")
        .order_by("-proposed_at")
    )


def pending_assignments() -> QuerySet[SpokespersonAssignment]:
    return (
        SpokespersonAssignment.objects.filter(state=AssignmentState.PROPOSED)
        .select_related("member", "proposed_by")
        .prefetch_related("topics")
        .order_by("proposed_at")
    )


# Motions ---------------------------------------------------------------------------------


def motions_for_member(member: Member | None) -> QuerySet[Motion]:
    """Every motion members may see (not drafts), each annotated with whether `member` is
    on its roll and has voted: one query however many motions there are."""
    member_id = member.pk if member else 0
    return Motion.objects.exclude(state=MotionState.DRAFT).annotate(
        on_roll=Exists(RollEntry.objects.filter(motion=OuterRef("pk"), member_id=member_id)),
        # Only open motions need it; CASE spares reading (and unpacking) the voters arrays
        # of every closed motion, which grow with each motion's turnout.
        has_voted=Case(
            When(
                state=MotionState.OPEN,
                then=Exists(
                    MotionVoters.objects.filter(
                        motion=OuterRef("pk"), voter_ids__contains=[member_id]
                    )
                ),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def motion_for_member(motion_id: int, member: Member | None) -> Motion | None:
    return motions_for_member(member).filter(pk=motion_id).first()


def turnout_while_open(motion: Motion) -> int:
    """How many have voted so far: for the Steering Committee's eyes only."""
    voters = MotionVoters.objects.filter(motion=motion).values_list("voter_ids", flat=True).first()
    return len(voters or [])


def roll_call_votes(motion: Motion) -> QuerySet[Ballot]:
    """Who voted what, for a closed roll-call motion (never for a secret one)."""
    if motion.ballot_kind != BallotKind.ROLL_CALL:
        return Ballot.objects.none()
    return (
        Ballot.objects.filter(motion=motion, voter__isnull=False)
        .select_related("voter")
        .order_by("voter__pseudonym")
    )
