"""Reading the reference counts in fixtures/: ballot files in the BLT format (Hill, Wichmann
and Woodall, "Algorithm 123", 1987) and Droop's stage-by-stage dumps of its count."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from elections.counting import SCALE

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class BallotFile:
    names: list[str]
    seats: int
    ballots: list[tuple[int, ...]]


def read_blt(name: str) -> BallotFile:
    """`<candidates> <seats>`, then `<papers> <preferences...> 0` per line, `0`, the
    candidates' quoted names and the title (none of these files withdraws a candidate)."""
    lines = (FIXTURES / f"{name}.blt").read_text().splitlines()
    candidates, seats = map(int, lines[0].split())
    ballots = []
    index = 1
    while lines[index].strip() != "0":
        papers, *preferences = map(int, lines[index].split())
        assert preferences[-1] == 0
        ballots += [tuple(p - 1 for p in preferences[:-1])] * papers
        index += 1
    names = [line.strip().strip('"') for line in lines[index + 1 : index + 1 + candidates]]
    return BallotFile(names, seats, ballots)


@dataclass(frozen=True)
class ReferenceStage:
    votes: tuple[int, ...]
    non_transferable: int


@dataclass(frozen=True)
class ReferenceCount:
    quota: int
    stages: list[ReferenceStage]
    elected: list[str]
    ties: int


def _units(text: str) -> int:
    return int(Decimal(text) * SCALE)


def read_droop_dump(name: str) -> ReferenceCount:
    """Droop's `dump` report: a tab-separated line per action; `begin` and `transfer`
    lines end a stage, `elect` lines name the elected in order, `tie` lines a tie broken."""
    stages, elected, ties, quota = [], [], 0, 0
    for line in (FIXTURES / f"{name}.droop-dump.txt").read_text().splitlines()[1:]:
        fields = line.split("\t")
        action = fields[1]
        if action == "tie":
            ties += 1
        if action not in ("begin", "transfer", "elect"):
            continue
        quota = _units(fields[2])
        columns = [fields[i : i + 3] for i in range(4, len(fields), 3)]
        if action == "elect":
            elected += [n for n, state, _ in columns if state in "eE" and n not in elected]
            continue
        votes = tuple(_units(vote) for _, _, vote in columns)
        stages.append(ReferenceStage(votes, _units(fields[3])))
    return ReferenceCount(quota, stages, elected, ties)
