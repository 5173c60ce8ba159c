"""Elections to the Steering Committee: the election, its candidacies and its result.

An election's electoral roll, voters and ballots live in a ballot box of governance's
(governance/models/ballot_box.py), which opening the vote creates. The guards below back
the services' rules against every database client: a second person confirms an election,
only eligible members stand and only with their consent, nominations come in the
nomination window, the vote opens only with a fresh box made for this ballot, and the
states move forward only.
"""

# bandit B608 ("# nosec B608" below): trigger SQL rendered from the code's own constants
# (states, guard names, the eligibility rule), never from input.

import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.guards import Guard, refuse
from governance.models import SINGLE_HOLDER_POSITIONS, BallotBox, Position
from members import eligibility
from members.models import Member

TITLE_MAX_LENGTH = 200
STATEMENT_MAX_LENGTH = 4000
# A ballot ranks at most this many candidates: one byte per preference.
MAX_CANDIDATES = 255


class ElectionState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Nominations")
    VOTING = "voting", _("Open for voting")
    COUNTED = "counted", _("Counted")
    PUBLISHED = "published", _("Results published")
    SEATED = "seated", _("Winners seated")


# Each state and the one it may move to.
_NEXT_STATE = {
    ElectionState.PROPOSED: ElectionState.CONFIRMED,
    ElectionState.CONFIRMED: ElectionState.VOTING,
    ElectionState.VOTING: ElectionState.COUNTED,
    ElectionState.COUNTED: ElectionState.PUBLISHED,
    ElectionState.PUBLISHED: ElectionState.SEATED,
}
_MOVES = " OR ".join(f"(OLD.state = '{a}' AND NEW.state = '{b}')" for a, b in _NEXT_STATE.items())

_ELECTION_STATE_MOVES_FORWARD = refuse(
    "election_state_moves_forward", "this change of state is not allowed"
)
_ELECTION_OPENS_WITH_ITS_OWN_BOX = refuse(
    "election_opens_with_its_own_box",
    "an election opens with a new ballot box made for its ballot",
)
_ELECTION_FROZEN_ONCE_CONFIRMED = refuse(
    "election_frozen_once_confirmed", "a confirmed election's rules and count cannot change"
)
_CANDIDATE_MUST_BE_ELIGIBLE = refuse(
    "candidate_must_be_eligible", "only an active sex-worker member may stand"
)
_NOMINATION_IN_ITS_WINDOW = refuse(
    "nomination_in_its_window", "nominations are open only in the nomination window"
)
_CANDIDACY_FROZEN_ONCE_VOTING = refuse(
    "candidacy_frozen_once_voting", "candidacies cannot change once voting has opened"
)


