"""THE rule: only an active member whose recorded status is *sex worker* may hold a
Steering Committee seat, cast a ballot, or hold a spokesperson assignment.

This module is the only Python definition of it. Services call `ensure_eligible` inside
their transaction after locking the member row; model `clean()` methods call it so forms
show a field error; the database enforces the same rule with named triggers, whose
violations `message_for_database_error` turns into the same message.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members.models import Member, MembershipState, Status

NOT_SEX_WORKER = "not_sex_worker"
MEMBERSHIP_NOT_ACTIVE = "membership_not_active"

MESSAGES = {
    NOT_SEX_WORKER: _(
        "Only sex workers can sit on the Steering Committee, vote or speak for the network."
    ),
    MEMBERSHIP_NOT_ACTIVE: _("Only members whose membership is active can do this."),
}


def eligibility_error(member: Member) -> ValidationError | None:
    """The reason `member` may not hold a right, or None when they may."""
    if member.state != MembershipState.ACTIVE:
        return ValidationError(MESSAGES[MEMBERSHIP_NOT_ACTIVE], code=MEMBERSHIP_NOT_ACTIVE)
    if member.status != Status.SEX_WORKER:
        return ValidationError(MESSAGES[NOT_SEX_WORKER], code=NOT_SEX_WORKER)
    return None


def is_eligible(member: Member | None) -> bool:
    """True when the member may sit on the committee, vote and be a spokesperson."""
    return member is not None and eligibility_error(member) is None


def ensure_eligible(member: Member) -> None:
    """Raise the rule's ValidationError when `member` is not eligible."""
    error = eligibility_error(member)
    if error is not None:
        raise error


# The named database guards that back this rule (see governance/models/roles.py and the
# migrations). A violation of any of them means the same thing as the Python check.
DATABASE_GUARDS = (
    "seat_holder_must_be_active_sex_worker",
    "spokesperson_must_be_active_sex_worker",
    "member_with_roles_must_stay_active_sex_worker",
)


def error_from_database(error: Exception) -> ValidationError | None:
    """Translate a violation of one of the rule's database guards into the rule's own
    ValidationError, so every entry point shows it the same way; None for anything else."""
    text = str(error)
    for guard in DATABASE_GUARDS:
        if guard in text:
            return ValidationError(MESSAGES[NOT_SEX_WORKER], code=NOT_SEX_WORKER)
    return None


def sql_condition(member: str) -> str:
    """The rule as an SQL condition on the `members_member` row aliased `member`, for the
    database guards (rendered from the same choices as the Python predicate)."""
    return (
        f"{member}.state = '{MembershipState.ACTIVE.value}'"
        f" AND {member}.status = '{Status.SEX_WORKER.value}'"
    )
