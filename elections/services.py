"""Elections: propose, confirm, nominate, accept, open the vote (a ballot box with a frozen
roll), cast a ranking, close and count (counting.py), publish, seat the winners.

Every rule is checked here inside the write's transaction and backed by a database guard
(models.py); the ballot box (governance.services.ballot_box) keeps the roll, who voted and
the sealed ballots, exactly as for motions.
"""

import datetime
import hashlib
import logging
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from core.guards import guard_name_of
from governance import permissions
from governance.models import SINGLE_HOLDER_POSITIONS, Position, Seat
from governance.services import ballot_box, seat_assign, seat_end
from members import eligibility
from members import services as member_services
from members.emails import send_member_mail
from members.models import Member
from members.roles import COORDINATORS

from . import counting
from .models import MAX_CANDIDATES, Candidacy, Election, ElectionState, SeatOutcome

logger = logging.getLogger(__name__)


def _lock_election(election_id: int) -> Election:
    try:
        return Election.objects.select_for_update().get(pk=election_id)
    except Election.DoesNotExist as error:
        raise ValidationError(_("No such election."), code="unknown_election") from error


def _is_coordinator(member: Member | None) -> bool:
    return member is not None and member.user.groups.filter(name=COORDINATORS).exists()


def _audit(action: str, by: Member | None, target) -> None:
    audit.record(action, actor=by.user if by else None, target=target)


def proposal_check(
    *,
    by: Member | None,
    seats: int,
    term_start: datetime.date,
    term_end: datetime.date,
    nominations_open_at: datetime.datetime,
    nominations_close_at: datetime.datetime,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    position: str = Position.MEMBER,
    **_other,
) -> None:
    """The rules of a proposal: raise the first one broken (the admin's form shows it)."""
    if not permissions.is_committee_member(by):
        raise ValidationError(
            _("Only a Steering Committee member can propose an election."), code="not_committee"
        )
    if not (nominations_open_at < nominations_close_at <= opens_at < closes_at):
        raise ValidationError(
            _("Nominations must open, then close, before voting opens, then closes."),
            code="windows_order",
        )
    if term_end < term_start:
        raise ValidationError(_("The term cannot end before it starts."), code="term_order")
    if not 1 <= seats < MAX_CANDIDATES:
        raise ValidationError(_("Choose how many seats to fill."), code="seats")
    if position in SINGLE_HOLDER_POSITIONS and seats != 1:
        raise ValidationError(
            _("A position the statutes name has one holder: one seat."), code="position_seats"
        )


