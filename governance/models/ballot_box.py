"""The ballot box: one per motion (and per election), with its frozen electoral roll, the
record of who voted, the sealed ballots while voting is open and the counted ballots after.

Why it is built this way (docs/architecture.md, "The ballot box"):

- A ballot's content (a choice, a ranking) and its receipt's hash reach the database only
  sealed to the box's public key (governance/ballot_sealing.py). Postgres keeps a
  transaction's trace in locks, statement text, dead tuples, freed page bytes, the WAL and
  physical order, so anyone holding the database can pair each sealed ballot with the
  `Voter` row written beside it: they learn who voted, never what.
- The close opens the sealed ballots with the box's private key (held outside the
  database and destroyed after the close), writes the counted ballots in random order in
  one transaction, packed a few hundred to a row (`CountedBallots`), and deletes the
  sealed rows.
- The application's database role may only read these tables. Rows are written by the
  owner's SECURITY DEFINER functions `ballot_box_open`, `ballot_box_cast` and
  `ballot_box_close` (migration 0006), which check the window, the roll and the
  eligibility rule themselves; guards refuse every change the functions never make.
- No timestamp is written at vote time, and no row has a sequential id: `Voter` and
  `CountedBallots` have composite keys, a sealed ballot a random UUID.
"""

# bandit B608 ("# nosec B608" below): trigger SQL rendered from the code's own constants
# (choice values, states, guard names), never from input.

from dataclasses import dataclass

import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.guards import Guard, append_only, refuse
from members import eligibility
from members.models import Member

# What a sealed ballot adds to its content: the sealer's public key (32 bytes), the nonce
# (12), the receipt's hash (32), the voter's id (8, zero in a secret box) and the
# authentication tag (16). governance/ballot_sealing.py builds exactly this.
SEALED_OVERHEAD = 32 + 12 + 32 + 8 + 16


# The largest ballot content a box may have (an election's ranking has a byte per
# candidate, at most elections.models.MAX_CANDIDATES): far below what fits in a pack of
# counted ballots (COUNTED_PACK_BYTES, checked below it).
MAX_CONTENT_SIZE = 1024


# The refusals of the guards below whose messages do not fit on their line.
_SEALED_BALLOTS_DELETED_ONLY_BY_THE_CLOSE = refuse(
    "sealed_ballots_deleted_only_by_the_close",
    "sealed ballots are deleted only by closing their box",
)
_ROLL_ENTRY_MUST_BE_ELIGIBLE = refuse(
    "roll_entry_must_be_eligible",
    "only active sex-worker members are on an electoral roll",
)
_BALLOT_BOX_MUST_BE_OPEN = refuse(
    "ballot_box_must_be_open",
    "this ballot box is not open for voting",
)
_VOTER_MUST_BE_ELIGIBLE = refuse(
    "voter_must_be_eligible",
    "only an active sex-worker member may vote",
)
_VOTER_MUST_BE_ON_THE_ROLL = refuse(
    "voter_must_be_on_the_roll",
    "the member is not on this electoral roll",
)
_SEALED_BALLOT_HAS_THE_BOX_SIZE = refuse(
    "sealed_ballot_has_the_box_size",
    "every sealed ballot of a box has one size",
)


