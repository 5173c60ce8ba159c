"""Motions, electoral rolls and ballots.

Secret ballots must be unlinkable for anyone holding the database, so:
- a Ballot has no foreign key to its voter (roll-call ballots do: there, who voted what is
  public to members by design), no timestamp, and a random UUID instead of a sequence;
- "who has voted" is one row per motion (`MotionVoters`), rewritten by every vote and kept
  sorted, so neither its order nor its `xmin` points at one voter;
- casting takes an advisory lock instead of a row lock on the member (a row lock would put
  the voter's transaction id in the member row's `xmax`, equal to the ballot's `xmin`);
- closing re-inserts the ballots in random order in one transaction, so that afterwards
  neither `xmin` nor the physical order (`ctid`) says in which order they were cast.
tests/governance/test_unlinkability.py tries to re-link them and must fail.
"""

import uuid

import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Member

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 20000


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
]


def _frozen_columns_sql(languages: list[str]) -> str:
    columns = [f for f in FROZEN_FIELDS if f not in ("title", "text")]
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
    roll_size = models.PositiveIntegerField(_("electoral roll size"), null=True, blank=True)
    roll_digest = models.CharField(_("electoral roll digest"), max_length=64, blank=True)
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
            pgtrigger.Trigger(
                name="motion_frozen_once_open",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__state__in=["open", "closed", "published"]),
                func=f"""
                    IF {_frozen_columns_sql(LANGUAGE_CODES)} THEN
                        RAISE EXCEPTION 'motion_frozen_once_open: text and rules cannot change'
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                """,
            ),
            pgtrigger.Trigger(
                name="motion_state_moves_forward",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__state__df=pgtrigger.F("new__state")),
                func="""
                    IF NOT ((OLD.state = 'draft' AND NEW.state = 'open')
                         OR (OLD.state = 'open' AND NEW.state = 'closed')
                         OR (OLD.state = 'closed' AND NEW.state = 'published')) THEN
                        RAISE EXCEPTION 'motion_state_moves_forward: % to % is not allowed',
                            OLD.state, NEW.state USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                """,
            ),
            pgtrigger.Trigger(
                name="motion_deleted_only_as_draft",
                when=pgtrigger.Before,
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__state__in=["open", "closed", "published"]),
                func="""
                    RAISE EXCEPTION 'motion_deleted_only_as_draft: a motion that has opened '
                        'is part of the record' USING ERRCODE = 'check_violation';
                """,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open_now(self) -> bool:
        now = timezone.now()
        return self.state == MotionState.OPEN and self.opens_at <= now < self.closes_at

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


