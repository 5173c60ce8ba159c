"""Counting an election: single transferable vote under the Scottish STV rules.

The rule set is the one the Scottish Local Government Elections Order 2007 (SSI 2007/42,
schedule 1, rules 45 to 52) prescribes for council elections, chosen because it is
published, in force and short enough to check by hand:

- the quota is floor(valid ballots / (seats + 1)) + 1 (Droop, rule 46);
- a candidate reaching the quota is elected (rule 47); the largest surplus is transferred
  first (rule 49), each paper carrying `value x surplus / votes`, truncated to five
  decimals (rule 48(3));
- with no surplus to transfer, the candidate with the fewest votes is excluded and their
  papers pass on at the value they arrived with (rule 50);
- when as many candidates continue as seats remain, they are elected (rule 52).

Ties (rules 49(2), 51(2)): the candidates' votes at the most recent earlier stage at which
they differed decide (the highest surplus goes first, the lowest is excluded); if they
were equal at every stage, the rules' "lot" is `lot_order`, a sequence of the candidates
fixed before the count (services.lot_order derives it from the election's id, so anyone
can reproduce it). The first of the tied candidates in `lot_order` is chosen.

Arithmetic is exact: votes are integers in hundred-thousandths of a vote, as the rules'
five decimals are. docs/elections.md describes the method; tests/elections/test_counting.py
checks it against reference counts of Glasgow's 2007 council elections.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Votes are counted in units of 1/SCALE: the rules' five decimal places.
SCALE = 100_000


class Action:
    FIRST = "first"  # first preferences
    SURPLUS = "surplus"  # a surplus transferred
    EXCLUSION = "exclusion"  # an excluded candidate's papers transferred


class TieBreak:
    NONE = ""
    EARLIER_STAGE = "earlier_stage"
    LOT = "lot"


@dataclass(frozen=True)
class Stage:
    """One stage of the count: what was done and every candidate's votes after it."""

    action: str
    # The candidate whose surplus or papers were transferred (None at the first stage).
    candidate: int | None
    votes: tuple[int, ...]
    # The value of papers exhausted (no further continuing candidate ranked) so far.
    non_transferable: int
    # The fractions of votes the truncation of transfer values has dropped so far.
    lost_to_rounding: int
    # Candidates who reached the quota at the end of this stage, in the order elected.
    elected: tuple[int, ...]
    tie_break: str = TieBreak.NONE


@dataclass(frozen=True)
class Result:
    seats: int
    valid_ballots: int
    quota: int
    stages: tuple[Stage, ...]
    # In the order they were elected.
    elected: tuple[int, ...]
    # In the order they were excluded or, at the end, left unelected.
    defeated: tuple[int, ...]

    def order(self) -> tuple[int, ...]:
        """Every candidate in the order of the count: the elected as elected, then the
        unelected from the last still standing to the first excluded. The seat of a
        winner who cannot take it goes to the first unelected candidate in this order."""
        return self.elected + tuple(reversed(self.defeated))


@dataclass
class _Parcel:
    """Identical ballots: a ranking, how many papers, the value of each and the index of
    the preference they are counted for now."""

    ranking: tuple[int, ...]
    papers: int
    value: int = SCALE
    at: int = 0


@dataclass
class _Count:
    candidates: int
    seats: int
    lot_order: Sequence[int]
    parcels: list[_Parcel]
    votes: list[int] = field(default_factory=list)
    hopeful: set[int] = field(default_factory=set)
    pending: list[int] = field(default_factory=list)
    elected: list[int] = field(default_factory=list)
    defeated: list[int] = field(default_factory=list)
    history: list[tuple[int, ...]] = field(default_factory=list)
    exhausted: int = 0

    def top(self, parcel: _Parcel) -> int | None:
        while parcel.at < len(parcel.ranking):
            candidate = parcel.ranking[parcel.at]
            if candidate in self.hopeful:
                return candidate
            parcel.at += 1
        return None

    def seats_left(self) -> int:
        return self.seats - len(self.elected)

    def complete(self) -> bool:
        return self.seats_left() <= 0 or len(self.hopeful) <= self.seats_left()

    def break_tie(self, tied: list[int], *, highest: bool) -> tuple[int, str]:
        if len(tied) == 1:
            return tied[0], TieBreak.NONE
        for votes in reversed(self.history):
            extreme = (max if highest else min)(votes[c] for c in tied)
            at_extreme = [c for c in tied if votes[c] == extreme]
            if len(at_extreme) == 1:
                return at_extreme[0], TieBreak.EARLIER_STAGE
        return next(c for c in self.lot_order if c in tied), TieBreak.LOT

    def transfer(self, candidate: int, surplus: int | None = None) -> None:
        """Pass `candidate`'s papers on: at their value (an exclusion) or, given the
        surplus, at `value x surplus / votes` truncated (rule 48(3))."""
        received = self.votes[candidate]
        for parcel in self.parcels:
            if parcel.at >= len(parcel.ranking) or parcel.ranking[parcel.at] != candidate:
                continue
            if surplus is not None:
                parcel.value = parcel.value * surplus // received
            receiver = self.top(parcel)
            if receiver is None:
                self.exhausted += parcel.value * parcel.papers
            else:
                self.votes[receiver] += parcel.value * parcel.papers

    def elect_with_quota(self, quota: int) -> list[int]:
        reached = sorted(
            (c for c in self.hopeful if self.votes[c] >= quota),
            key=lambda c: -self.votes[c],
        )
        for candidate in reached:
            self.hopeful.remove(candidate)
            self.pending.append(candidate)
            self.elected.append(candidate)
        return reached


