"""Reads shared by governance views, admin and services."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.prepared_queries import Prepared
from members.models import Member

from .models import (
    CHOICE_OF_CONTENT,
    AssignmentState,
    BallotKind,
    Choice,
    Motion,
    MotionState,
    RollEntry,
    Seat,
    SpokespersonAssignment,
    Voter,
    counted_ballots,
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


def _motions_for_member_query(*, member_id: int) -> QuerySet[Motion]:
    return (
        Motion.objects.exclude(state=MotionState.DRAFT)
        .select_related("box")
        .annotate(
            on_roll=Exists(
                RollEntry.objects.filter(box_id=OuterRef("box_id"), member_id=member_id)
            ),
            has_voted=Exists(Voter.objects.filter(box_id=OuterRef("box_id"), member_id=member_id)),
        )
    )


# The hot pages' reads, built and compiled once per process (core/prepared_queries.py).
_motions_for_member = Prepared(_motions_for_member_query, "member_id")
_open_motions_for_member = Prepared(
    lambda member_id: _motions_for_member_query(member_id=member_id).filter(state=MotionState.OPEN),
    "member_id",
)
_motion_for_member = Prepared(
    lambda member_id, motion_id: _motions_for_member_query(member_id=member_id).filter(
        pk=motion_id
    ),
    "member_id",
    "motion_id",
)


def motions_for_member(member: Member | None) -> list[Motion]:
    """Every motion members may see (not drafts), with its ballot box, each annotated with
    whether `member` is on its roll and has voted: one query however many motions there
    are."""
    return _motions_for_member(member_id=member.pk if member else 0)


def open_motions_for_member(member: Member | None) -> list[Motion]:
    """`motions_for_member`, open ones only."""
    return _open_motions_for_member(member_id=member.pk if member else 0)


def motion_for_member(motion_id: int, member: Member | None) -> Motion | None:
    found = _motion_for_member(member_id=member.pk if member else 0, motion_id=motion_id)
    return found[0] if found else None


def turnout_while_open(motion: Motion) -> int:
    """How many have voted so far: for the Steering Committee's eyes only."""
    return Voter.objects.filter(box_id=motion.box_id).count() if motion.box_id else 0


@dataclass(frozen=True)
class RollCallVote:
    voter: Member
    choice: str

    @property
    def choice_label(self) -> str:
        return Choice(self.choice).label


def roll_call_votes(motion: Motion) -> list[RollCallVote]:
    """Who voted what, for a closed roll-call motion (never for a secret one)."""
    if motion.ballot_kind != BallotKind.ROLL_CALL or not motion.box_id:
        return []
    choices = {b.voter_id: b.content for b in counted_ballots(motion.box_id) if b.voter_id}
    voters = Member.objects.filter(pk__in=choices).order_by("pseudonym")
    return [RollCallVote(voter, CHOICE_OF_CONTENT[bytes(choices[voter.pk])]) for voter in voters]


def pending_seat_acts():
    """Seat changes the committee proposed that wait for a coordinator, soonest to expire
    first (governance.services.acts)."""
    from django.utils import timezone

    from .models import SEAT_KINDS, ActState, PendingAct

    return (
        PendingAct.objects.filter(
            state=ActState.PENDING, kind__in=SEAT_KINDS, expires_at__gt=timezone.now()
        )
        .select_related("member", "seat", "proposed_by")
        .order_by("expires_at", "pk")
    )
