"""Reads shared by governance views, admin and services."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from members.models import Member

from .models import AssignmentState, Seat, SpokespersonAssignment


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
