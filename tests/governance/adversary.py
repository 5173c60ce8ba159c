"""An adversary who holds the database and tries to tell how members voted.

It gathers *observations*: whatever it can read, each a bag of facts (transaction ids,
backend pids, member ids, receipt hashes). Observations that share a transaction id or a
backend pid are joined, as anyone correlating the sources would, and a group that ends up
with exactly one voter and one receipt hash is a claimed link. A receipt hash is as good as
a choice: the counted ballots (published after the close) pair each receipt hash with its
choice. `links()` scores the claims against the truth.

Sources (tests/governance/test_unlinkability.py): a read-only role polling tables, locks
and statements while the vote is open; raw heap pages read by a superuser (pageinspect),
dead tuples and freed bytes included; the WAL written during the vote and the close; a
pg_dump.
"""

import struct
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

WAL_PAGE = 8192
SHORT_PAGE_HEADER = 24
LONG_PAGE_HEADER = 40


@dataclass
class Observation:
    source: str
    xids: set[str] = field(default_factory=set)
    pids: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    receipts: set[bytes] = field(default_factory=set)


@dataclass(frozen=True)
class Truth:
    """What the test knows: each voter's member id, receipt hash, and box."""

    box_id: int
    receipt_of: dict[int, bytes]  # member id -> receipt hash

    @property
    def member_of(self) -> dict[bytes, int]:
        return {receipt: member for member, receipt in self.receipt_of.items()}

    # Computed once: the adversary searches every page, record and row for them.
    @cached_property
    def voter_patterns(self) -> dict[bytes, int]:
        return {voter_pattern(self.box_id, m): m for m in self.receipt_of}

    @cached_property
    def receipts_in_hex(self) -> dict[str, bytes]:
        return {r.hex(): r for r in self.receipt_of.values()}


def int8(value: int) -> bytes:
    """A bigint as Postgres stores it on this (little-endian) machine."""
    return struct.pack("<q", value)


def voter_pattern(box_id: int, member_id: int) -> bytes:
    """A governance_voter tuple's data: box id then member id."""
    return int8(box_id) + int8(member_id)


def facts_in_bytes(data: bytes, truth: Truth) -> tuple[set[int], set[bytes]]:
    """The voters (by their voter-row pattern) and receipt hashes found in raw bytes."""
    if not data:
        return set(), set()
    members = {m for pattern, m in truth.voter_patterns.items() if pattern in data}
    receipts = {r for r in truth.receipt_of.values() if r in data}
    return members, receipts


def facts_in_text(text: str, truth: Truth) -> tuple[set[int], set[bytes]]:
    """Member ids and receipt hashes (hex) spelled in a statement's text."""
    if not text:
        return set(), set()
    tokens = set(text.replace("(", " ").replace(")", " ").replace(",", " ").split())
    members = {m for m in truth.receipt_of if str(m) in tokens}
    lowered = text.lower()
    receipts = {r for digits, r in truth.receipts_in_hex.items() if digits in lowered}
    return members, receipts


def links(observations: list[Observation], truth: Truth) -> dict[str, int]:
    """Join observations sharing a transaction id or a pid; count the groups that pair
    exactly one voter with one receipt hash, and how many of those pairs are right."""
    parent = list(range(len(observations)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_key: dict[tuple, int] = {}
    for index, observation in enumerate(observations):
        for key in [("x", x) for x in observation.xids] + [("p", p) for p in observation.pids]:
            if key in by_key:
                parent[find(index)] = find(by_key[key])
            else:
                by_key[key] = index
    groups: dict[int, Observation] = defaultdict(lambda: Observation("group"))
    for index, observation in enumerate(observations):
        group = groups[find(index)]
        group.members |= observation.members
        group.receipts |= observation.receipts
    claimed = correct = 0
    for group in groups.values():
        if len(group.members) == 1 and len(group.receipts) == 1:
            claimed += 1
            (member,) = group.members
            (receipt,) = group.receipts
            correct += truth.receipt_of.get(member) == receipt
    return {"claimed": claimed, "correct": correct}


def order_links(voters_in_order: list[int], receipts_in_order: list[bytes], truth: Truth) -> int:
    """Pair the i-th voter row with the i-th counted ballot (physical order): how many
    pairs are right. Chance alone gives about one."""
    return sum(
        truth.receipt_of.get(member) == receipt
        for member, receipt in zip(voters_in_order, receipts_in_order, strict=False)
    )


# --- The WAL -------------------------------------------------------------------------


def parse_lsn(lsn: str) -> int:
    high, low = lsn.split("/")
    return (int(high, 16) << 32) | int(low, 16)


class WalReader:
    """Reads the bytes of WAL records from the segment files (as a superuser can, with
    `pg_read_binary_file`), skipping the page headers inside a record."""

    def __init__(self, cursor, timeline_segment_name, segment_size: int):
        self.cursor = cursor
        self.segment_name = timeline_segment_name  # lsn -> file name
        self.segment_size = segment_size
        self.segments: dict[str, bytes] = {}

    def _segment(self, lsn: int) -> tuple[bytes, int]:
        name = self.segment_name(lsn)
        if name not in self.segments:
            self.cursor.execute("SELECT pg_read_binary_file(%s)", ["pg_wal/" + name])
            self.segments[name] = bytes(self.cursor.fetchone()[0])
        return self.segments[name], lsn % self.segment_size

    def record(self, start: int, length: int) -> bytes:
        out = bytearray()
        lsn = start
        while len(out) < length:
            data, offset = self._segment(lsn)
            page_offset = offset % WAL_PAGE
            if page_offset == 0:
                header = LONG_PAGE_HEADER if offset == 0 else SHORT_PAGE_HEADER
                lsn += header
                continue
            take = min(length - len(out), WAL_PAGE - page_offset)
            out += data[offset : offset + take]
            lsn += take
        return bytes(out)