@transaction.atomic
def election_propose(
    *,
    by: Member,
    title: str,
    seats: int,
    term_start: datetime.date,
    term_end: datetime.date,
    nominations_open_at: datetime.datetime,
    nominations_close_at: datetime.datetime,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    position: str = Position.MEMBER,
) -> Election:
    """A Steering Committee member proposes an election, for committee members' seats or
    for a position the statutes name."""
    proposal_check(
        by=by,
        position=position,
        seats=seats,
        term_start=term_start,
        term_end=term_end,
        nominations_open_at=nominations_open_at,
        nominations_close_at=nominations_close_at,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    election = Election.objects.create(
        title=title,
        seats=seats,
        position=position,
        term_start=term_start,
        term_end=term_end,
        nominations_open_at=nominations_open_at,
        nominations_close_at=nominations_close_at,
        opens_at=opens_at,
        closes_at=closes_at,
        proposed_by=by,
    )
    _audit("election.proposed", by, election)
    return election


@transaction.atomic
def election_confirm(*, election_id: int, by: Member | None) -> Election:
    """A coordinator or a second committee member confirms: nominations may open."""
    election = _lock_election(election_id)
    if election.state != ElectionState.PROPOSED:
        raise ValidationError(_("Only a proposed election can be confirmed."), code="not_proposed")
    if by is not None and by.pk == election.proposed_by_id:
        raise ValidationError(
            _("Someone other than the proposer must confirm the election."), code="self_confirm"
        )
    if not (permissions.is_committee_member(by) or _is_coordinator(by)):
        raise ValidationError(
            _("Only a coordinator or a Steering Committee member can confirm an election."),
            code="not_allowed",
        )
    election.state = ElectionState.CONFIRMED
    election.confirmed_by = by
    election.confirmed_at = timezone.now()
    election.save(update_fields=["state", "confirmed_by", "confirmed_at"])
    _audit("election.confirmed", by, election)
    return election


def _translate(error: DatabaseError) -> ValidationError:
    name = guard_name_of(error)
    if name == "candidate_must_be_eligible":
        return ValidationError(
            _("Only active sex-worker members can stand for the Steering Committee."),
            code="not_eligible",
        )
    if name == "nomination_in_its_window" or "nomination_in_its_window" in str(error):
        return ValidationError(_("Nominations are not open."), code="nominations_closed")
    if "candidacy_one_per_member" in str(error):
        return ValidationError(
            _("This member has already been nominated in this election."), code="already_nominated"
        )
    raise error


@transaction.atomic
def candidacy_nominate(
    *, election_id: int, member_id: int, by: Member, statement: str = ""
) -> Candidacy:
    """`by` nominates `member_id` (themselves or another eligible member). A member who
    nominates themselves accepts at once; anyone else stands only once they accept."""
    election = _lock_election(election_id)
    now = timezone.now()
    if not (
        election.state == ElectionState.CONFIRMED
        and election.nominations_open_at <= now < election.nominations_close_at
    ):
        raise ValidationError(_("Nominations are not open."), code="nominations_closed")
    eligibility.ensure_eligible(by)
    try:
        member = member_services.member_lock(member_id)
    except Member.DoesNotExist as error:
        raise ValidationError(_("No such member."), code="unknown_member") from error
    if eligibility.eligibility_error(member) is not None:
        raise ValidationError(
            _("Only active sex-worker members can stand for the Steering Committee."),
            code="not_eligible",
        )
    if Candidacy.objects.filter(election=election, member=member).exists():
        raise ValidationError(
            _("This member has already been nominated in this election."), code="already_nominated"
        )
    try:
        with transaction.atomic():
            candidacy = Candidacy.objects.create(
                election=election,
                member=member,
                nominated_by=by,
                statement=statement if member.pk == by.pk else "",
                accepted_at=now if member.pk == by.pk else None,
            )
    except (IntegrityError, DatabaseError) as error:
        raise _translate(error) from error
    _audit("election.nominated", by, candidacy)
    if candidacy.accepted_at is None:
        # A neutral e-mail: it says nothing of an election, a status or who nominated.
        send_member_mail(member, "nomination_received")
    return candidacy


@transaction.atomic
def candidacy_accept(*, candidacy_id: int, by: Member, statement: str = "") -> Candidacy:
    """The nominee accepts (consent to disclose their status to the electorate)."""
    try:
        candidacy = Candidacy.objects.select_for_update().get(pk=candidacy_id, member=by)
    except Candidacy.DoesNotExist as error:
        raise ValidationError(_("No such nomination."), code="unknown_candidacy") from error
    election = _lock_election(candidacy.election_id)
    if election.state != ElectionState.CONFIRMED or timezone.now() >= election.nominations_close_at:
        raise ValidationError(_("Nominations are not open."), code="nominations_closed")
    if candidacy.accepted_at is not None:
        raise ValidationError(_("You have already accepted."), code="already_accepted")
    member_services.member_lock(by.pk)
    eligibility.ensure_eligible(by)
    candidacy.accepted_at = timezone.now()
    candidacy.statement = statement
    try:
        with transaction.atomic():
            candidacy.save(update_fields=["accepted_at", "statement"])
    except DatabaseError as error:
        raise _translate(error) from error
    _audit("election.nomination_accepted", by, candidacy)
    return candidacy


def candidacies_withdraw_for_member(*, member: Member, reason: str, by: Member | None) -> None:
    """Registered with members.hooks: a member losing their rights while nominations run
    stops standing (and their nominations lapse), in the same transaction. Once voting
    has opened the ballot is fixed; the seating rechecks the rule."""
    withdrawn = Candidacy.objects.filter(member=member, election__state=ElectionState.CONFIRMED)
    for candidacy in withdrawn.select_for_update(of=("self",)):
        _audit("election.nomination_withdrawn", by, candidacy.election)
    withdrawn.delete()


def lot_order(election_id: int, candidacy_ids: list[int]) -> list[int]:
    """The lot of the counting rules, drawn before the count and reproducible by anyone:
    candidacies ordered by sha256("<election id>:<candidacy id>")."""
    return sorted(
        candidacy_ids,
        key=lambda pk: hashlib.sha256(f"{election_id}:{pk}".encode()).digest(),
    )


@transaction.atomic
def voting_open(*, election_id: int, by: Member | None = None) -> Election:
    """Open the vote: the accepted candidates who are still eligible go on the ballot
    (in the order of their pseudonyms), and a secret ballot box freezes the roll of the
    members eligible now. Each ballot holds one byte per candidate: a ranking padded with
    zeros, so every ballot of the election has the same size."""
    election = _lock_election(election_id)
    if election.state != ElectionState.CONFIRMED:
        raise ValidationError(
            _("Only an election taking nominations can open for voting."), code="not_confirmed"
        )
    now = timezone.now()
    if now < election.nominations_close_at:
        raise ValidationError(_("Nominations are still open."), code="nominations_open")
    if election.closes_at <= now:
        raise ValidationError(_("The voting window has already ended."), code="window_over")
    standing = [
        candidacy
        for candidacy in Candidacy.objects.select_for_update(of=("self",))
        .select_related("member")
        .filter(election=election, accepted_at__isnull=False)
        .order_by("member__pseudonym", "pk")
        if eligibility.is_eligible(candidacy.member)
    ]
    if not standing:
        raise ValidationError(_("Nobody stands in this election."), code="no_candidates")
    if len(standing) > MAX_CANDIDATES:
        # One byte per preference: a ballot names at most 255 candidates.
        raise ValidationError(_("Too many candidates for one ballot."), code="too_many")
    for number, candidacy in enumerate(standing):
        candidacy.ballot_number = number
        candidacy.save(update_fields=["ballot_number"])
    election.box = ballot_box.box_open(
        secret=True,
        committee_only=False,
        opens_at=election.opens_at,
        closes_at=election.closes_at,
        content_size=len(standing),
        today=timezone.localdate(),
    )
    election.state = ElectionState.VOTING
    election.save(update_fields=["box", "state"])
    _audit("election.voting_opened", by, election)
    return election


def ranking_from_form(
    ranks: Mapping[int, int | None], *, candidates: Mapping[int, int]
) -> tuple[int, ...]:
    """Turn `ranks` ({candidacy id: rank 1.. or None}) into ballot numbers in order of
    preference. `candidates` maps each candidacy id on the ballot to its ballot number.
    Refused: unknown candidates, no ranking at all, a rank used twice, a gap."""
    if not set(ranks) <= set(candidates):
        raise ValidationError(_("This ballot names someone who is not a candidate."), "unknown")
    given = {pk: rank for pk, rank in ranks.items() if rank is not None}
    if not given:
        raise ValidationError(_("Rank at least one candidate."), code="empty")
    used = sorted(given.values())
    if len(set(used)) != len(used):
        raise ValidationError(_("Each rank can be given to one candidate only."), code="repeat")
    if used != list(range(1, len(used) + 1)):
        raise ValidationError(_("Ranks must run 1, 2, 3… without a gap."), code="gap")
    return tuple(candidates[pk] for pk, _rank in sorted(given.items(), key=lambda i: i[1]))


def _content(ranking: tuple[int, ...], size: int) -> bytes:
    # Ballot number + 1 per preference (0 pads): the box's fixed content size.
    return bytes(n + 1 for n in ranking).ljust(size, b"\x00")


def _ranking(content: bytes) -> tuple[int, ...]:
    return tuple(byte - 1 for byte in content if byte)


def ballot_cast(*, election_id: int, voter: Member, ranks: Mapping[int, int | None]) -> str:
    """Cast `voter`'s ranking; return the receipt code (shown once, never stored). The
    database checks the window, the roll, the rule and one ballot per voter."""
    box = ballot_box.box_for_casting(election__pk=election_id)
    if box is None:
        raise ValidationError(_("This election is not open for voting."), code="not_open")
    candidates = dict(
        Candidacy.objects.filter(election_id=election_id, ballot_number__isnull=False).values_list(
            "pk", "ballot_number"
        )
    )
    ranking = ranking_from_form(ranks, candidates=candidates)
    try:
        return ballot_box.box_cast(
            box=box, voter=voter, content=_content(ranking, box.content_size)
        )
    except ValidationError as error:
        if error.code == "not_open":
            raise ValidationError(
                _("This election is not open for voting."), code="not_open"
            ) from error
        if error.code == "already_voted":
            raise ValidationError(
                _("You have already voted in this election."), code="already_voted"
            ) from error
        raise


def _result_record(result: counting.Result, numbers: list[int]) -> dict:
    """The count as stored and published: candidacy ids in place of ballot numbers."""
    return {
        "method": "scottish_stv_2007",
        "scale": counting.SCALE,
        "seats": result.seats,
        "valid_ballots": result.valid_ballots,
        "quota": result.quota,
        "candidates": numbers,
        "stages": [
            {
                "action": stage.action,
                "candidate": None if stage.candidate is None else numbers[stage.candidate],
                "votes": list(stage.votes),
                "non_transferable": stage.non_transferable,
                "lost_to_rounding": stage.lost_to_rounding,
                "elected": [numbers[c] for c in stage.elected],
                "tie_break": stage.tie_break,
            }
            for stage in result.stages
        ],
    }


@transaction.atomic
def election_close(*, election_id: int, by: Member | None = None) -> Election:
    """Close the vote and count it: the box opens its ballots in random order, the count
    (Scottish STV, counting.py) ranks every candidate."""
    election = _lock_election(election_id)
    if election.state != ElectionState.VOTING:
        raise ValidationError(_("Only an election open for voting can be closed."), "not_open")
    closed = ballot_box.box_close(box_id=election.box_id)
    candidacies = list(
        Candidacy.objects.select_for_update()
        .filter(election=election, ballot_number__isnull=False)
        .order_by("ballot_number")
    )
    ids = [c.pk for c in candidacies]
    by_id = dict(zip(ids, range(len(ids)), strict=True))
    result = counting.count(
        candidates=len(ids),
        seats=election.seats,
        ballots=[_ranking(content) for content in closed.contents],
        lot_order=[by_id[pk] for pk in lot_order(election.pk, ids)],
    )
    election.state = ElectionState.COUNTED
    election.counted_at = timezone.now()
    election.result = _result_record(result, ids)
    election.save(update_fields=["state", "counted_at", "result"])
    elected = set(result.elected)
    for rank, number in enumerate(result.order(), start=1):
        candidacy = candidacies[number]
        candidacy.count_rank = rank
        candidacy.elected = number in elected
        candidacy.save(update_fields=["count_rank", "elected"])
    _audit("election.counted", by, election)
    return election


def elections_open_due(*, now=None) -> int:
    """Open the vote of every confirmed election whose nominations have closed and whose
    voting window has begun. Idempotent; one that cannot open (nobody stands) is logged."""
    now = now or timezone.now()
    opened = 0
    for election_id in list(
        Election.objects.filter(
            state=ElectionState.CONFIRMED, opens_at__lte=now, closes_at__gt=now
        ).values_list("pk", flat=True)
    ):
        try:
            with transaction.atomic():
                if (
                    Election.objects.select_for_update(skip_locked=True)
                    .filter(pk=election_id, state=ElectionState.CONFIRMED)
                    .exists()
                ):
                    voting_open(election_id=election_id)
                    opened += 1
        except ValidationError as error:
            logger.error("election %s not opened: %s", election_id, error.code)
    return opened


def elections_close_due(*, now=None) -> int:
    """Close and count every election whose voting window has ended. Idempotent."""
    now = now or timezone.now()
    closed = 0
    for election_id in list(
        Election.objects.filter(state=ElectionState.VOTING, closes_at__lte=now).values_list(
            "pk", flat=True
        )
    ):
        try:
            with transaction.atomic():
                if (
                    Election.objects.select_for_update(skip_locked=True)
                    .filter(pk=election_id, state=ElectionState.VOTING)
                    .exists()
                ):
                    election_close(election_id=election_id)
                    closed += 1
        except ValidationError as error:
            logger.error("election %s not closed: %s", election_id, error.code)
    return closed


@transaction.atomic
def election_publish(*, election_id: int, by: Member | None) -> Election:
    """Publish the reviewed result; the winners are seated at the term's start."""
    election = _lock_election(election_id)
    if election.state != ElectionState.COUNTED:
        raise ValidationError(_("Only a counted election can be published."), "not_counted")
    if not (permissions.is_committee_member(by) or _is_coordinator(by)):
        raise ValidationError(
            _("Only a coordinator or a Steering Committee member can publish."), "not_allowed"
        )
    election.state = ElectionState.PUBLISHED
    election.published_at = timezone.now()
    election.save(update_fields=["state", "published_at"])
    _audit("election.published", by, election)
    return election


@transaction.atomic
def election_seat(*, election_id: int) -> Election:
    """Seat the winners through governance's seat service (which rechecks the rule under
    a lock on the member): in the count's order, a candidate who can no longer take the
    seat is skipped and the next in the count takes it, until the seats are filled. A
    winner who sits on the committee now moves to the new term's seat."""
    election = _lock_election(election_id)
    if election.state != ElectionState.PUBLISHED:
        raise ValidationError(_("Only a published election is seated."), "not_published")
    seated = 0
    for candidacy in (
        Candidacy.objects.select_for_update()
        .filter(election=election, count_rank__isnull=False)
        .order_by("count_rank")
    ):
        if seated == election.seats:
            break
        try:
            with transaction.atomic():
                # A sitting member re-elected: their seat ends as the new term begins
                # (undone with the rest if they cannot take the new one).
                for seat in Seat.objects.filter(
                    member_id=candidacy.member_id, ended_on__isnull=True
                ):
                    seat_end(seat_id=seat.pk, by=None, reason=_("Re-elected for a new term."))
                seat_assign(
                    member_id=candidacy.member_id,
                    position=election.position,
                    term_start=election.term_start,
                    term_end=election.term_end,
                    by=None,
                )
        except ValidationError:
            # Not eligible any more, or already holding a seat: the next in the count.
            candidacy.seat_outcome = SeatOutcome.SKIPPED
        else:
            candidacy.seat_outcome = SeatOutcome.SEATED
            seated += 1
        candidacy.save(update_fields=["seat_outcome"])
    election.state = ElectionState.SEATED
    election.seated_at = timezone.now()
    election.save(update_fields=["state", "seated_at"])
    _audit("election.seated", None, election)
    return election


def elections_seat_due(*, today: datetime.date | None = None) -> int:
    """Seat every published election whose term has started. Idempotent."""
    today = today or timezone.localdate()
    seated = 0
    for election_id in list(
        Election.objects.filter(state=ElectionState.PUBLISHED, term_start__lte=today).values_list(
            "pk", flat=True
        )
    ):
        try:
            with transaction.atomic():
                if (
                    Election.objects.select_for_update(skip_locked=True)
                    .filter(pk=election_id, state=ElectionState.PUBLISHED)
                    .exists()
                ):
                    election_seat(election_id=election_id)
                    seated += 1
        except ValidationError as error:
            logger.error("election %s not seated: %s", election_id, error.code)
    return seated
