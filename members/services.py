"""Every write to membership data. Views, the admin and commands call these.

Each service takes keyword-only arguments, runs in one transaction and locks the rows it
decides on, so two coordinators clicking at once, or a double click, give one result.
Errors are `ValidationError`s with a code; entry points show their message.
"""

import copy
import datetime
from datetime import timedelta

from allauth.core.context import request_context
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import audit
from core.decisions import decision_record

from . import eligibility, hooks, notices, renewal
from .emails import send_member_mail
from .models import (
    ApplicationDecision,
    Member,
    MembershipApplication,
    MembershipState,
    MemberStateEvent,
    MemberStatusEvent,
    Status,
    StatusChangeRequest,
)

User = get_user_model()


def member_lock(member_id: int) -> Member:
    """Lock a member row for a write that decides on it (`FOR UPDATE`): a ballot being cast
    holds the row `FOR SHARE` (the voters' guard), so the two wait for each other.
    Raises Member.DoesNotExist. Governance's services lock members through this too."""
    return Member.objects.select_for_update().select_related("user").get(pk=member_id)


def _actor(by: Member | None):
    """The user behind a deciding member, for the audit log (None: the system)."""
    return by.user if by is not None else None


def user_sessions_end(*, user) -> int:
    """Log `user` out everywhere: delete every session allauth.usersessions tracks for
    them (USERSESSIONS_TRACK_ACTIVITY records every authenticated session, however it
    was opened). Runs in the caller's transaction, so a rolled-back change keeps them
    logged in. Returns how many sessions ended."""
    sessions = list(UserSession.objects.filter(user_id=user.pk))
    for session in sessions:
        session.end()
    return len(sessions)


@transaction.atomic
def application_submit(
    *,
    request: HttpRequest,
    email: str,
    password: str,
    pseudonym: str,
    country: str,
    preferred_language: str,
    status: str,
    note: str,
) -> Member | None:
    """Create an inactive account, its Member in state `applied` and the application,
    and send the e-mail verification message.

    Returns None when the address already has an account: the caller shows the same page
    either way, after the same work (no account enumeration, by content or by time), and
    the address's owner gets a neutral note.
    """
    from allauth.account.models import EmailAddress

    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        # Hashing the password is most of an application's time: do it for a known address
        # too (and throw it away), so the response's time does not say the address is a
        # member's. The mails of both cases leave in the background (core.deferred).
        make_password(password)
        _notify_existing_account(request, email)
        return None
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, is_active=False)
    except IntegrityError:
        # Another request created the same address a moment ago.
        _notify_existing_account(request, email)
        return None
    member = Member.objects.create(
        user=user,
        pseudonym=pseudonym,
        country=country,
        preferred_language=preferred_language,
        status=status,
        state=MembershipState.APPLIED,
    )
    MembershipApplication.objects.create(member=member, note=note)
    address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    # allauth reads the request from its context; set it so that this service also works
    # outside a view (tests, commands).
    with translation.override(preferred_language), request_context(request):
        address.send_confirmation(request, signup=True)
    notices.coordinators_notify()
    return member


def _notify_existing_account(request: HttpRequest, email: str) -> None:
    from allauth.account.adapter import get_adapter

    with request_context(request):
        get_adapter(request).send_account_already_exists_mail(email)


def _decide_application(application_id: int, by: Member | None) -> MembershipApplication:
    application = (
        MembershipApplication.objects.select_for_update()
        .select_related("member__user")
        .get(pk=application_id)
    )
    if application.decision != ApplicationDecision.PENDING:
        raise ValidationError(
            _("This application has already been decided."), code="already_decided"
        )
    if by is not None and application.member_id == by.pk:
        raise ValidationError(
            _("You cannot decide on your own application."), code="own_application"
        )
    return application


@transaction.atomic
def application_approve(*, application_id: int, by: Member | None) -> Member:
    """Approve a pending application: the member becomes active and can log in."""
    application = _decide_application(application_id, by)
    member = member_lock(application.member_id)
    decision_record(application, by=by, decision=ApplicationDecision.APPROVED)
    now = application.decided_at
    member.state = MembershipState.ACTIVE
    member.approved_at = now
    member.approved_by = by
    member.state_changed_at = now
    member.save(update_fields=["state", "approved_at", "approved_by", "state_changed_at"])
    member.user.is_active = True
    member.user.save(update_fields=["is_active"])
    audit.record("application.approved", actor=_actor(by), target=application)
    send_member_mail(member, "application_approved")
    return member


@transaction.atomic
def application_reject(*, application_id: int, by: Member | None, reason: str = "") -> Member:
    """Reject a pending application. The account stays unable to log in."""
    application = _decide_application(application_id, by)
    member = member_lock(application.member_id)
    decision_record(
        application, by=by, decision=ApplicationDecision.REJECTED, decision_reason=reason
    )
    member.state = MembershipState.REJECTED
    member.state_changed_at = application.decided_at
    member.save(update_fields=["state", "state_changed_at"])
    audit.record("application.rejected", actor=_actor(by), target=application)
    send_member_mail(member, "application_rejected")
    return member


