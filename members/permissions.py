"""Named predicates for who may see or do what in the members app."""

from . import hooks, roles


def can_review_status(user) -> bool:
    """May see other members' status (sex worker or ally). Coordinators and
    administrators only: status is the most sensitive fact we hold."""
    return bool(user.is_authenticated and user.has_perm("members.review_status"))


def can_approve_membership(user) -> bool:
    """May approve or reject membership applications and status changes."""
    return bool(user.is_authenticated and user.has_perm("members.approve_membership"))


def can_manage_membership(user) -> bool:
    """May suspend and reinstate memberships: coordinators and administrators."""
    return can_approve_membership(user)


def can_see_addresses(user) -> bool:
    """May see and search members' e-mail addresses: coordinators (who contact applicants
    and members) and administrators, as the application form promises."""
    return can_approve_membership(user)


# Members of these groups hold powers over other members' data or the organisation's
# decisions, so their accounts must not fall to a guessed or phished password.
SECOND_FACTOR_GROUPS = roles.SECOND_FACTOR_GROUPS


def requires_second_factor(user) -> bool:
    """Must log in with a second factor (TOTP or a security key) before reaching anything
    beyond the second-factor setup pages: staff, superusers, coordinators, Steering
    Committee members, and whoever a rule registered through
    `members.hooks.register_second_factor_rule` names (governance adds spokespersons)."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    # Answered already by the query that loaded the request's user (selectors.user_for_request)
    # for the groups and every rule registered with a query condition.
    by_role = getattr(user, "role_requires_second_factor", None)
    if by_role is None:
        if user.groups.filter(name__in=SECOND_FACTOR_GROUPS).exists():
            return True
        return any(rule(user) for rule in hooks.second_factor_rules())
    return by_role or any(rule(user) for rule in hooks.second_factor_rules_without_condition())


def member_or_403(request):
    """The requesting user's membership record; a 403 for an account without one (an
    administrator created with createsuperuser, say)."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from .selectors import member_for_user

    member = member_for_user(request.user)
    if member is None:
        raise PermissionDenied(_("This account has no membership record."))
    return member
