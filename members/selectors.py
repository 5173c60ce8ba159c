"""Reads shared by views, admin and commands."""

from django.db.models import QuerySet

from .models import ApplicationDecision, Member, MembershipApplication, StatusChangeRequest


def member_for_user(user) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.filter(user=user).first()


def pending_applications() -> QuerySet[MembershipApplication]:
    return (
        MembershipApplication.objects.filter(decision=ApplicationDecision.PENDING)
        .select_related("member__user")
        .order_by("submitted_at")
    )


def pending_status_changes() -> QuerySet[StatusChangeRequest]:
    return (
        StatusChangeRequest.objects.filter(decision=ApplicationDecision.PENDING)
        .select_related("member")
        .order_by("requested_at")
    )


def status_changes_of(member: Member) -> QuerySet[StatusChangeRequest]:
    return StatusChangeRequest.objects.filter(member=member).order_by("-requested_at")
