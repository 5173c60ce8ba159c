"""Motions: their text in five languages, their rules, their life cycle and their result.

A motion's electoral roll, voters and ballots live in its ballot box (ballot_box.py), which
opening the motion creates. The guards below tie the two: a motion opens only with a
fresh box that matches its rules, closes only when its box has been closed and counted,
and its result, once written, never changes.
"""

# bandit B608 ("# nosec B608" below): trigger SQL rendered from the code's own constants
# (choice values, states, guard names), never from input.

import pgtrigger
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.guards import Guard, refuse
from members.models import Member

from .ballot_box import BallotBox

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 20000


# The refusals of the guards below whose messages do not fit on their line.
_MOTION_STATE_MOVES_FORWARD = refuse(
    "motion_state_moves_forward",
    "this change of state is not allowed",
)
_MOTION_OPENS_WITH_ITS_OWN_BOX = refuse(
    "motion_opens_with_its_own_box",
    "a motion opens with a new ballot box made for its rules",
)
_MOTION_ACTS_NEED_A_SECOND_PERSON = refuse(
    "motion_acts_need_a_second_person",
    "opening, closing early and publishing need an act a second person confirmed",
)
_MOTION_RESULTS_MATCH_ITS_BALLOTS = refuse(
    "motion_results_match_its_ballots",
    "the result must be the count of the closed ballot box",
)


class Electorate(models.TextChoices):
    VOTING_MEMBERS = "voting_members", _("All voting members")
    STEERING_COMMITTEE = "steering_committee", _("The Steering Committee only")


class BallotKind(models.TextChoices):
    ROLL_CALL = "roll_call", _("Roll-call (members see who voted what)")
    SECRET = "secret", _("Secret")


class MajorityRule(models.TextChoices):
    SIMPLE = "simple", _("Simple majority of yes and no votes")
    TWO_THIRDS = "two_thirds", _("Two-thirds of yes and no votes")
    ABSOLUTE = "absolute", _("Absolute majority of the electoral roll")


class MotionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for voting")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Results published")


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    NO_QUORUM = "no_quorum", _("Not decided: quorum not met")


