"""The count agrees, stage by stage, with reference counts under the Scottish STV rules.

fixtures/ holds, unchanged from Droop (https://github.com/jklundell/droop, commit
cf58293; Droop's source is GPL-licensed), each ballot file (`test/blt/scotland/<name>.blt`)
and Droop's count of it under its `scotland` rule
(`test/ref/dump/scotland/<name>-scotland-fixed-p5-d5.txt`). The Glasgow files are the
ballots of Glasgow City Council's 2007 ward elections, as OpenSTV's Jeffrey O'Neill
collected them (also in PrefLib, data set ED-00008). `weak-defeat` and `weak-surplus` are
Droop's own cases for the rules' tie-breaks.
"""

import pytest

from elections import counting

from .blt import read_blt, read_droop_dump

GLASGOW_2007 = ["Calton-2007", "Springburn-2007", "Anderston-City-2007", "Govan-2007"]


def _count(name):
    ballots = read_blt(name)
    result = counting.count(
        candidates=len(ballots.names), seats=ballots.seats, ballots=ballots.ballots
    )
    return ballots, result


@pytest.mark.parametrize("name", GLASGOW_2007 + ["weak-defeat", "weak-surplus"])
def test_count_agrees_with_the_reference_stage_by_stage(name):
    ballots, result = _count(name)
    reference = read_droop_dump(name)
    assert result.quota == reference.quota
    assert [stage.votes for stage in result.stages] == [s.votes for s in reference.stages]
    assert [stage.non_transferable for stage in result.stages] == [
        s.non_transferable for s in reference.stages
    ]
    # Droop lists the candidates elected at the end (rule 52) in ballot-file order, this
    # count by their votes: the same candidates.
    assert sorted(ballots.names[c] for c in result.elected) == sorted(reference.elected)
    assert len(result.elected) == ballots.seats


def test_glasgow_calton_2007_winners():
    """Calton's three winners by name, as the reference count has them (not checked here
    against the council's own declaration)."""
    ballots, result = _count("Calton-2007")
    assert {ballots.names[c] for c in result.elected} == {
        "George Redmond",
        "Alison E Thewliss",
        "Ruth Simpson",
    }


def test_ties_broken_by_an_earlier_stage_then_by_lot():
    ballots, result = _count("weak-defeat")
    # B and C tie at 3 after the first transfer; B had fewer first preferences.
    exclusion = result.stages[2]
    assert (ballots.names[exclusion.candidate], exclusion.tie_break) == ("B", "earlier_stage")
    ballots, result = _count("weak-surplus")
    ties = [(ballots.names[s.candidate], s.tie_break) for s in result.stages if s.tie_break]
    # B's and C's equal surpluses: B led at the first stage. E and F equal at every stage:
    # the lot (here the ballot file's order, as Droop's) excludes E.
    assert ties == [("B", "earlier_stage"), ("E", "lot")]
    assert read_droop_dump("weak-surplus").ties == 2


def test_lot_order_decides_a_complete_tie():
    ballots = [(0,), (1,), (2, 0), (2, 1)]
    first = counting.count(candidates=3, seats=2, ballots=ballots, lot_order=[0, 1, 2])
    second = counting.count(candidates=3, seats=2, ballots=ballots, lot_order=[1, 0, 2])
    # Candidate 2 reaches the quota (2) with a surplus of 0; candidates 0 and 1 then tie
    # at every stage, and the lot excludes the first of them in its order.
    assert first.stages[-1].tie_break == counting.TieBreak.LOT
    assert (first.elected, first.defeated) == ((2, 1), (0,))
    assert (second.elected, second.defeated) == ((2, 0), (1,))


def test_order_puts_the_last_unelected_first_after_the_winners():
    _, result = _count("Calton-2007")
    order = result.order()
    assert order[: len(result.elected)] == result.elected
    assert order[len(result.elected)] == result.defeated[-1]
    assert sorted(order) == list(range(10))


def test_blank_ballots_are_not_counted_and_bad_rankings_refused():
    result = counting.count(candidates=2, seats=1, ballots=[(), (0,), (0, 1), (1,)])
    assert result.valid_ballots == 3 and result.elected == (0,)
    with pytest.raises(ValueError):
        counting.count(candidates=2, seats=1, ballots=[(0, 0)])
    with pytest.raises(ValueError):
        counting.count(candidates=2, seats=1, ballots=[(2,)])
    with pytest.raises(ValueError):
        counting.count(candidates=2, seats=1, ballots=[(0,)], lot_order=[0, 0])