@transaction.atomic
def status_change_request(*, member: Member, to_status: str, reason: str) -> StatusChangeRequest:
    """A member asks for their status to be changed. Only a coordinator can approve it."""
    locked = member_lock(member.pk)
    if locked.state != MembershipState.ACTIVE:
        raise ValidationError(
            _("Only active members can ask for a status change."), code="membership_not_active"
        )
    if to_status not in Status.values:
        raise ValidationError(_("Choose a valid status."), code="invalid_status")
    if to_status == locked.status:
        raise ValidationError(_("That is already your status."), code="status_unchanged")
    if StatusChangeRequest.objects.filter(
        member=locked, decision=ApplicationDecision.PENDING
    ).exists():
        raise ValidationError(
            _("You already have a request waiting for a coordinator."), code="request_pending"
        )
    change = StatusChangeRequest.objects.create(
        member=locked, from_status=locked.status, to_status=to_status, reason=reason
    )
    audit.record("status_change.requested", actor=locked.user, target=change)
    notices.coordinators_notify()
    return change


def _lock_pending_status_change(request_id: int, by: Member | None) -> StatusChangeRequest:
    change = StatusChangeRequest.objects.select_for_update().get(pk=request_id)
    if change.decision != ApplicationDecision.PENDING:
        raise ValidationError(_("This request has already been decided."), code="already_decided")
    if by is not None and change.member_id == by.pk:
        raise ValidationError(_("You cannot decide on your own request."), code="own_request")
    return change


def _changed(member: Member, **fields) -> Member:
    """The member as they would be after a change (an unsaved copy), for the rule."""
    after = copy.copy(member)
    for name, value in fields.items():
        setattr(after, name, value)
    return after


@transaction.atomic
def status_change_approve(
    *, request_id: int, by: Member | None, reason: str = ""
) -> StatusChangeRequest:
    """Apply a requested status change. Leaving sex-worker status ends every role the
    member holds (through the rights-lost hook) before the status is written."""
    change = _lock_pending_status_change(request_id, by)
    member = member_lock(change.member_id)
    if member.status != change.from_status:
        raise ValidationError(
            _("The member's status has changed since this request was made."),
            code="status_changed_since",
        )
    if eligibility.loses_rights(member, _changed(member, status=change.to_status)):
        hooks.rights_lost(member=member, reason=_("Status changed by a coordinator."), by=by)
    member.status = change.to_status
    member.save(update_fields=["status"])
    decision_record(change, by=by, decision=ApplicationDecision.APPROVED, decision_reason=reason)
    # The audit log names the request, never the statuses in it.
    audit.record("status_change.approved", actor=_actor(by), target=change)
    # A status change alters what the member may do: every open session ends, so no
    # browser keeps acting on the old rights.
    user_sessions_end(user=member.user)
    send_member_mail(member, "request_decided")
    return change


@transaction.atomic
def status_change_reject(
    *, request_id: int, by: Member | None, reason: str = ""
) -> StatusChangeRequest:
    change = _lock_pending_status_change(request_id, by)
    decision_record(change, by=by, decision=ApplicationDecision.REJECTED, decision_reason=reason)
    audit.record("status_change.rejected", actor=_actor(by), target=change)
    send_member_mail(change.member, "request_decided")
    return change


# Which membership states a coordinator may move a member between.
ALLOWED_STATE_CHANGES: dict[str, set[str]] = {
    MembershipState.ACTIVE: {
        MembershipState.SUSPENDED,
        MembershipState.LAPSED,
        MembershipState.RESIGNED,
    },
    MembershipState.SUSPENDED: {MembershipState.ACTIVE, MembershipState.RESIGNED},
    MembershipState.LAPSED: {MembershipState.ACTIVE, MembershipState.RESIGNED},
}


@transaction.atomic
def membership_state_set(*, member_id: int, state: str, by: Member | None, reason: str) -> Member:
    """Suspend, lapse, resign or reinstate a membership. Leaving `active` ends every role
    first; an inactive membership cannot log in (a lapsed one can, only to renew)."""
    member = member_lock(member_id)
    if state not in ALLOWED_STATE_CHANGES.get(member.state, set()):
        raise ValidationError(
            _("A membership cannot go from this state to that one."), code="invalid_transition"
        )
    if by is not None and by.pk == member.pk and state != MembershipState.RESIGNED:
        raise ValidationError(
            _("You cannot change your own membership state."), code="own_membership"
        )
    if eligibility.loses_rights(member, _changed(member, state=state)):
        hooks.rights_lost(member=member, reason=reason, by=by)
    member.state = state
    member.state_changed_at = timezone.now()
    member.state_reason = str(reason)
    member.save(update_fields=["state", "state_changed_at", "state_reason"])
    # A lapsed member may still log in, to renew (members.renewal); nobody else inactive.
    member.user.is_active = state in (MembershipState.ACTIVE, MembershipState.LAPSED)
    member.user.save(update_fields=["is_active"])
    audit.record(f"membership.{state}", actor=_actor(by), target=member)
    if state != MembershipState.ACTIVE:
        # Losing the membership's rights ends every session; getting them back (a lapsed
        # member renewing while logged in) does not need to.
        user_sessions_end(user=member.user)
    return member


