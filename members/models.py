"""Accounts and membership records.

A `User` is the login (an e-mail address, no name). A `Member` is the person in the
organisation: pseudonym, country, language, status and membership state. The status is
the most sensitive fact stored here; it is written only by the services in
`members.services`, never by a form the member submits.
"""

# bandit B608 ("# nosec B608" below): trigger SQL rendered from the code's own constants
# (choice values, states, guard names), never from input.

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.guards import append_only

# The choices the eligibility rule reads live apart, so the rule can be stated (and tried
# with another condition) without loading the models.
from .choices import MembershipState, Status

PSEUDONYM_MAX_LENGTH = 60
NOTE_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 1000


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Identified by e-mail only: a legal name is never asked for."""

    email = models.EmailField(_("e-mail address"), unique=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        member = getattr(self, "member", None)
        return str(member) if member else self.email


class Country(models.TextChoices):
    SWEDEN = "SE", _("Sweden")
    NORWAY = "NO", _("Norway")
    FINLAND = "FI", _("Finland")
    ICELAND = "IS", _("Iceland")
    ELSEWHERE = "XX", _("Elsewhere")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SWEDISH = "sv", _("Swedish")
    NORWEGIAN = "nb", _("Norwegian Bokmål")
    FINNISH = "fi", _("Finnish")
    ICELANDIC = "is", _("Icelandic")


# What an erased member's cleared columns hold: nothing.
ERASED_BLANK = ""


# Database-level history of membership, written by triggers so that admin edits, bulk
# `update()` and raw SQL are caught too. It keeps no personal values: the membership state
# (not sensitive) on creation and on each change, and the bare fact and time of a status
# change, never the status itself. The event tables are append-only.
def _member_history_append_only(name: str):
    """A member's state and status history is append-only; only their erasure, or the
    purge of a rejected applicant (the member row gone), deletes it."""
    return append_only(
        name,
        deletable_when=(
            "NOT EXISTS (SELECT 1 FROM members_member m WHERE m.id = OLD.pgh_obj_id"
            f" AND m.state <> '{MembershipState.ERASED.value}')"  # nosec B608
        ),
    )


@pghistory.track(
    pghistory.InsertEvent("member.created"),
    pghistory.UpdateEvent("member.state_changed", condition=pghistory.AnyChange("state")),
    # Each state change keeps the reason given for it (a suspension's, a lapse's).
    fields=["state", "state_reason"],
    model_name="MemberStateEvent",
    obj_field=pghistory.ObjForeignKey(related_name="state_events"),
    context_field=None,
    append_only=False,
    meta={"triggers": [_member_history_append_only("member_state_history_append_only")]},
)
@pghistory.track(
    pghistory.UpdateEvent("member.status_changed", condition=pghistory.AnyChange("status")),
    fields=[],
    model_name="MemberStatusEvent",
    obj_field=pghistory.ObjForeignKey(related_name="status_change_events"),
    context_field=None,
    append_only=False,
    meta={"triggers": [_member_history_append_only("member_status_history_append_only")]},
)
class Member(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="member"
    )
    pseudonym = models.CharField(
        _("pseudonym"),
        max_length=PSEUDONYM_MAX_LENGTH,
        help_text=_("The name other members see. It need not be your legal name."),
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    state = models.CharField(
        _("membership state"),
        max_length=16,
        choices=MembershipState.choices,
        default=MembershipState.APPLIED,
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)
    # Why the membership is in its state (a coordinator's reason for a suspension, a lapse
    # for not renewing); the state history keeps every earlier one.
    state_reason = models.CharField(
        _("reason for the state"), max_length=REASON_MAX_LENGTH, blank=True
    )
    # The annual renewal (members.renewal): the day the member last confirmed their
    # membership, and the day this period's reminder was sent.
    renewed_on = models.DateField(_("renewed on"), null=True, blank=True)
    renewal_notice_sent_on = models.DateField(_("renewal reminder sent on"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["pseudonym"]
        permissions = [
            ("review_status", _("Can see members' status")),
            ("approve_membership", _("Can approve applications and status changes")),
        ]
        constraints = [
            # Only an erased member has no status or country: erasure must not leave a
            # guessable default behind (members.data_rights).
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values)
                | models.Q(state=MembershipState.ERASED, status=ERASED_BLANK),
                name="member_status_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=MembershipState.values),
                name="member_state_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(country__in=Country.values)
                | models.Q(state=MembershipState.ERASED, country=ERASED_BLANK),
                name="member_country_is_known",
            ),
            # An erased member keeps nothing that could lead back to the person.
            models.CheckConstraint(
                condition=~models.Q(state=MembershipState.ERASED)
                | models.Q(
                    pseudonym=ERASED_BLANK,
                    status=ERASED_BLANK,
                    country=ERASED_BLANK,
                    approved_at__isnull=True,
                    approved_by__isnull=True,
                ),
                name="member_erased_keeps_no_personal_data",
            ),
            models.CheckConstraint(
                condition=models.Q(preferred_language__in=Language.values),
                name="member_language_is_known",
            ),
        ]
        indexes = [models.Index(fields=["state", "status"], name="member_state_status_idx")]

    def __str__(self) -> str:
        if self.state == MembershipState.ERASED:
            return str(_("Former member"))
        return self.pseudonym

    @property
    def is_erased(self) -> bool:
        return self.state == MembershipState.ERASED


class ApplicationDecision(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class MembershipApplication(models.Model):
    """An application to join; the applicant's Member row exists in state `applied`."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="application")
    note = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decision = models.CharField(
        _("decision"),
        max_length=16,
        choices=ApplicationDecision.choices,
        default=ApplicationDecision.PENDING,
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
    decision_reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="pending", decided_at__isnull=True)
                | (~models.Q(decision="pending") & models.Q(decided_at__isnull=False)),
                name="application_decided_iff_dated",
            )
        ]

    def __str__(self) -> str:
        return str(self.member)


