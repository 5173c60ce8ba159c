"""Extension points through which other apps react to membership events.

`members` must never import `governance`. When a member loses the right to hold roles
(status changed away from sex worker, or membership no longer active), governance has to
end their seats and assignments inside the same transaction. Governance registers its
handler here from its AppConfig.ready(); the members services call `rights_lost`.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import Q

if TYPE_CHECKING:
    from .models import Member

RightsLostHandler = Callable[..., None]
_rights_lost_handlers: list[RightsLostHandler] = []


def register_rights_lost_handler(handler: RightsLostHandler) -> None:
    """Register `handler(member=..., reason=..., by=...)`; registering twice is a no-op."""
    if handler not in _rights_lost_handlers:
        _rights_lost_handlers.append(handler)


def rights_lost(*, member: "Member", reason: str, by: "Member | None") -> None:
    """Called inside the transaction that is about to take a member's rights away, with
    the member row locked, before the row is written."""
    for handler in _rights_lost_handlers:
        handler(member=member, reason=reason, by=by)


# Who must log in with a second factor. `members.permissions.requires_second_factor`
# covers staff, superusers and the role groups it knows; other apps add their own rules
# here (governance: "holds an active spokesperson assignment") from AppConfig.ready().
SecondFactorRule = Callable[..., bool]
# A condition builder: `condition() -> Q` over User rows (an `Exists(... OuterRef("pk"))`),
# true exactly when `rule(user)` is. With one, `members.selectors.user_for_request` answers
# the rule inside the query that loads the request's user, instead of one query per request.
SecondFactorCondition = Callable[[], Q]
_second_factor_rules: list[SecondFactorRule] = []
_second_factor_conditions: dict[SecondFactorRule, SecondFactorCondition] = {}


def register_second_factor_rule(
    rule: SecondFactorRule, *, condition: SecondFactorCondition | None = None
) -> None:
    """Register `rule(user) -> bool`; True means that user must have a second factor.
    `condition`, when given, says the same as a query condition on users. Registering
    twice is a no-op."""
    if rule not in _second_factor_rules:
        _second_factor_rules.append(rule)
    if condition is not None:
        _second_factor_conditions[rule] = condition


def second_factor_rules() -> tuple[SecondFactorRule, ...]:
    return tuple(_second_factor_rules)


def second_factor_conditions() -> tuple[SecondFactorCondition, ...]:
    """The query conditions of the registered rules that have one."""
    return tuple(
        _second_factor_conditions[r] for r in _second_factor_rules if r in _second_factor_conditions
    )


def second_factor_rules_without_condition() -> tuple[SecondFactorRule, ...]:
    return tuple(r for r in _second_factor_rules if r not in _second_factor_conditions)
