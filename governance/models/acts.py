"""Acts that need a second person: nobody changes who holds power or what a vote says alone.

Seating a member or ending a seat outside an election, opening a motion, closing one before
its window ends and publishing a result are each first *proposed* (with a reason) as a
`PendingAct`, and happen only when a second person confirms it before `expires_at`:
another Steering Committee member for motions, a coordinator for seats
(governance.services.acts). Closing a motion at the end of its window stays automatic.

The guards below hold the rule for every database client: an act is written pending, it is
confirmed only by someone other than its proposer (and other than the member it seats or
unseats), only before it expires, and once decided it never changes.
"""

# bandit B608 ("# nosec B608" below): trigger SQL rendered from the code's own constants,
# never from input.

import pgtrigger
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.guards import Guard, refuse
from members.models import REASON_MAX_LENGTH, Member

from .motions import Motion
from .roles import Position, Seat


class ActKind(models.TextChoices):
    SEAT_ASSIGN = "seat_assign", _("Seat a member outside an election")
    SEAT_END = "seat_end", _("End a seat")
    MOTION_OPEN = "motion_open", _("Open a motion for voting")
    MOTION_CLOSE = "motion_close", _("Close a motion before its voting window ends")
    MOTION_PUBLISH = "motion_publish", _("Publish a motion's result")


SEAT_KINDS = [ActKind.SEAT_ASSIGN, ActKind.SEAT_END]
MOTION_KINDS = [ActKind.MOTION_OPEN, ActKind.MOTION_CLOSE, ActKind.MOTION_PUBLISH]


class ActState(models.TextChoices):
    PENDING = "pending", _("Waiting for a second person")
    CONFIRMED = "confirmed", _("Confirmed and carried out")
    DECLINED = "declined", _("Declined or withdrawn")
    EXPIRED = "expired", _("Expired unconfirmed")


# The columns a proposal is made of: fixed once written.
_PROPOSAL_COLUMNS = [
    "kind",
    "reason",
    "proposed_by_id",
    "proposed_at",
    "expires_at",
    "motion_id",
    "seat_id",
    "member_id",
    "position",
    "term_start",
    "term_end",
]


def _changed_sql(columns: list[str]) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


class PendingAct(models.Model):
    kind = models.CharField(_("act"), max_length=16, choices=ActKind.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=ActState.choices, default=ActState.PENDING
    )
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH)
    proposed_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    expires_at = models.DateTimeField(_("confirm before"))
    decided_by = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=REASON_MAX_LENGTH, blank=True)
    # What the act is about: a motion, a seat to end, or a member to seat (with the seat).
    motion = models.ForeignKey(
        Motion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("motion"),
    )
    seat = models.ForeignKey(
        Seat,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("seat"),
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    position = models.CharField(_("position"), max_length=16, choices=Position.choices, blank=True)
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("act waiting for confirmation")
        verbose_name_plural = _("acts waiting for confirmation")
        ordering = ["-proposed_at", "-pk"]
        permissions = [("confirm_seat_act", _("Can confirm seat changes"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ActKind.values), name="act_kind_is_known"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=ActState.values), name="act_state_is_known"
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="act_has_a_reason"),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("proposed_at")),
                name="act_expires_after_it_is_proposed",
            ),
            # What each kind of act needs to name, and nothing else.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind__in=MOTION_KINDS,
                        motion__isnull=False,
                        seat__isnull=True,
                        member__isnull=True,
                    )
                    | models.Q(
                        kind=ActKind.SEAT_END,
                        seat__isnull=False,
                        member__isnull=False,
                        motion__isnull=True,
                    )
                    | models.Q(
                        kind=ActKind.SEAT_ASSIGN,
                        member__isnull=False,
                        term_start__isnull=False,
                        term_end__isnull=False,
                        motion__isnull=True,
                        seat__isnull=True,
                    )
                    & ~models.Q(position="")
                ),
                name="act_names_its_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    state=ActState.PENDING, decided_by__isnull=True, decided_at__isnull=True
                )
                | models.Q(
                    state__in=[ActState.CONFIRMED, ActState.DECLINED],
                    decided_by__isnull=False,
                    decided_at__isnull=False,
                )
                | models.Q(state=ActState.EXPIRED, decided_by__isnull=True),
                name="act_decided_by_someone",
            ),
            # A double click proposes once: one pending act per kind and subject.
            models.UniqueConstraint(
                fields=["kind", "motion"],
                condition=models.Q(state=ActState.PENDING, motion__isnull=False),
                name="act_one_pending_per_motion",
            ),
            models.UniqueConstraint(
                fields=["kind", "member"],
                condition=models.Q(state=ActState.PENDING, member__isnull=False),
                name="act_one_pending_per_member",
            ),
        ]
        triggers = [
            Guard(
                name="act_proposed_pending",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                condition=pgtrigger.Q(new__state__df=ActState.PENDING.value),
                func=refuse("act_proposed_pending", "an act is proposed, then confirmed"),
            ),
            Guard(
                name="act_confirmed_by_a_second_person",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(new__state=ActState.CONFIRMED.value),
                func=f"""
                    IF NEW.decided_by_id IS NULL
                       OR NEW.decided_by_id = NEW.proposed_by_id
                       OR NEW.decided_by_id IS NOT DISTINCT FROM NEW.member_id THEN
                        {
                    refuse(
                        "act_confirmed_by_a_second_person",
                        "someone other than the proposer and the member concerned must confirm",
                    )
                }
                    END IF;
                    IF now() > NEW.expires_at THEN
                        {refuse("act_confirmed_by_a_second_person", "the time to confirm is over")}
                    END IF;
                    RETURN NEW;
                """,
            ),
            Guard(
                name="act_decided_once",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                func=f"""
                    IF OLD.state <> '{ActState.PENDING.value}' OR {_changed_sql(_PROPOSAL_COLUMNS)}
                       OR (NEW.state = '{ActState.EXPIRED.value}' AND now() <= NEW.expires_at)
                    THEN
                        {refuse("act_decided_once", "a proposal is decided once and never changed")}
                    END IF;
                    RETURN NEW;
                """,  # nosec B608
            ),
            Guard(
                name="act_kept",
                when=pgtrigger.Before,
                operation=pgtrigger.Delete,
                func=refuse("act_kept", "proposals and their decisions are part of the record"),
            ),
        ]

    def __str__(self) -> str:
        subject = self.motion or self.seat or self.member
        return f"{self.get_kind_display()}: {subject}"

    @property
    def is_expired(self) -> bool:
        return self.state == ActState.PENDING and timezone.now() > self.expires_at