class Choice(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    ABSTAIN = "abstain", _("Abstain")


# A motion's ballot content in its box: one byte per choice (ballot_box.BallotBox.content_size).
CHOICE_CONTENT = {Choice.YES: b"\x01", Choice.NO: b"\x02", Choice.ABSTAIN: b"\x03"}
CHOICE_OF_CONTENT = {content: choice for choice, content in CHOICE_CONTENT.items()}


# The guard below counts a closed box's packed contents (ballot_box.CountedBallots) in SQL
# without a row per ballot: each pack's contents as hexadecimal text, checked to be nothing
# but choice bytes, and the occurrences of each choice's two hex digits counted by
# `replace`. That count is exact only because every choice is one byte from 01 to 09: its
# hex starts with 0 and does not end with 0, so a choice's digits can never be read across
# two neighbouring choices.
if any(len(c) != 1 or not 1 <= c[0] <= 9 for c in CHOICE_CONTENT.values()):
    raise ImportError("CHOICE_CONTENT: the counting guard needs one byte from 01 to 09 each")
_CHOICE_HEX = [CHOICE_CONTENT[choice].hex() for choice in (Choice.YES, Choice.NO, Choice.ABSTAIN)]
_CONTENTS_ARE_CHOICES = "^(" + "|".join(_CHOICE_HEX) + ")*$"


def _counts_sql() -> str:
    """SQL counting the box's counted ballots per choice, in one pass (one row value, so
    that a row of counts can be compared with it)."""
    columns = ", ".join(
        f"coalesce(sum((length(x.h) - length(replace(x.h, '{digits}', ''))) / 2), 0)::integer"
        for digits in _CHOICE_HEX
    )
    return (
        f"SELECT ROW({columns}) FROM (SELECT encode(c.contents, 'hex') AS h"  # nosec B608
        " FROM governance_countedballots c WHERE c.box_id = NEW.box_id) x"
    )


def _contents_not_choices_sql() -> str:
    return (
        "SELECT 1 FROM governance_countedballots c WHERE c.box_id = NEW.box_id"  # nosec B608
        f" AND encode(c.contents, 'hex') !~ '{_CONTENTS_ARE_CHOICES}'"
    )


# The columns that may not change once a motion has opened (text in every language, and
# every rule). Kept here so the trigger and the admin agree.
FROZEN_FIELDS = [
    "title",
    "text",
    "electorate",
    "ballot_kind",
    "majority",
    "quorum_percent",
    "opens_at",
    "closes_at",
    "allow_language_fallback",
    "box",
]


def _frozen_columns_sql(languages: list[str]) -> str:
    columns = [f if f != "box" else "box_id" for f in FROZEN_FIELDS if f not in ("title", "text")]
    for base in ("title", "text"):
        columns += [base] + [f"{base}_{code}" for code in languages]
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


LANGUAGE_CODES = ["en", "sv", "nb", "fi", "is"]


class Motion(models.Model):
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    proposer = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposer"),
    )
    electorate = models.CharField(
        _("electorate"),
        max_length=24,
        choices=Electorate.choices,
        default=Electorate.VOTING_MEMBERS,
    )
    ballot_kind = models.CharField(
        _("ballot"), max_length=16, choices=BallotKind.choices, default=BallotKind.SECRET
    )
    majority = models.CharField(
        _("majority rule"), max_length=16, choices=MajorityRule.choices, default=MajorityRule.SIMPLE
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (percentage of the roll)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of the electoral roll that must vote (abstentions count)."),
    )
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    allow_language_fallback = models.BooleanField(
        _("open even if a translation is missing"),
        default=False,
        help_text=_("Members reading a missing language then see the English text, with a note."),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=MotionState.choices, default=MotionState.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    box = models.OneToOneField(
        BallotBox,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="motion",
        verbose_name=_("ballot box"),
    )
    yes_count = models.PositiveIntegerField(_("yes"), null=True, blank=True)
    no_count = models.PositiveIntegerField(_("no"), null=True, blank=True)
    abstain_count = models.PositiveIntegerField(_("abstain"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        ordering = ["-opens_at", "-pk"]
        permissions = [("manage_motions", _("Can open, close and publish motions"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="motion_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(quorum_percent__lte=100), name="motion_quorum_is_a_share"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=MotionState.values), name="motion_state_is_known"
            ),
            models.CheckConstraint(
                condition=models.Q(electorate__in=Electorate.values)
                & models.Q(ballot_kind__in=BallotKind.values)
                & models.Q(majority__in=MajorityRule.values),
                name="motion_rules_are_known",
            ),
            # Results exist exactly when the motion is closed or published.
            models.CheckConstraint(
                condition=(
                    models.Q(state__in=["draft", "open"], yes_count__isnull=True)
                    | models.Q(
                        state__in=["closed", "published"],
                        yes_count__isnull=False,
                        no_count__isnull=False,
                        abstain_count__isnull=False,
                    )
                ),
                name="motion_results_only_after_close",
            ),
        ]
        indexes = [models.Index(fields=["state", "closes_at"], name="motion_state_closes_idx")]
        triggers = [
            Guard(
                name="motion_frozen_once_open",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__state__in=["open", "closed", "published"]),
                func=f"""
                    IF {_frozen_columns_sql(LANGUAGE_CODES)} THEN
                        {refuse("motion_frozen_once_open", "text and rules cannot change")}
                    END IF;
                    RETURN NEW;
                """,
            ),
            Guard(
                name="motion_results_frozen",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__state__in=["closed", "published"]),
                func=f"""
                    IF (OLD.yes_count, OLD.no_count, OLD.abstain_count, OLD.outcome,
                        OLD.closed_at, OLD.opened_at)
                       IS DISTINCT FROM (NEW.yes_count, NEW.no_count, NEW.abstain_count,
                                         NEW.outcome, NEW.closed_at, NEW.opened_at) THEN
                        {refuse("motion_results_frozen", "a result cannot change")}
                    END IF;
                    RETURN NEW;
                """,
            ),
            Guard(
                name="motion_state_moves_forward",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__state__df=pgtrigger.F("new__state")),
                func=f"""
                    IF NOT ((OLD.state = 'draft' AND NEW.state = 'open')
                         OR (OLD.state = 'open' AND NEW.state = 'closed')
                         OR (OLD.state = 'closed' AND NEW.state = 'published')) THEN
                        {_MOTION_STATE_MOVES_FORWARD}
                    END IF;
                    RETURN NEW;
                """,
            ),
            # Opening needs a box made for this motion (by ballot_box_open) and nothing in it.
            Guard(
                name="motion_opens_with_its_own_box",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__state="draft", new__state="open"),
                func=f"""
                    PERFORM 1 FROM governance_ballotbox b
                     WHERE b.id = NEW.box_id AND b.state = 'open'
                       AND b.secret = (NEW.ballot_kind = '{BallotKind.SECRET.value}')
                       AND b.committee_only
                           = (NEW.electorate = '{Electorate.STEERING_COMMITTEE.value}')
                       AND b.opens_at = NEW.opens_at AND b.closes_at = NEW.closes_at
                       AND b.content_size = 1
                       AND NOT EXISTS (SELECT 1 FROM governance_voter v WHERE v.box_id = b.id);
                    IF NOT FOUND THEN
                        {_MOTION_OPENS_WITH_ITS_OWN_BOX}
                    END IF;
                    RETURN NEW;
                """,  # nosec B608
            ),
            # Closing needs the box closed (its ballots opened and counted) and the counts
            # the motion records equal to the counted ballots.
            Guard(
                name="motion_results_match_its_ballots",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__state="open", new__state="closed"),
                func=f"""
                    IF NOT EXISTS (SELECT 1 FROM governance_ballotbox b
                                    WHERE b.id = NEW.box_id AND b.state = 'closed')
                       OR EXISTS ({_contents_not_choices_sql()})
                       OR (NEW.yes_count, NEW.no_count, NEW.abstain_count)
                          IS DISTINCT FROM ({_counts_sql()}) THEN
                        {_MOTION_RESULTS_MATCH_ITS_BALLOTS}
                    END IF;
                    RETURN NEW;
                """,  # nosec B608
            ),
            # No one acts alone (governance.models.acts): opening, closing before the end
            # of the window and publishing each need an act a second person confirmed. The
            # ordinary close needs none; the minute's tolerance absorbs a difference between
            # an app server's clock (which decides a motion is due) and the database's.
            Guard(
                name="motion_acts_need_a_second_person",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__state__df=pgtrigger.F("new__state")),
                func=f"""
                    IF NOT EXISTS (
                        SELECT 1 FROM governance_pendingact a
                         WHERE a.motion_id = NEW.id AND a.state = 'confirmed'
                           AND a.kind = CASE
                               WHEN OLD.state = 'draft' THEN 'motion_open'
                               WHEN OLD.state = 'open' THEN 'motion_close'
                               ELSE 'motion_publish' END)
                       AND NOT (OLD.state = 'open'
                                AND clock_timestamp() >= OLD.closes_at - interval '1 minute')
                    THEN
                        {_MOTION_ACTS_NEED_A_SECOND_PERSON}
                    END IF;
                    RETURN NEW;
                """,  # nosec B608
            ),
            Guard(
                name="motion_deleted_only_as_draft",
                when=pgtrigger.Before,
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__state__in=["open", "closed", "published"]),
                func=refuse(
                    "motion_deleted_only_as_draft", "a motion that has opened is part of the record"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open_now(self) -> bool:
        now = timezone.now()
        return self.state == MotionState.OPEN and self.opens_at <= now < self.closes_at

    @property
    def roll_size(self) -> int | None:
        """How many members are on the electoral roll (frozen when the motion opened)."""
        return self.box.roll_size if self.box_id else None

    @property
    def roll_digest(self) -> str:
        return self.box.roll_digest if self.box_id else ""

    @property
    def turnout(self) -> int | None:
        if self.yes_count is None:
            return None
        return self.yes_count + self.no_count + self.abstain_count

    def missing_languages(self) -> list[str]:
        """Language codes whose title or text is empty."""
        return [
            code
            for code in LANGUAGE_CODES
            if not (getattr(self, f"title_{code}", "") and getattr(self, f"text_{code}", ""))
        ]

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError(
                {"closes_at": _("Voting must close after it opens.")}, code="window_order"
            )
