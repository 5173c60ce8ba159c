"""The arithmetic of a result: majority rules and quorum, in exact integers (no floats, so
"exactly two-thirds" is exactly two-thirds)."""

from dataclasses import dataclass

from .models import MajorityRule, Outcome


@dataclass(frozen=True)
class Result:
    yes: int
    no: int
    abstain: int
    roll_size: int
    quorum_met: bool
    outcome: str

    @property
    def turnout(self) -> int:
        return self.yes + self.no + self.abstain


def quorum_met(*, turnout: int, roll_size: int, quorum_percent: int) -> bool:
    """Abstentions count toward the quorum: turnout / roll >= quorum %."""
    return turnout * 100 >= quorum_percent * roll_size


def majority_reached(*, yes: int, no: int, roll_size: int, rule: str) -> bool:
    if rule == MajorityRule.SIMPLE:
        return yes > no  # a tie is not a majority
    if rule == MajorityRule.TWO_THIRDS:
        return yes + no > 0 and 3 * yes >= 2 * (yes + no)
    if rule == MajorityRule.ABSOLUTE:
        return 2 * yes > roll_size  # more than half of everyone on the roll
    raise ValueError(f"unknown majority rule {rule!r}")


def majority_base(*, yes: int, no: int, roll_size: int, rule: str) -> int:
    """The number the rule measures yes against: the yes and no votes (abstentions apart)
    for a simple or two-thirds majority, the whole roll for an absolute majority."""
    if rule in (MajorityRule.SIMPLE, MajorityRule.TWO_THIRDS):
        return yes + no
    if rule == MajorityRule.ABSOLUTE:
        return roll_size
    raise ValueError(f"unknown majority rule {rule!r}")


def decide(
    *, yes: int, no: int, abstain: int, roll_size: int, rule: str, quorum_percent: int
) -> Result:
    met = quorum_met(turnout=yes + no + abstain, roll_size=roll_size, quorum_percent=quorum_percent)
    if not met:
        outcome = Outcome.NO_QUORUM
    elif majority_reached(yes=yes, no=no, roll_size=roll_size, rule=rule):
        outcome = Outcome.ADOPTED
    else:
        outcome = Outcome.REJECTED
    return Result(yes, no, abstain, roll_size, met, outcome)
