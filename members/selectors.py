"""Reads shared by views, admin and commands."""

from django.contrib.auth.models import Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Concat

from core.prepared_queries import Prepared

from . import hooks, roles
from .models import (
    ApplicationDecision,
    Member,
    MembershipApplication,
    MembershipState,
    StatusChangeRequest,
    User,
)


def member_for_user(user) -> Member | None:
    """The member record of `user`, or None. The request's user comes with it already
    (`user_for_request`), so this costs no query there."""
    if not user.is_authenticated:
        return None
    try:
        return user.member
    except Member.DoesNotExist:
        return None


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


def waiting_counts() -> dict[str, int]:
    """How many applications and status change requests wait for a coordinator, in one
    query (the coordinators' dashboard shows both). Two scalar subqueries: an aggregate
    over one table would give no count of the other when the first is empty."""
    applications = MembershipApplication._meta.db_table
    status_changes = StatusChangeRequest._meta.db_table
    pending = ApplicationDecision.PENDING
    with connection.cursor() as cursor:
        # Table names from the models' own metadata, never from input.
        query = (
            f"SELECT (SELECT count(*) FROM {applications} WHERE decision = %s),"  # noqa: S608  # nosec B608
            f" (SELECT count(*) FROM {status_changes} WHERE decision = %s)"
        )
        cursor.execute(query, [pending, pending])
        (application_count, status_change_count) = cursor.fetchone()
    return {"applications": application_count, "status_changes": status_change_count}


def status_changes_of(member: Member) -> QuerySet[StatusChangeRequest]:
    return StatusChangeRequest.objects.filter(member=member).order_by("-requested_at")


def _user_for_request_query(*, user_id: int) -> QuerySet[User]:
    permission_name = Concat("content_type__app_label", Value("."), "codename")
    role_requires_second_factor = Q(
        Exists(
            User.groups.through.objects.filter(
                user_id=OuterRef("pk"), group__name__in=roles.SECOND_FACTOR_GROUPS
            )
        )
    )
    for condition in hooks.second_factor_conditions():
        role_requires_second_factor |= condition()
    return (
        User.objects.select_related("member")
        .annotate(
            user_permission_names=ArraySubquery(
                Permission.objects.filter(user=OuterRef("pk"))
                .annotate(full_name=permission_name)
                .values("full_name")
            ),
            group_permission_names=ArraySubquery(
                Permission.objects.filter(group__user=OuterRef("pk"))
                .annotate(full_name=permission_name)
                .values("full_name")
            ),
            role_requires_second_factor=ExpressionWrapper(
                role_requires_second_factor, output_field=BooleanField()
            ),
        )
        .filter(pk=user_id)
    )


# Built and compiled once per process (the second-factor conditions are registered by the
# apps' ready(), before the first request), then only run: core/prepared_queries.py.
_user_for_request = Prepared(_user_for_request_query, "user_id")


def user_for_request(user_id) -> User | None:
    """The logged-in user of a request, in one query with what nearly every page asks next:
    their member record (`user.member`), their permission names (Django's permission
    caches, so `perms.*` in templates and `has_perm` need no query of their own) and whether
    a role requires a second factor (`role_requires_second_factor`, read by
    `permissions.requires_second_factor`). Used by the authentication backends
    (rosealliance/auth_backends.py) on every request."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    found = _user_for_request(user_id=user_id)
    user = found[0] if found else None
    if user is not None and not user.is_superuser:
        # ModelBackend's own caches (it fills them the same way on first use); a superuser
        # holds every permission, which ModelBackend works out itself.
        user._user_perm_cache = set(user.user_permission_names)
        user._group_perm_cache = set(user.group_permission_names)
        user._perm_cache = user._user_perm_cache | user._group_perm_cache
    return user


def members_for_coordinators(search: str = ""):
    """Members whose membership a coordinator may suspend or reinstate (not applicants,
    rejected or erased ones), by pseudonym; `search` matches pseudonyms only."""
    queryset = Member.objects.filter(
        state__in=[
            MembershipState.ACTIVE,
            MembershipState.SUSPENDED,
            MembershipState.LAPSED,
            MembershipState.RESIGNED,
        ]
    ).order_by("pseudonym", "pk")
    if search:
        queryset = queryset.filter(pseudonym__icontains=search)
    return queryset
