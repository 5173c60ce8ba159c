"""Named predicates for governance."""

from members.models import Member

from . import eligibility, selectors


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
