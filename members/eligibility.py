"""THE rule: only an active member whose recorded status is *sex worker* may hold a
Steering Committee seat, cast a ballot, or hold a spokesperson assignment.

This module is the only definition of it. `RULE` below states it once, as the values
the member's fields must hold; every form of the rule is generated from it:

- the Python predicate (`eligibility_error`, `is_eligible`, `ensure_eligible`), which
  services call inside their transaction after locking the member row;
- the ORM filter (`eligible_q`), for electorates and lists;
- the SQL condition (`sql_condition`), which every database guard and SQL function
  embeds (governance's models render their triggers with it, so a change here makes
  `makemigrations` write the migration that reinstalls them; `sql_functions` renders the
  SQL functions installed by migrations);
- `loses_rights(before, after)`, for members' own services deciding whether a change of
  state or status ends a member's roles.

Changing the rule means changing `RULE` (and, for a new kind of condition, the messages),
then `makemigrations`. tests/members/test_eligibility_rule.py checks that nothing else
spells the rule and that a change here changes the guards' SQL.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.guard_registry import RULE_GUARDS

from .choices import MembershipState, Status

if TYPE_CHECKING:
    from .models import Member

NOT_SEX_WORKER = "not_sex_worker"
MEMBERSHIP_NOT_ACTIVE = "membership_not_active"

# The rule, once: (field, required value, the refusal's code), checked in this order (a
# suspended sex worker is told their membership is not active, not that they are no sex
# worker).
RULE = (
    ("state", MembershipState.ACTIVE, MEMBERSHIP_NOT_ACTIVE),
    ("status", Status.SEX_WORKER, NOT_SEX_WORKER),
)

MESSAGES = {
    NOT_SEX_WORKER: _(
        "Only sex workers can sit on the Steering Committee, vote or speak for the network."
    ),
    MEMBERSHIP_NOT_ACTIVE: _("Only members whose membership is active can do this."),
}


def eligibility_error(member: "Member") -> ValidationError | None:
    """The reason `member` may not hold a right, or None when they may."""
    for field, required, code in RULE:
        if getattr(member, field) != required:
            return ValidationError(MESSAGES[code], code=code)
    return None


def is_eligible(member: "Member | None") -> bool:
    """True when the member may sit on the committee, vote and be a spokesperson."""
    return member is not None and eligibility_error(member) is None


def ensure_eligible(member: "Member") -> None:
    """Raise the rule's ValidationError when `member` is not eligible."""
    error = eligibility_error(member)
    if error is not None:
        raise error


def loses_rights(before: "Member", after: "Member") -> bool:
    """True when a change from `before` to `after` (two states of one member) takes away
    rights the member held: their roles must end first."""
    return is_eligible(before) and not is_eligible(after)


def eligible_q(prefix: str = "") -> Q:
    """The rule as an ORM filter on members (`prefix` reaches them through a relation,
    e.g. "member__")."""
    return Q(**{f"{prefix}{field}": str(required) for field, required, _code in RULE})


def sql_condition(member: str) -> str:
    """The rule as an SQL condition on the `members_member` row aliased `member`, for the
    database guards and functions (values rendered from the choices, never typed)."""
    return " AND ".join(f"{member}.{field} = '{required}'" for field, required, _ in RULE)


def sql_negation(member: str) -> str:
    """The rule's negation on a row aliased `member` (for a trigger's WHEN clause)."""
    return f"NOT ({sql_condition(member)})"


def error_from_database(error: Exception, member: "Member | None" = None) -> ValidationError | None:
    """Translate a violation of one of the rule's database guards into the rule's own
    ValidationError, so every entry point shows it the same way; None for anything else.
    Given the member, the reason is theirs as the database holds it now (a suspended
    member is told their membership is not active)."""
    text = str(error)
    if not any(guard in text for guard in RULE_GUARDS):
        return None
    if member is not None:
        current = type(member).objects.filter(pk=member.pk).only("state", "status").first()
        reason = eligibility_error(current) if current is not None else None
        if reason is not None:
            return reason
    return ValidationError(MESSAGES[NOT_SEX_WORKER], code=NOT_SEX_WORKER)