class StatusChangeRequest(models.Model):
    """A member's request to change their status, and its decision: the record of
    every status change (who asked, who decided, when and why)."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="status_change_requests"
    )
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decision = models.CharField(
        _("decision"),
        max_length=16,
        choices=ApplicationDecision.choices,
        default=ApplicationDecision.PENDING,
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
    decision_reason = models.TextField(
        _("decision reason"), max_length=REASON_MAX_LENGTH, blank=True
    )

    class Meta:
        verbose_name = _("status change request")
        verbose_name_plural = _("status change requests")
        ordering = ["requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_status=models.F("to_status")),
                name="status_change_changes_status",
            ),
            # One open request at a time per member: a double submit cannot queue two.
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(decision="pending"),
                name="status_change_one_pending_per_member",
            ),
        ]

    def __str__(self) -> str:
        return str(self.member)


class NoticeKind(models.TextChoices):
    """What a notice is about. The e-mail says the same for every kind (there is
    something new to read on the site), so a mailbox never shows which it was: a notice
    about a vote would tell a reader that the member is on a roll, that is, their status."""

    MOTION_OPENED = "motion_opened", _("A vote I can take part in has opened")
    MOTION_CLOSING = "motion_closing", _("A reminder before a vote I can take part in closes")
    RESULTS_PUBLISHED = "results_published", _("The results of a vote have been published")
    WAITING = "waiting", _("Applications or requests are waiting for coordinators")


class NoticeOptOut(models.Model):
    """A kind of notice a member does not want. No row: the member gets it."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notice_opt_outs")
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)

    class Meta:
        verbose_name = _("notice opt-out")
        verbose_name_plural = _("notice opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], name="notice_opt_out_once"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Notice(models.Model):
    """A notice waiting in the outbox. The `notices_send` job sends it once `due_at` has
    passed, outside any request, and deletes it: a sent notice leaves no trace of who was
    told what. A failed send is retried later (`attempts`, `due_at` moved on)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    due_at = models.DateTimeField(_("due at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "due_at"], name="notice_once"),
        ]
        indexes = [models.Index(fields=["due_at"], name="notice_due_at")]

    def __str__(self) -> str:
        return self.get_kind_display()
