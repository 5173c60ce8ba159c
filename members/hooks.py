"""Extension points through which other apps react to membership events.

`members` must never import `governance`. When a member loses the right to hold roles
(status changed away from sex worker, or membership no longer active), governance has to
end their seats and assignments inside the same transaction. Governance registers its
handler here from its AppConfig.ready(); the members services call `rights_lost`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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


# Members' data rights (members.data_rights). Other apps hold personal data about a member
# too (governance: seats, assignments, rolls, roll-call ballots); they contribute to a
# member's export and scrub their own rows on erasure through these registries, so that
# `members` never imports them.


@dataclass(frozen=True)
class PersonalDataPart:
    """One app's share of a member's export: JSON-ready `sections` (name -> data), and the
    audit targets `(model label, id)` that are the member's, so that the export can list
    the audit events about those rows too."""

    sections: dict[str, Any]
    audit_targets: list[tuple[str, int]] = field(default_factory=list)


DataExportProvider = Callable[..., PersonalDataPart]
_data_export_providers: list[DataExportProvider] = []


def register_data_export_provider(provider: DataExportProvider) -> None:
    """Register `provider(member=...) -> PersonalDataPart`; registering twice is a no-op."""
    if provider not in _data_export_providers:
        _data_export_providers.append(provider)


def data_export_parts(*, member: "Member") -> list[PersonalDataPart]:
    return [provider(member=member) for provider in _data_export_providers]


ErasureHandler = Callable[..., None]
_erasure_handlers: list[ErasureHandler] = []


def register_erasure_handler(handler: ErasureHandler) -> None:
    """Register `handler(member=...)`; registering twice is a no-op."""
    if handler not in _erasure_handlers:
        _erasure_handlers.append(handler)


def personal_data_erasing(*, member: "Member") -> None:
    """Called inside the erasure transaction, with the member row locked, every role
    already ended and the member row already the tombstone (state `erased`: the history
    tables' guards let their rows be deleted only then). Each handler deletes or
    blanks the personal data its app holds about `member`; rows that other records must
    keep pointing at (rolls, roll-call ballots, seats) stay, pointing at the tombstone."""
    for handler in _erasure_handlers:
        handler(member=member)
