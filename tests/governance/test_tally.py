import pytest

from governance import tally
from governance.models import MajorityRule, Outcome


def decide(yes, no, abstain=0, roll=100, rule=MajorityRule.SIMPLE, quorum=0):
    return tally.decide(
        yes=yes, no=no, abstain=abstain, roll_size=roll, rule=rule, quorum_percent=quorum
    ).outcome


@pytest.mark.parametrize(
    "yes,no,outcome",
    [(6, 5, Outcome.ADOPTED), (5, 5, Outcome.REJECTED), (0, 0, Outcome.REJECTED)],
)
def test_simple_majority_and_ties(yes, no, outcome):
    assert decide(yes, no) == outcome


@pytest.mark.parametrize(
    "yes,no,outcome",
    [
        (2, 1, Outcome.ADOPTED),  # exactly two-thirds
        (20, 10, Outcome.ADOPTED),
        (19, 10, Outcome.REJECTED),  # just under
        (1, 1, Outcome.REJECTED),
        (0, 0, Outcome.REJECTED),
    ],
)
def test_two_thirds_boundary(yes, no, outcome):
    assert decide(yes, no, rule=MajorityRule.TWO_THIRDS) == outcome


def test_two_thirds_ignores_abstentions():
    assert decide(2, 1, abstain=50, rule=MajorityRule.TWO_THIRDS) == Outcome.ADOPTED


@pytest.mark.parametrize(
    "yes,roll,outcome",
    [(5, 10, Outcome.REJECTED), (6, 10, Outcome.ADOPTED), (5, 9, Outcome.ADOPTED)],
)
def test_absolute_majority_of_the_roll(yes, roll, outcome):
    assert decide(yes, 0, roll=roll, rule=MajorityRule.ABSOLUTE) == outcome


@pytest.mark.parametrize(
    "yes,no,abstain,roll,quorum,outcome",
    [
        (2, 1, 0, 10, 30, Outcome.ADOPTED),  # quorum exactly met
        (2, 0, 0, 10, 30, Outcome.NO_QUORUM),  # one short
        (1, 0, 2, 10, 30, Outcome.ADOPTED),  # abstentions count toward quorum
        (0, 0, 3, 10, 30, Outcome.REJECTED),  # quorum met by abstentions, no majority
        (0, 0, 0, 0, 50, Outcome.REJECTED),  # empty roll: quorum trivially met
    ],
)
def test_quorum_boundaries(yes, no, abstain, roll, quorum, outcome):
    assert decide(yes, no, abstain=abstain, roll=roll, quorum=quorum) == outcome