class BoxState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class BallotBox(models.Model):
    """A box. `public_key` seals ballots; the private key is never in the database."""

    state = models.CharField(_("state"), max_length=8, choices=BoxState.choices)
    secret = models.BooleanField(_("secret ballot"))
    # The roll holds the members who hold a Steering Committee seat on the day it opens.
    committee_only = models.BooleanField(_("Steering Committee only"))
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    public_key = models.BinaryField(_("public key"))
    # Bytes of a ballot's content (a choice, a ranking): every sealed ballot of the box has
    # the same length, so its size says nothing.
    content_size = models.PositiveSmallIntegerField(_("content size"))
    roll_size = models.PositiveIntegerField(_("electoral roll size"))
    # sha256 of a random salt (32 bytes) and the roll's member ids. The salt never enters
    # the database: it lives in the box's key file, destroyed after the close, so nobody can
    # ever brute-force the digest of a small roll from guessed member ids (migration 0010).
    roll_digest = models.CharField(_("electoral roll digest"), max_length=64)
    # sha256 of the salt: the close proves it holds the salt the digest was made with,
    # without recomputing the digest of a roll of 100,000.
    roll_salt_sha256 = models.BinaryField(_("electoral roll salt's hash"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ballot box")
        verbose_name_plural = _("ballot boxes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=BoxState.values), name="ballot_box_state_is_known"
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="ballot_box_closes_after_it_opens",
            ),
            # Every counted ballot must fit in a pack of CountedBallots, which never
            # leaves its page: a box whose ballots could not be written could not close.
            models.CheckConstraint(
                condition=models.Q(content_size__gte=1, content_size__lte=MAX_CONTENT_SIZE),
                name="ballot_box_content_fits_a_pack",
            ),
        ]
        triggers = [
            Guard(
                name="ballot_box_changes_only_by_closing",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                func="""
                    IF TG_OP = 'DELETE' THEN
                        """
                + refuse("ballot_box_changes_only_by_closing", "a ballot box is kept")
                + """
                    END IF;
                    IF NOT (OLD.state = 'open' AND NEW.state = 'closed')
                       OR (OLD.id, OLD.secret, OLD.opens_at, OLD.closes_at, OLD.public_key,
                           OLD.content_size, OLD.roll_size, OLD.roll_digest,
                           OLD.roll_salt_sha256)
                          IS DISTINCT FROM
                          (NEW.id, NEW.secret, NEW.opens_at, NEW.closes_at, NEW.public_key,
                           NEW.content_size, NEW.roll_size, NEW.roll_digest,
                           NEW.roll_salt_sha256) THEN
                        """
                + refuse(
                    "ballot_box_changes_only_by_closing",
                    "an open box may only be closed, and a closed box never changes",
                )
                + """
                    END IF;
                    RETURN NEW;
                """,
            )
        ]

    def __str__(self) -> str:
        return f"ballot box {self.pk}"


class RollEntry(models.Model):
    """One member on a box's electoral roll, written by `ballot_box_open` only."""

    pk = models.CompositePrimaryKey("box", "member")
    # The key's first column serves lookups by box: no index of its own to write.
    box = models.ForeignKey(
        BallotBox, on_delete=models.PROTECT, related_name="roll", db_index=False
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("electoral roll entry")
        verbose_name_plural = _("electoral roll entries")
        triggers = [
            append_only("roll_frozen_once_open", "the electoral roll is frozen"),
            # One check per statement (a roll of 100,000 is one INSERT).
            Guard(
                name="roll_entry_must_be_eligible",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(new="added"),
                func=f"""
                    IF EXISTS (
                        SELECT 1 FROM added a
                          JOIN governance_ballotbox b ON b.id = a.box_id AND b.state = 'open'
                          JOIN members_member m ON m.id = a.member_id
                         WHERE NOT ({eligibility.sql_condition("m")})) THEN
                        {_ROLL_ENTRY_MUST_BE_ELIGIBLE}
                    END IF;
                    RETURN NULL;
                """,  # nosec B608
            ),
        ]

    def __str__(self) -> str:
        return f"{self.box_id}:{self.member_id}"


class Voter(models.Model):
    """Who voted in a box: one row per voter, written with their sealed ballot by
    `ballot_box_cast`; the key is the one-ballot-per-voter guard."""

    pk = models.CompositePrimaryKey("box", "member")
    # The key's first column serves lookups by box: no index of its own to write.
    box = models.ForeignKey(
        BallotBox, on_delete=models.PROTECT, related_name="voters", db_index=False
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")
        triggers = [
            # Checked whoever writes the row (the cast function, or anyone else). Postgres
            # fires them in the order of their names.
            Guard(
                name="ballot_box_must_be_open",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                func=f"""
                    -- FOR KEY SHARE: the close (FOR UPDATE) waits for ballots being cast.
                    PERFORM 1 FROM governance_ballotbox b
                     WHERE b.id = NEW.box_id AND b.state = 'open'
                       AND statement_timestamp() >= b.opens_at
                       AND statement_timestamp() < b.closes_at
                       FOR KEY SHARE;
                    IF NOT FOUND THEN
                        {_BALLOT_BOX_MUST_BE_OPEN}
                    END IF;
                    RETURN NEW;
                """,
            ),
            Guard(
                name="voter_must_be_eligible",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                func=f"""
                    -- FOR SHARE: a concurrent status change waits for this vote, or this
                    -- vote re-reads the member after it (READ COMMITTED) or fails
                    -- (REPEATABLE READ, SERIALIZABLE).
                    PERFORM 1 FROM members_member m
                     WHERE m.id = NEW.member_id AND {eligibility.sql_condition("m")}
                       FOR SHARE;
                    IF NOT FOUND THEN
                        {_VOTER_MUST_BE_ELIGIBLE}
                    END IF;
                    RETURN NEW;
                """,
            ),
            Guard(
                name="voter_must_be_on_the_roll",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                func=f"""
                    PERFORM 1 FROM governance_rollentry r
                     WHERE r.box_id = NEW.box_id AND r.member_id = NEW.member_id;
                    IF NOT FOUND THEN
                        {_VOTER_MUST_BE_ON_THE_ROLL}
                    END IF;
                    RETURN NEW;
                """,
            ),
            append_only("voters_are_final", "the record of who voted is kept"),
        ]

    def __str__(self) -> str:
        return f"{self.box_id}:{self.member_id}"


class SealedBallot(models.Model):
    """A cast ballot while voting is open: content, receipt hash (and, for a roll-call
    box, the voter) sealed to the box's public key. Deleted by the close."""

    id = models.UUIDField(primary_key=True)
    box = models.ForeignKey(BallotBox, on_delete=models.PROTECT, related_name="+")
    sealed = models.BinaryField()

    class Meta:
        verbose_name = _("sealed ballot")
        verbose_name_plural = _("sealed ballots")
        triggers = [
            Guard(
                name="sealed_ballot_has_the_box_size",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                func=f"""
                    PERFORM 1 FROM governance_ballotbox b
                     WHERE b.id = NEW.box_id
                       AND length(NEW.sealed) = b.content_size + {SEALED_OVERHEAD};
                    IF NOT FOUND THEN
                        {_SEALED_BALLOT_HAS_THE_BOX_SIZE}
                    END IF;
                    RETURN NEW;
                """,
            ),
            Guard(
                name="sealed_ballots_are_final",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                func=refuse("sealed_ballots_are_final", "a cast ballot cannot change"),
            ),
            # Per statement, not per row: the close deletes a whole box's sealed ballots at
            # once, after it has marked the box closed and written the counted ballots.
            Guard(
                name="sealed_ballots_deleted_only_by_the_close",
                when=pgtrigger.After,
                operation=pgtrigger.Delete,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(old="deleted"),
                func=f"""
                    IF EXISTS (
                        SELECT 1 FROM deleted d JOIN governance_ballotbox b ON b.id = d.box_id
                         WHERE b.state <> 'closed') THEN
                        {_SEALED_BALLOTS_DELETED_ONLY_BY_THE_CLOSE}
                    END IF;
                    RETURN NULL;
                """,  # nosec B608
            ),
        ]

    def __str__(self) -> str:
        return f"sealed ballot in box {self.box_id}"


# How many opened ballots one `CountedBallots` row packs: as many as fit in about 6 KB
# (receipt hash, content and room for a roll-call voter id each), so that every row stays
# in its heap page (the columns are stored PLAIN, never TOASTed: an adversary reading raw
# pages sees whole receipts, and nothing is compressed) and a close of 100,000 ballots
# writes about 700 rows instead of 100,000. ballot_box_close (migration 0014) packs them
# with this same formula.
COUNTED_PACK_BYTES = 6000

if 32 + 8 + MAX_CONTENT_SIZE > COUNTED_PACK_BYTES:
    raise ImportError("a ballot of MAX_CONTENT_SIZE no longer fits a pack of counted ballots")


def counted_per_row(content_size: int) -> int:
    return max(1, COUNTED_PACK_BYTES // (32 + 8 + content_size))


@dataclass(frozen=True)
class CountedBallot:
    """One opened ballot: its receipt's hash, its content, and its voter in a roll-call
    box only."""

    receipt_hash: bytes
    content: bytes
    voter_id: int | None


class CountedBallots(models.Model):
    """A closed box's opened ballots, written once by the close in random order (sorted by
    receipt hash, a random value) and packed: row `chunk` holds the next
    `counted_per_row(content_size)` of them, as their receipt hashes (32 bytes each), their
    contents (the box's content size each) and, in a roll-call box only, their voters' ids,
    each in the same order. Packing is what lets the close write 100,000 ballots at the
    speed of the data (docs/architecture.md, "The ballot box"); `ballots()` unpacks."""

    pk = models.CompositePrimaryKey("box", "chunk")
    # No foreign key in the database: only the close writes these rows, into the box it
    # has locked.
    box = models.ForeignKey(
        BallotBox,
        on_delete=models.PROTECT,
        related_name="counted",
        db_constraint=False,
        db_index=False,
    )
    chunk = models.PositiveIntegerField()
    receipt_hashes = models.BinaryField()
    contents = models.BinaryField()
    voter_ids = ArrayField(models.BigIntegerField(), null=True, blank=True)

    class Meta:
        verbose_name = _("counted ballots")
        verbose_name_plural = _("counted ballots")
        # Roll-call ballots by voter (a member's data export); secret ones have none.
        indexes = [
            GinIndex(
                fields=["voter_ids"],
                condition=models.Q(voter_ids__isnull=False),
                name="counted_ballots_roll_call",
            )
        ]
        triggers = [
            append_only("counted_ballots_are_final", "a counted ballot cannot change"),
        ]

    def __str__(self) -> str:
        return f"counted ballots {self.chunk} of box {self.box_id}"

    def ballots(self) -> list[CountedBallot]:
        hashes, contents = bytes(self.receipt_hashes), bytes(self.contents)
        n = len(hashes) // 32
        size = len(contents) // n if n else 0
        voters = self.voter_ids or [None] * n
        return [
            CountedBallot(
                hashes[32 * i : 32 * i + 32], contents[size * i : size * i + size], voters[i]
            )
            for i in range(n)
        ]


def counted_ballots(box_id: int) -> list[CountedBallot]:
    """Every counted ballot of a box, in the order the close wrote them."""
    rows = CountedBallots.objects.filter(box_id=box_id).order_by("chunk")
    return [ballot for row in rows for ballot in row.ballots()]
