"""The ballot box's services: open a box (freezing its roll), cast a sealed ballot, close
it (open the sealed ballots, write the counted ones in random order, destroy the key).

Motions (services/motions.py) and elections use a box through these. The writes happen in
the owner's functions `ballot_box_open`, `ballot_box_cast`, `ballot_box_lock` and
`ballot_box_close` (migration 0006); the application's role may only read the box's tables.
See models/ballot_box.py and ballot_sealing.py for why.
"""

import datetime
import logging
import time
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.bound_queries import bound_cursor
from core.guards import guard_name_of
from members import eligibility
from members.models import Member

from .. import ballot_sealing, receipts
from ..models import BallotBox, BoxState, CountedBallots, SealedBallot
from ..models.ballot_box import SEALED_OVERHEAD

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BoxForCasting:
    """What casting into a box needs; none of it changes once the box is open."""

    id: int
    public_key: bytes
    secret: bool
    content_size: int


def box_open(
    *,
    secret: bool,
    committee_only: bool,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    content_size: int,
    today: datetime.date,
) -> BallotBox:
    """Open a box and freeze its roll: every member eligible now (holding a Steering
    Committee seat `today` if `committee_only`). Call inside the transaction that opens
    the motion or election; the box's key is on disk before it commits."""
    keys = ballot_sealing.box_keys_new()
    with bound_cursor() as cursor:
        cursor.execute(
            "SELECT ballot_box_open(%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                keys.public_key,
                keys.roll_salt,
                secret,
                opens_at,
                closes_at,
                content_size,
                committee_only,
                today,
            ],
        )
        (box_id,) = cursor.fetchone()
    ballot_sealing.key_store(box_id, keys)
    return BallotBox.objects.get(pk=box_id)


# What each guard's refusal means to a voter. Anything else is not a refusal but a fault.
_CAST_REFUSALS = {
    "ballot_box_must_be_open": ("not_open", gettext_lazy("This vote is not open.")),
    "voter_must_be_on_the_roll": (
        "not_on_roll",
        gettext_lazy("You are not on the electoral roll of this vote."),
    ),
    "voter_votes_once": ("already_voted", gettext_lazy("You have already voted.")),
}


def box_cast(*, box: BoxForCasting, voter: Member, content: bytes) -> str:
    """Cast `voter`'s ballot with `content` into `box`; return the receipt code (shown
    once, never stored). One statement, in its own transaction unless the caller has one:
    the cast function records the voter and the sealed ballot together, and its guards
    check the window, the roll and the eligibility rule under a share lock on the member
    row. Refusals are ValidationErrors with the codes of `_CAST_REFUSALS` or the rule's.
    """
    if len(content) != box.content_size:
        raise ValueError("content does not fit the box")
    code = receipts.new_code()
    sealed = ballot_sealing.seal(
        box_id=box.id,
        box_public_key=box.public_key,
        ballot=ballot_sealing.plaintext(
            receipt_hash=receipts.code_digest(code),
            voter_id=None if box.secret else voter.pk,
            content=content,
        ),
    )
    try:
        # Alone, the statement is its own transaction: one round trip. Inside a caller's
        # transaction, a savepoint keeps a refusal from spoiling it.
        savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with savepoint, bound_cursor() as cursor:
            cursor.execute("SELECT ballot_box_cast(%s, %s, %s)", [box.id, voter.pk, sealed])
    except DatabaseError as error:
        name = guard_name_of(error)
        if name == "voter_must_be_eligible":
            refusal = eligibility.eligibility_error(Member.objects.get(pk=voter.pk))
            raise refusal or ValidationError(
                _("You cannot vote now."), code="not_eligible"
            ) from error
        if name in _CAST_REFUSALS:
            code_name, message = _CAST_REFUSALS[name]
            raise ValidationError(message, code=code_name) from error
        raise
    return code


def box_for_casting(**lookup) -> BoxForCasting | None:
    """The box `BallotBox.objects.filter(**lookup)` finds (e.g. `motion__pk=...`), or None."""
    row = (
        BallotBox.objects.filter(**lookup)
        .values_list("pk", "public_key", "secret", "content_size")
        .first()
    )
    if row is None:
        return None
    box_id, public_key, secret, content_size = row
    return BoxForCasting(box_id, bytes(public_key), secret, content_size)


@dataclass(frozen=True)
class ClosedBox:
    """A closed box and its counted ballots, in the order written."""

    box: BallotBox
    ballots: ballot_sealing.OpenedBallots

    @property
    def contents(self) -> list[bytes]:
        return self.ballots.content_list()

    def count(self, content: bytes) -> int:
        """How many counted ballots hold exactly this content."""
        if self.ballots.content_size == len(content) == 1:
            return self.ballots.contents.count(content)  # one byte each: in C
        return self.contents.count(content)