class Election(models.Model):
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    seats = models.PositiveSmallIntegerField(_("seats to fill"))
    # The position the winners take: a committee member's seat, or one the statutes name
    # (chair, treasurer...), which has one holder and so is one seat.
    position = models.CharField(
        _("position"), max_length=16, choices=Position.choices, default=Position.MEMBER
    )
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    nominations_open_at = models.DateTimeField(_("nominations open"))
    nominations_close_at = models.DateTimeField(_("nominations close"))
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    state = models.CharField(
        _("state"), max_length=16, choices=ElectionState.choices, default=ElectionState.PROPOSED
    )
    proposed_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    confirmed_by = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    box = models.OneToOneField(
        BallotBox,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="election",
        verbose_name=_("ballot box"),
    )
    # The count, stage by stage (elections.services.result_record): public once published.
    result = models.JSONField(_("result"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    seated_at = models.DateTimeField(_("seated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        permissions = [("manage_elections", _("Can propose, confirm and run elections"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ElectionState.values),
                name="election_state_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(seats__gte=1), name="election_fills_at_least_one_seat"
            ),
            models.CheckConstraint(
                condition=~models.Q(position__in=SINGLE_HOLDER_POSITIONS) | models.Q(seats=1),
                name="election_named_position_has_one_seat",
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed_by__isnull=True)
                | ~models.Q(confirmed_by=models.F("proposed_by")),
                name="election_confirmed_by_someone_else",
            ),
            models.CheckConstraint(
                condition=models.Q(nominations_close_at__gt=models.F("nominations_open_at"))
                & models.Q(opens_at__gte=models.F("nominations_close_at"))
                & models.Q(closes_at__gt=models.F("opens_at"))
                & models.Q(term_end__gte=models.F("term_start")),
                name="election_windows_in_order",
            ),
        ]
        triggers = [
            Guard(
                name="election_state_moves_forward",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__state__df=pgtrigger.F("new__state")),
                func=f"""
                    IF NOT ({_MOVES}) THEN
                        {_ELECTION_STATE_MOVES_FORWARD}
                    END IF;
                    RETURN NEW;
                """,
            ),
            Guard(
                name="election_opens_with_its_own_box",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(
                    old__state=ElectionState.CONFIRMED, new__state=ElectionState.VOTING
                ),
                func=f"""
                    PERFORM 1 FROM governance_ballotbox b
                     WHERE b.id = NEW.box_id AND b.state = 'open' AND b.secret
                       AND NOT b.committee_only
                       AND b.opens_at = NEW.opens_at AND b.closes_at = NEW.closes_at
                       AND b.content_size = (SELECT greatest(count(*), 1)
                                               FROM elections_candidacy c
                                              WHERE c.election_id = NEW.id
                                                AND c.ballot_number IS NOT NULL)
                       AND NOT EXISTS (SELECT 1 FROM governance_voter v WHERE v.box_id = b.id)
                       AND NOT EXISTS (SELECT 1 FROM governance_motion m WHERE m.box_id = b.id);
                    IF NOT FOUND THEN
                        {_ELECTION_OPENS_WITH_ITS_OWN_BOX}
                    END IF;
                    RETURN NEW;
                """,  # nosec B608
            ),
            Guard(
                name="election_frozen_once_confirmed",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=~pgtrigger.Q(old__state=ElectionState.PROPOSED),
                func=f"""
                    -- The windows may still move while nominations run; the seats, the
                    -- term and who proposed and confirmed never; the count once written.
                    IF (OLD.title, OLD.seats, OLD.position, OLD.term_start, OLD.term_end,
                        OLD.proposed_by_id, OLD.confirmed_by_id)
                       IS DISTINCT FROM
                       (NEW.title, NEW.seats, NEW.position, NEW.term_start, NEW.term_end,
                        NEW.proposed_by_id, NEW.confirmed_by_id)
                       OR (OLD.state <> 'confirmed'
                           AND (OLD.nominations_open_at, OLD.nominations_close_at, OLD.opens_at,
                                OLD.closes_at, OLD.box_id)
                               IS DISTINCT FROM
                               (NEW.nominations_open_at, NEW.nominations_close_at, NEW.opens_at,
                                NEW.closes_at, NEW.box_id))
                       OR (OLD.state IN ('counted', 'published', 'seated')
                           AND (OLD.result::text, OLD.counted_at)
                               IS DISTINCT FROM (NEW.result::text, NEW.counted_at)) THEN
                        {_ELECTION_FROZEN_ONCE_CONFIRMED}
                    END IF;
                    RETURN NEW;
                """,
            ),
            Guard(
                name="election_deleted_only_as_proposed",
                when=pgtrigger.Before,
                operation=pgtrigger.Delete,
                condition=~pgtrigger.Q(old__state=ElectionState.PROPOSED),
                func=refuse(
                    "election_deleted_only_as_proposed",
                    "a confirmed election is part of the record",
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SeatOutcome(models.TextChoices):
    SEATED = "seated", _("Seated")
    SKIPPED = "skipped", _("Skipped: no longer eligible at the term's start")


class Candidacy(models.Model):
    """A member nominated (by themselves or another) in an election. They stand only once
    they accept: standing discloses their status to the electorate."""

    election = models.ForeignKey(
        Election, on_delete=models.PROTECT, related_name="candidacies", db_index=False
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    nominated_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(_("statement"), max_length=STATEMENT_MAX_LENGTH, blank=True)
    nominated_at = models.DateTimeField(_("nominated at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # 0.. in the order the ballot lists them; given to the accepted when voting opens.
    ballot_number = models.PositiveSmallIntegerField(_("ballot number"), null=True, blank=True)
    # 1.. in the count's order (counting.Result.order): the elected first.
    count_rank = models.PositiveSmallIntegerField(_("place in the count"), null=True, blank=True)
    elected = models.BooleanField(_("elected"), default=False)
    seat_outcome = models.CharField(
        _("seat"), max_length=8, choices=SeatOutcome.choices, blank=True
    )

    class Meta:
        verbose_name = _("candidacy")
        verbose_name_plural = _("candidacies")
        constraints = [
            models.UniqueConstraint(fields=["election", "member"], name="candidacy_one_per_member"),
            models.UniqueConstraint(
                fields=["election", "ballot_number"], name="candidacy_ballot_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(ballot_number__isnull=True)
                | models.Q(accepted_at__isnull=False),
                name="candidacy_on_the_ballot_only_with_consent",
            ),
            models.CheckConstraint(
                condition=models.Q(ballot_number__lt=MAX_CANDIDATES),
                name="candidacy_ballot_number_fits_a_byte",
            ),
        ]
        triggers = [
            Guard(
                name="candidate_must_be_eligible",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=f"""
                    -- Checked when a member is nominated, accepts or goes on the ballot;
                    -- the count, the seating (which checks the rule itself) and an erasure
                    -- write the rest whatever the member's rights are by then.
                    IF TG_OP = 'UPDATE'
                       AND (OLD.member_id, OLD.accepted_at, OLD.ballot_number)
                           IS NOT DISTINCT FROM
                           (NEW.member_id, NEW.accepted_at, NEW.ballot_number) THEN
                        RETURN NEW;
                    END IF;
                    PERFORM 1 FROM members_member m
                     WHERE m.id = NEW.member_id AND {eligibility.sql_condition("m")}
                       FOR SHARE;
                    IF NOT FOUND THEN
                        {_CANDIDATE_MUST_BE_ELIGIBLE}
                    END IF;
                    RETURN NEW;
                """,  # nosec B608
            ),
            Guard(
                name="nomination_in_its_window",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                func=f"""
                    PERFORM 1 FROM elections_election e
                     WHERE e.id = NEW.election_id AND e.state = 'confirmed'
                       AND statement_timestamp() >= e.nominations_open_at
                       AND statement_timestamp() < e.nominations_close_at;
                    IF NOT FOUND THEN
                        {_NOMINATION_IN_ITS_WINDOW}
                    END IF;
                    RETURN NEW;
                """,  # nosec B608
            ),
            Guard(
                name="candidacy_frozen_once_voting",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                func=f"""
                    IF EXISTS (SELECT 1 FROM elections_election e
                                WHERE e.id = OLD.election_id
                                  AND e.state NOT IN ('proposed', 'confirmed', 'voting'))
                       AND TG_OP = 'UPDATE'
                       AND (OLD.member_id, OLD.accepted_at, OLD.ballot_number, OLD.statement)
                           IS NOT DISTINCT FROM
                           (NEW.member_id, NEW.accepted_at, NEW.ballot_number, NEW.statement)
                       -- The count writes a candidate's place once; the seating its outcome.
                       AND (OLD.count_rank IS NULL
                            OR (OLD.count_rank, OLD.elected)
                               IS NOT DISTINCT FROM (NEW.count_rank, NEW.elected))
                    THEN
                        RETURN NEW;
                    END IF;
                    -- A statement may always be blanked: the member's data erased.
                    IF TG_OP = 'UPDATE' AND NEW.statement = ''
                       AND (OLD.member_id, OLD.accepted_at, OLD.ballot_number, OLD.count_rank,
                            OLD.elected, OLD.seat_outcome)
                           IS NOT DISTINCT FROM
                           (NEW.member_id, NEW.accepted_at, NEW.ballot_number, NEW.count_rank,
                            NEW.elected, NEW.seat_outcome) THEN
                        RETURN NEW;
                    END IF;
                    IF EXISTS (SELECT 1 FROM elections_election e
                                WHERE e.id = OLD.election_id
                                  AND e.state NOT IN ('proposed', 'confirmed')) THEN
                        {_CANDIDACY_FROZEN_ONCE_VOTING}
                    END IF;
                    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
                """,  # nosec B608
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election_id}:{self.member_id}"