@transaction.atomic
def membership_renew(*, member_id: int, today: datetime.date | None = None) -> Member:
    """The member confirms their membership for the current period (members.renewal); a
    lapsed membership is active again (its roles do not come back)."""
    today = today or timezone.localdate()
    member = member_lock(member_id)
    if member.state not in (MembershipState.ACTIVE, MembershipState.LAPSED):
        raise ValidationError(
            _("Only an active or lapsed membership can be renewed."), code="not_renewable"
        )
    if member.state == MembershipState.LAPSED:
        member = membership_state_set(
            member_id=member.pk, state=MembershipState.ACTIVE, by=None, reason=_("Renewed.")
        )
    member.renewed_on = today
    member.save(update_fields=["renewed_on"])
    audit.record("membership.renewed", actor=member.user, target=member)
    return member


def memberships_renewal_due(*, today: datetime.date | None = None) -> tuple[int, int]:
    """The scheduler's renewal step; idempotent. During a period's grace time, remind each
    active member who has not confirmed it (once per period); from its deadline on, lapse
    them (their roles end, and they are told). Returns (reminded, lapsed)."""
    today = today or timezone.localdate()
    start, deadline = renewal.period_start(today), renewal.deadline(today)
    reminded = lapsed = 0
    candidates = Member.objects.filter(state=MembershipState.ACTIVE).select_related("user")
    for member in candidates.iterator():
        if not renewal.needs_renewal(member, today):
            continue
        if today >= deadline:
            with transaction.atomic():
                membership_state_set(
                    member_id=member.pk,
                    state=MembershipState.LAPSED,
                    by=None,
                    reason=_("The membership was not renewed."),
                )
                send_member_mail(member, "membership_lapsed")
            lapsed += 1
        elif member.renewal_notice_sent_on is None or member.renewal_notice_sent_on < start:
            with transaction.atomic():
                Member.objects.filter(pk=member.pk).update(renewal_notice_sent_on=today)
                send_member_mail(
                    member, "renewal_reminder", {"deadline": deadline - timedelta(days=1)}
                )
            reminded += 1
    return reminded, lapsed


def membership_resign(*, member: Member, reason: str) -> Member:
    """The member leaves, keeping their data (they can still ask for its erasure): their
    roles end, their sessions end and they can no longer log in."""
    return membership_state_set(
        member_id=member.pk,
        state=MembershipState.RESIGNED,
        by=member,
        reason=reason.strip() or _("Left the network."),
    )


@transaction.atomic
def profile_update(
    *, member: Member, pseudonym: str, country: str, preferred_language: str
) -> Member:
    """The fields a member may change themselves. Status is deliberately not one."""
    locked = member_lock(member.pk)
    locked.pseudonym = pseudonym
    locked.country = country
    locked.preferred_language = preferred_language
    locked.save(update_fields=["pseudonym", "country", "preferred_language"])
    return locked


@transaction.atomic
def rejected_applications_purge(*, older_than_days: int) -> int:
    """Delete the accounts of applicants rejected more than `older_than_days` ago.

    A rejected applicant never became a member, so nothing the organisation must keep
    refers to them, while their declared status is the most sensitive thing stored: keep it
    no longer than an appeal needs. Deleting the Member removes the application and any
    status requests with it; the User goes after it (Member protects its User), taking the
    allauth e-mail addresses along. Returns how many applicants were deleted.
    """
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative.")
    cutoff = timezone.now() - timedelta(days=older_than_days)
    members = list(
        Member.objects.select_for_update()
        .filter(
            state=MembershipState.REJECTED,
            application__decision=ApplicationDecision.REJECTED,
            application__decided_at__lt=cutoff,
        )
        .only("pk", "user_id")
    )
    user_ids = [member.user_id for member in members]
    member_ids = [member.pk for member in members]
    Member.objects.filter(pk__in=member_ids).delete()
    User.objects.filter(pk__in=user_ids).delete()
    member_history_delete(member_ids)
    return len(members)


def member_history_delete(member_ids: list[int]) -> None:
    """Delete the state and status-change history rows of these members (pghistory keeps
    them, without a database foreign key, after the member row is gone). Their guards
    allow it only for members erased or deleted (members.models)."""
    MemberStateEvent.objects.filter(pgh_obj_id__in=member_ids).delete()
    MemberStatusEvent.objects.filter(pgh_obj_id__in=member_ids).delete()
