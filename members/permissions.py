"""Named predicates for who may see or do what in the members app."""


def can_review_status(user) -> bool:
    """May see other members' status (sex worker or ally). Coordinators and
    administrators only: status is the most sensitive fact we hold."""
    return bool(user.is_authenticated and user.has_perm("members.review_status"))


def can_approve_membership(user) -> bool:
    """May approve or reject membership applications and status changes."""
    return bool(user.is_authenticated and user.has_perm("members.approve_membership"))
