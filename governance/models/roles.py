"""Steering Committee seats and spokesperson assignments.

Both are roles that only an active sex-worker member may hold. Besides the service checks
(members.eligibility), named database triggers refuse any write that would give such a
role to anyone else, whatever path it takes (admin, shell, bulk update, raw SQL):

- `seat_holder_must_be_active_sex_worker`: on governance_seat
- `spokesperson_must_be_active_sex_worker`: on governance_spokespersonassignment
- `member_with_roles_must_stay_active_sex_worker`: on members_member, declared on the proxy
  `MemberWithRoles` because members must not know about governance

The role guards write the member row (see `_eligible_member_sql`), so a concurrent status
change either waits for the role to commit (and then sees it and is refused), commits first
(and the role's guard then sees the new status), or, at REPEATABLE READ or SERIALIZABLE,
fails with a serialization error.
"""

# bandit B608 ("# nosec B608" below): trigger SQL rendered from the code's own constants
# (choice values, states, guard names), never from input.

import pghistory
import pgtrigger
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.guards import Guard, append_only, refuse
from members import eligibility
from members.models import REASON_MAX_LENGTH, Country, Language, Member, MembershipState


# The rule's check, shared by the role guards: the member must be active and a sex worker.
# Not a `FOR SHARE` read: a row lock leaves the member row's version as it was, so a status
# change running at REPEATABLE READ with a snapshot taken before this role committed would
# not see the role and would go through (an ally holding a seat). Writing the member row
# (a no-op update) makes that change fail with a serialization error instead, and at READ
# COMMITTED makes a concurrent change wait and then see the role.
def _eligible_member_sql(name: str) -> str:
    # bandit: trigger SQL rendered from the code's own constants, never from input.
    return f"""
    UPDATE members_member m SET id = m.id
     WHERE m.id = NEW.member_id AND {eligibility.sql_condition("m")};
    IF NOT FOUND THEN
        {refuse(name, "only an active sex-worker member may hold this role")}
    END IF;
"""  # nosec B608