def box_close(*, box_id: int) -> ClosedBox:
    """Close an open box inside the caller's transaction: lock it (ballots being cast
    finish first, later ones are refused), open its sealed ballots with its key, write
    the counted ones ordered by receipt hash (a random order: the receipts are random
    codes). Once the transaction commits, the key file is destroyed and the sealed rows
    deleted (`box_purge`). `ballot_key_missing` if the key cannot be read: nothing
    changes, and the box can be closed once the key is back."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT ballot_box_lock(%s)", [box_id])
    box = BallotBox.objects.get(pk=box_id)
    if box.state != BoxState.OPEN:
        raise ValidationError(_("This ballot box is already closed."), code="box_closed")
    try:
        private_key, roll_salt = ballot_sealing.key_load(box.pk, bytes(box.public_key))
    except ballot_sealing.BallotKeyMissing as error:
        # Codes only: the message names the box and the folder, nothing about a member.
        logger.error("ballot box key missing: %s", error)
        raise ValidationError(
            _(
                "The ballot box cannot be opened: its key is missing. Nothing was changed. "
                "Ask the administrator to restore the key folder, then close it again."
            ),
            code="ballot_key_missing",
        ) from error
    # Every sealed ballot of a box has one length: read them as one value, not row by row,
    # and in binary (not as hexadecimal text).
    with bound_cursor() as cursor:
        cursor.cursor.execute(
            "SELECT coalesce(string_agg(sealed, ''::bytea), ''::bytea)"
            " FROM governance_sealedballot WHERE box_id = %s",
            [box_id],
            binary=True,
        )
        sealed = bytes(cursor.fetchone()[0])
    read = time.perf_counter()
    plains = ballot_sealing.open_all(
        box_id=box.pk,
        private_key=private_key,
        public_key=bytes(box.public_key),
        sealed=sealed,
        size=box.content_size + SEALED_OVERHEAD,
    )
    # A plaintext starts with its receipt's hash: sorting them orders the counted ballots
    # by a random value that says nothing of the order they were cast in.
    plains.sort()
    opened = time.perf_counter()
    ballots = ballot_sealing.columns_of(plains, content_size=box.content_size, secret=box.secret)
    with bound_cursor() as cursor:
        cursor.execute(
            "SELECT ballot_box_close(%s, %s, %s, %s, %s::bigint[])",
            [box_id, roll_salt, ballots.receipt_hashes, ballots.contents, ballots.voter_ids],
        )
    transaction.on_commit(lambda: box_purge(box_id=box_id))
    box.refresh_from_db()
    written = time.perf_counter()
    # Counts and seconds only (`make bench` reads the phases from this line).
    logger.info(
        "ballot box closed: ballots=%d read_s=%.4f open_s=%.4f write_s=%.4f",
        len(plains),
        read - started,
        opened - read,
        written - opened,
    )
    return ClosedBox(box=box, ballots=ballots)


def box_purge(*, box_id: int) -> None:
    """After a close has committed: destroy the box's key, then delete its sealed ballots
    (nothing can open them any more; a separate transaction, as they are most of the
    close's work). Idempotent: `ballot_boxes_cleanup` runs it again for any box a crash
    interrupted."""
    started = time.perf_counter()
    ballot_sealing.key_destroy(box_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT ballot_box_purge(%s)", [box_id])
    logger.info("ballot box purged: purge_s=%.4f", time.perf_counter() - started)


@lru_cache(maxsize=16)
def _counted_receipts(box_id: int) -> frozenset[bytes]:
    packs = CountedBallots.objects.filter(box_id=box_id).values_list("receipt_hashes", flat=True)
    return frozenset(
        bytes(hashes[i : i + 32]) for hashes in packs for i in range(0, len(hashes), 32)
    )


def receipt_is_counted(*, box: BallotBox, code: str) -> bool:
    """True when a counted ballot of the closed `box` carries this receipt. The box's
    whole published list is read (and kept: it never changes) and searched here, so no
    statement ever names a receipt beside the member who asks."""
    if box.state != BoxState.CLOSED or not receipts.is_well_formed(code):
        return False
    return receipts.code_digest(code) in _counted_receipts(box.pk)


def counted_receipts(*, box: BallotBox) -> list[str]:
    """The published list: every counted receipt's hash (hex), sorted."""
    if box.state != BoxState.CLOSED:
        return []
    return sorted(digest.hex() for digest in _counted_receipts(box.pk))


# A key file younger than this may belong to a box being opened right now (the file is
# written before the opening commits).
ORPHAN_KEY_AGE_SECONDS = 3600


def ballot_keys_cleanup() -> int:
    """Destroy the key files of boxes that are closed (a close that committed but crashed
    before destroying its key) or that never opened (an opening rolled back), and delete
    sealed ballots left in closed boxes. Returns how many keys were destroyed."""
    for box_id in (
        SealedBallot.objects.filter(box__state=BoxState.CLOSED)
        .values_list("box_id", flat=True)
        .distinct()
    ):
        box_purge(box_id=box_id)
    ids = ballot_sealing.key_box_ids()
    open_ids = set(
        BallotBox.objects.filter(pk__in=ids, state=BoxState.OPEN).values_list("pk", flat=True)
    )
    known = set(BallotBox.objects.filter(pk__in=ids).values_list("pk", flat=True))
    destroyed = 0
    for box_id in ids:
        if box_id in open_ids:
            continue
        if box_id not in known and ballot_sealing.key_age_seconds(box_id) < ORPHAN_KEY_AGE_SECONDS:
            continue
        ballot_sealing.key_destroy(box_id)
        destroyed += 1
    return destroyed


def open_boxes_without_key() -> list[int]:
    """Open boxes whose key file is missing or unreadable: they could not be counted."""
    missing = []
    for box_id, public_key in BallotBox.objects.filter(state=BoxState.OPEN).values_list(
        "pk", "public_key"
    ):
        try:
            ballot_sealing.key_load(box_id, bytes(public_key))
        except ballot_sealing.BallotKeyMissing:
            missing.append(box_id)
    return missing