def count(
    *,
    candidates: int,
    seats: int,
    ballots: Iterable[Sequence[int]],
    lot_order: Sequence[int] | None = None,
) -> Result:
    """Count `ballots` (each a ranking of candidate numbers 0..candidates-1, most
    preferred first; an empty ranking is a blank ballot and not counted) for `seats`."""
    if lot_order is None:
        lot_order = range(candidates)
    if sorted(lot_order) != list(range(candidates)):
        raise ValueError("lot_order must name every candidate once")
    rankings = Counter(tuple(ranking) for ranking in ballots if ranking)
    for ranking in rankings:
        if len(set(ranking)) != len(ranking) or not all(0 <= c < candidates for c in ranking):
            raise ValueError(f"invalid ranking {ranking!r}")
    state = _Count(
        candidates=candidates,
        seats=seats,
        lot_order=lot_order,
        parcels=[_Parcel(ranking, papers) for ranking, papers in rankings.items()],
        votes=[0] * candidates,
        hopeful=set(range(candidates)),
    )
    valid = sum(rankings.values())
    total = valid * SCALE
    quota = (valid // (seats + 1) + 1) * SCALE
    for parcel in state.parcels:
        state.votes[parcel.ranking[0]] += parcel.value * parcel.papers

    stages: list[Stage] = []

    def record(action: str, candidate: int | None, tie_break: str, elected: list[int]) -> None:
        votes = tuple(state.votes)
        state.history.append(votes)
        stages.append(
            Stage(
                action,
                candidate,
                votes,
                state.exhausted,
                total - sum(votes) - state.exhausted,
                tuple(elected),
                tie_break,
            )
        )

    record(Action.FIRST, None, TieBreak.NONE, state.elect_with_quota(quota))
    while not state.complete():
        if state.pending:
            high = max(state.votes[c] for c in state.pending)
            candidate, tie_break = state.break_tie(
                [c for c in state.pending if state.votes[c] == high], highest=True
            )
            state.pending.remove(candidate)
            state.transfer(candidate, surplus=state.votes[candidate] - quota)
            state.votes[candidate] = quota
            record(Action.SURPLUS, candidate, tie_break, state.elect_with_quota(quota))
            continue
        low = min(state.votes[c] for c in state.hopeful)
        candidate, tie_break = state.break_tie(
            [c for c in state.hopeful if state.votes[c] == low], highest=False
        )
        state.hopeful.remove(candidate)
        state.defeated.append(candidate)
        state.transfer(candidate)
        state.votes[candidate] = 0
        # Rule 52 comes before rule 47: once the continuing candidates fill the remaining
        # seats, nobody else is elected by quota at this stage.
        record(
            Action.EXCLUSION,
            candidate,
            tie_break,
            [] if state.complete() else state.elect_with_quota(quota),
        )
    if state.seats_left() > 0:
        for candidate in sorted(state.hopeful, key=lambda c: -state.votes[c]):
            state.elected.append(candidate)
    else:
        remaining = sorted(state.hopeful, key=lambda c: state.votes[c])
        state.defeated.extend(remaining)
    return Result(
        seats=seats,
        valid_ballots=valid,
        quota=quota,
        stages=tuple(stages),
        elected=tuple(state.elected),
        defeated=tuple(state.defeated),
    )