class Position(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice chair")
    TREASURER = "treasurer", _("Treasurer")
    MEMBER = "member", _("Committee member")


SINGLE_HOLDER_POSITIONS = [Position.CHAIR, Position.VICE_CHAIR, Position.TREASURER]


def _history_of_erased_member(table: str) -> str:
    """SQL on a history row (OLD): the row it records belongs to an erased member."""
    return (
        f"EXISTS (SELECT 1 FROM {table} r JOIN members_member m ON m.id = r.member_id"
        f" WHERE r.id = OLD.pgh_obj_id AND m.state = '{MembershipState.ERASED.value}')"  # nosec B608
    )


# The history is append-only; only erasing a member deletes their rows (members.data_rights).
@pghistory.track(
    append_only=False,
    meta={
        "triggers": [
            append_only(
                "seat_history_append_only",
                deletable_when=_history_of_erased_member("governance_seat"),
            )
        ]
    },
)
class Seat(models.Model):
    """A seat on the Steering Committee for a term. `ended_on` is the first day the seat
    is no longer held; a seat occupies [term_start, ended_on or term_end + 1 day)."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="seats", verbose_name=_("member")
    )
    position = models.CharField(_("position"), max_length=16, choices=Position.choices)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=REASON_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("Steering Committee seat")
        verbose_name_plural = _("Steering Committee seats")
        ordering = ["position", "term_start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gte=models.F("term_start")),
                name="seat_term_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("term_start")),
                name="seat_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(position__in=Position.values), name="seat_position_is_known"
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(ended_on__isnull=True),
                name="seat_one_active_per_member",
            ),
            # Chair, vice chair and treasurer have one holder at a time: their occupied
            # date ranges may not overlap.
            ExclusionConstraint(
                name="seat_single_holder_positions_do_not_overlap",
                expressions=[
                    (
                        models.Func(
                            models.F("term_start"),
                            Coalesce(
                                models.F("ended_on"),
                                # date + integer stays a date in Postgres.
                                models.ExpressionWrapper(
                                    models.F("term_end") + models.Value(1),
                                    output_field=models.DateField(),
                                ),
                            ),
                            models.Value("[)"),
                            function="daterange",
                            output_field=DateRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                    ("position", RangeOperators.EQUAL),
                ],
                condition=models.Q(position__in=SINGLE_HOLDER_POSITIONS),
            ),
        ]
        triggers = [
            Guard(
                name="seat_holder_must_be_active_sex_worker",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                condition=pgtrigger.Q(new__ended_on__isnull=True),
                func=_eligible_member_sql("seat_holder_must_be_active_sex_worker") + "RETURN NEW;",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.get_position_display()})"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    def clean(self) -> None:
        if self.ended_on is None and self.member_id:
            error = eligibility.eligibility_error(self.member)
            if error is not None:
                raise ValidationError({"member": error})
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError(
                {"term_end": _("The term cannot end before it starts.")}, code="term_order"
            )


class Topic(models.Model):
    """A subject a spokesperson speaks on; the name is translated (modeltranslation)."""

    slug = models.SlugField(_("code"), unique=True, max_length=40)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class AssignmentState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ENDED = "ended", _("Ended")
    REVOKED = "revoked", _("Revoked")


# The states in which an assignment counts as a role the rule protects.
ACTIVE_ASSIGNMENT_STATES = [AssignmentState.PROPOSED, AssignmentState.APPROVED]


@pghistory.track(
    append_only=False,
    meta={
        "triggers": [
            append_only(
                "assignment_history_append_only",
                deletable_when=_history_of_erased_member("governance_spokespersonassignment"),
            )
        ]
    },
)
class SpokespersonAssignment(models.Model):
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="spokesperson_assignments",
        verbose_name=_("member"),
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), related_name="+")
    countries = ArrayField(
        models.CharField(max_length=2, choices=Country.choices), verbose_name=_("countries")
    )
    languages = ArrayField(
        models.CharField(max_length=5, choices=Language.choices), verbose_name=_("languages")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=AssignmentState.choices,
        default=AssignmentState.PROPOSED,
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    proposed_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    closed_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for ending"), max_length=REASON_MAX_LENGTH, blank=True
    )

    class Meta:
        verbose_name = _("spokesperson assignment")
        verbose_name_plural = _("spokesperson assignments")
        ordering = ["-proposed_at"]
        permissions = [
            ("approve_spokesperson", _("Can approve or reject spokesperson assignments")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=AssignmentState.values),
                name="assignment_state_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="assignment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(countries=[]) & ~models.Q(languages=[]),
                name="assignment_has_countries_and_languages",
            ),
        ]
        triggers = [
            Guard(
                name="spokesperson_must_be_active_sex_worker",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                condition=pgtrigger.Q(new__state__in=ACTIVE_ASSIGNMENT_STATES),
                func=_eligible_member_sql("spokesperson_must_be_active_sex_worker") + "RETURN NEW;",
            )
        ]

    def __str__(self) -> str:
        return str(self.member)

    def clean(self) -> None:
        if self.state in ACTIVE_ASSIGNMENT_STATES and self.member_id:
            error = eligibility.eligibility_error(self.member)
            if error is not None:
                raise ValidationError({"member": error})
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": _("The period cannot end before it starts.")}, code="period_order"
            )


class MemberWithRoles(Member):
    """Members as governance sees them: the guard that keeps a role holder eligible sits
    on the members' table but reads governance's, so it is declared here, on a proxy
    (members must not know about governance), and rendered from the rule like the others."""

    class Meta:
        proxy = True
        default_permissions = ()  # no admin, no permissions: it only carries the guard
        triggers = [
            Guard(
                name="member_with_roles_must_stay_active_sex_worker",
                when=pgtrigger.Before,
                operation=pgtrigger.UpdateOf("status", "state"),
                condition=pgtrigger.Condition(eligibility.sql_negation("NEW")),
                # bandit B608: rendered from the code's own constants, never from input.
                func=f"""
    IF EXISTS (SELECT 1 FROM governance_seat
                WHERE member_id = NEW.id AND ended_on IS NULL)
       OR EXISTS (SELECT 1 FROM governance_spokespersonassignment
                   WHERE member_id = NEW.id
                     AND state IN ({
                    ", ".join(f"'{s.value}'" for s in ACTIVE_ASSIGNMENT_STATES)
                })) THEN
        {
                    refuse(
                        "member_with_roles_must_stay_active_sex_worker",
                        "end the member's roles before changing their status or membership",
                    )
                }
    END IF;
    RETURN NEW;""",  # nosec B608
            )
        ]