class RollEntry(models.Model):
    """One member on a motion's electoral roll, written once when the motion opens."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("electoral roll entry")
        verbose_name_plural = _("electoral roll entries")
        constraints = [
            models.UniqueConstraint(fields=["motion", "member"], name="roll_one_entry_per_member")
        ]
        triggers = [
            pgtrigger.Trigger(
                name="roll_frozen_once_open",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func="""
                    PERFORM 1 FROM governance_motion
                     WHERE id = COALESCE(NEW.motion_id, OLD.motion_id) AND state = 'draft';
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'roll_frozen_once_open: the electoral roll is frozen'
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN COALESCE(NEW, OLD);
                """,
            )
        ]

    def __str__(self) -> str:
        return f"{self.motion_id}:{self.member_id}"


class MotionVoters(models.Model):
    """Who has voted on a motion: one row per motion, its ids kept sorted. Every vote
    rewrites the row, so nothing in it tells which voter came last."""

    motion = models.OneToOneField(
        Motion, on_delete=models.CASCADE, primary_key=True, related_name="voters"
    )
    voter_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)

    class Meta:
        verbose_name = _("voters of a motion")
        verbose_name_plural = _("voters of motions")
        triggers = [
            pgtrigger.Trigger(
                name="voter_must_be_on_roll_and_eligible",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                func="""
                    DECLARE
                        added bigint;
                    BEGIN
                        -- Not `OLD.voter_ids <@ NEW.voter_ids`: Postgres compares arrays
                        -- element by element against each other (quadratic: 0.1 s per
                        -- vote at 5,000 voters, on the row every vote waits for).
                        IF EXISTS (SELECT v FROM unnest(OLD.voter_ids) v
                                   EXCEPT SELECT v FROM unnest(NEW.voter_ids) v) THEN
                            RAISE EXCEPTION 'voter_must_be_on_roll_and_eligible: a recorded '
                                'voter cannot be removed' USING ERRCODE = 'check_violation';
                        END IF;
                        IF cardinality(NEW.voter_ids) <> (
                            SELECT count(DISTINCT v) FROM unnest(NEW.voter_ids) v) THEN
                            RAISE EXCEPTION 'voter_must_be_on_roll_and_eligible: one ballot '
                                'per voter' USING ERRCODE = 'unique_violation';
                        END IF;
                        FOR added IN
                            SELECT v FROM unnest(NEW.voter_ids) v
                            EXCEPT SELECT v FROM unnest(OLD.voter_ids) v
                        LOOP
                            -- The same advisory lock as members.locks: a concurrent status
                            -- change waits, or is waited for, without touching the row.
                            PERFORM pg_advisory_xact_lock(1380930373, (added % 2147483647)::int);
                            PERFORM 1 FROM governance_motion mo
                              JOIN governance_rollentry r ON r.motion_id = mo.id
                              JOIN members_member m ON m.id = r.member_id
                             WHERE mo.id = NEW.motion_id AND mo.state = 'open'
                               AND r.member_id = added
                               AND m.state = 'active' AND m.status = 'sex_worker';
                            IF NOT FOUND THEN
                                RAISE EXCEPTION 'voter_must_be_on_roll_and_eligible: only an '
                                    'active sex-worker member on the roll may vote'
                                    USING ERRCODE = 'check_violation';
                            END IF;
                        END LOOP;
                        RETURN NEW;
                    END;
                """,
            ),
            pgtrigger.Trigger(
                name="voters_are_never_deleted",
                when=pgtrigger.Before,
                operation=pgtrigger.Delete,
                func="""
                    RAISE EXCEPTION 'voters_are_never_deleted: the record of who voted is '
                        'kept' USING ERRCODE = 'check_violation';
                """,
            ),
        ]

    def __str__(self) -> str:
        return str(self.motion_id)


class Ballot(models.Model):
    """One cast ballot. No timestamp, no sequential id; `voter` only for roll-call."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="ballots")
    choice = models.CharField(_("choice"), max_length=8, choices=Choice.choices)
    # sha256 of the receipt code shown once to the voter: the database never holds the code.
    receipt_hash = models.CharField(max_length=64, unique=True)
    voter = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(choice__in=Choice.values), name="ballot_choice_is_known"
            ),
            models.UniqueConstraint(
                fields=["motion", "voter"],
                condition=models.Q(voter__isnull=False),
                name="ballot_one_per_roll_call_voter",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="ballot_only_while_open",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                func="""
                    PERFORM 1 FROM governance_motion mo
                     WHERE mo.id = NEW.motion_id
                       AND (mo.state = 'open'
                            OR (mo.state = 'closed'
                                AND current_setting('rosealliance.sealing_motion', true)
                                    = NEW.motion_id::text))
                       AND (NEW.voter_id IS NULL) = (mo.ballot_kind = 'secret');
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'ballot_only_while_open: the motion is not open, or '
                            'the ballot does not match its kind' USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                """,
            ),
            # Each ballot needs a recorded voter: checked at commit, after the voters row
            # and the ballot are both written. Not for the ballots the close re-inserts
            # (the WHEN clause is evaluated at insert time, so they are never queued): one
            # check per re-inserted ballot, each counting the whole box, made closing a
            # motion of 100,000 ballots take hours. The statement trigger below checks
            # those once per statement instead.
            pgtrigger.Trigger(
                name="ballot_requires_a_recorded_voter",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                timing=pgtrigger.Deferred,
                condition=pgtrigger.Condition(
                    "current_setting('rosealliance.sealing_motion', true)"
                    " IS DISTINCT FROM NEW.motion_id::text"
                ),
                func="""
                    IF (SELECT count(*) FROM governance_ballot WHERE motion_id = NEW.motion_id)
                       > (SELECT cardinality(voter_ids) FROM governance_motionvoters
                           WHERE motion_id = NEW.motion_id) THEN
                        RAISE EXCEPTION 'ballot_requires_a_recorded_voter: more ballots than '
                            'voters' USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NULL;
                """,
            ),
            pgtrigger.Trigger(
                name="ballot_requires_a_recorded_voter_when_sealed",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                level=pgtrigger.Statement,
                referencing=pgtrigger.Referencing(new="inserted"),
                func="""
                    IF EXISTS (
                        SELECT 1 FROM (SELECT DISTINCT motion_id FROM inserted) i
                         WHERE i.motion_id::text
                               = current_setting('rosealliance.sealing_motion', true)
                           AND (SELECT count(*) FROM governance_ballot b
                                 WHERE b.motion_id = i.motion_id)
                               > COALESCE((SELECT cardinality(voter_ids)
                                             FROM governance_motionvoters v
                                            WHERE v.motion_id = i.motion_id), 0)) THEN
                        RAISE EXCEPTION 'ballot_requires_a_recorded_voter: more ballots than '
                            'voters' USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NULL;
                """,
            ),
            # Ballots are final. The only exception is the close, which re-inserts them in
            # random order inside one transaction (see services.motion_close).
            pgtrigger.Trigger(
                name="ballots_are_final",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                func="""
                    IF TG_OP = 'DELETE' AND current_setting('rosealliance.sealing_motion', true)
                                            = OLD.motion_id::text THEN
                        RETURN OLD;
                    END IF;
                    RAISE EXCEPTION 'ballots_are_final: a cast ballot cannot change'
                        USING ERRCODE = 'check_violation';
                """,
            ),
        ]

    def __str__(self) -> str:
        return self.get_choice_display()
