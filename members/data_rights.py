"""Members' data rights: the export of everything held about a member, and erasure.

Export (`personal_data_export`) gathers the member's own data from every app (other apps
contribute through `members.hooks.register_data_export_provider`). It never holds another
member's data (no approver or decider names) and never a secret ballot's choice: the
database cannot tie one to a voter, so there is nothing to export.

Erasure (`member_erase`) turns the member into a tombstone inside one transaction:

1. their roles end through the usual `membership_state_set(... RESIGNED ...)`, so the
   rights-lost hook, the audit log and the committee e-mail behave as for any resignation;
2. every app scrubs its own rows (`members.hooks.personal_data_erasing`);
3. the account loses every way back to the person: addresses, second factors, sessions,
   password, groups; the User row stays as an unusable login with a random address,
   because the Member row (and the audit log's bare ids) still point at it;
4. the Member row keeps only its id and an `erased` state: rolls, roll-call ballots and
   seats reference it with PROTECT, and tallies, roll sizes and digests must not move;
5. the trigger-written history of the member (pghistory) is deleted, bypassing its
   append-only triggers here and nowhere else.

The audit log is not touched: it holds codes and bare ids only, so its chain keeps
verifying while the ids now lead to the tombstone.
"""

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import audit
from audit.models import AuditEvent

from . import erasure_ledger, hooks, services
from .models import (
    ERASED_BLANK,
    Language,
    Member,
    MembershipState,
    MemberStateEvent,
    MemberStatusEvent,
    Notice,
    NoticeOptOut,
    StatusChangeRequest,
)
from .selectors import member_for_user

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "rosealliance.personal-data/1"


# Membership states from which erasure first resigns the member (ending their roles).
_RESIGN_FIRST = (MembershipState.ACTIVE, MembershipState.SUSPENDED, MembershipState.LAPSED)


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def _audit_events(user_id: int, targets: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """The audit events the member did or that were about their rows: codes and times
    only. Targets of what they did are left out, since those may be other members."""
    by_type: dict[str, list[int]] = {}
    for target_type, target_id in targets:
        by_type.setdefault(target_type, []).append(target_id)
    about = models.Q(pk__in=[])
    for target_type, ids in by_type.items():
        about |= models.Q(target_type=target_type, target_id__in=ids)
    events = AuditEvent.objects.filter(models.Q(actor_id=user_id) | about).order_by("id")
    return [
        {
            "action": event.action,
            "occurred_at": _when(event.occurred_at),
            "role": "actor" if event.actor_id == user_id else "subject",
        }
        for event in events.only("action", "occurred_at", "actor_id")
    ]


def personal_data_export(*, member: Member) -> dict[str, Any]:
    """Everything held about `member`, JSON-ready. Read-only."""
    user = member.user
    application = getattr(member, "application", None)
    requests = list(StatusChangeRequest.objects.filter(member=member).order_by("requested_at"))
    history = sorted(
        [
            {"event": e.pgh_label, "state": e.state, "at": e.pgh_created_at}
            for e in MemberStateEvent.objects.filter(pgh_obj=member)
        ]
        # The bare fact and time of each status change: that is all the history holds.
        + [
            {"event": e.pgh_label, "at": e.pgh_created_at}
            for e in MemberStatusEvent.objects.filter(pgh_obj=member)
        ],
        key=lambda entry: entry["at"],
    )
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": _when(timezone.now()),
        "account": {
            "email": user.email,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user).order_by("email")
            ],
        },
        "member": {
            "pseudonym": member.pseudonym,
            "country": member.country,
            "preferred_language": member.preferred_language,
            "status": member.status,
            "membership_state": member.state,
            "applied_at": _when(member.applied_at),
            "approved_at": _when(member.approved_at),
            "state_changed_at": _when(member.state_changed_at),
            "notices_turned_off": sorted(member.notice_opt_outs.values_list("kind", flat=True)),
        },
        "membership_history": [{**entry, "at": _when(entry["at"])} for entry in history],
        "application": None
        if application is None
        else {
            "note": application.note,
            "submitted_at": _when(application.submitted_at),
            "decision": application.decision,
            "decided_at": _when(application.decided_at),
            "decision_reason": application.decision_reason,
        },
        "status_change_requests": [
            {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "reason": change.reason,
                "requested_at": _when(change.requested_at),
                "decision": change.decision,
                "decided_at": _when(change.decided_at),
                "decision_reason": change.decision_reason,
            }
            for change in requests
        ],
        "sessions": [
            {
                "created_at": _when(s.created_at),
                "last_seen_at": _when(s.last_seen_at),
                "ip": s.ip,
                "user_agent": s.user_agent,
            }
            for s in UserSession.objects.filter(user=user).order_by("created_at")
        ],
        # Which kinds of second factor are set up, never their secrets.
        "second_factors": [
            {
                "type": a.type,
                "created_at": _when(a.created_at),
                "last_used_at": _when(a.last_used_at),
            }
            for a in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
    }
    targets: list[tuple[str, int]] = [
        (user._meta.label_lower, user.pk),
        (member._meta.label_lower, member.pk),
        *((change._meta.label_lower, change.pk) for change in requests),
    ]
    if application is not None:
        targets.append((application._meta.label_lower, application.pk))
    for part in hooks.data_export_parts(member=member):
        data.update(part.sections)
        targets.extend(part.audit_targets)
    data["audit_events"] = _audit_events(user.pk, targets)
    return data


def _refusal(member: Member, requested_by) -> ValidationError | None:
    if requested_by is None or not (requested_by.pk == member.user_id or requested_by.is_superuser):
        return ValidationError(
            _("Only the member or an administrator can erase a member's data."),
            code="not_allowed",
        )
    if member.user.is_superuser:
        # Erasing it could leave the organisation without anyone able to administer it.
        return ValidationError(
            _(
                "An administrator's account cannot be erased. "
                "Remove its administrator rights first."
            ),
            code="administrator_account",
        )
    return None


def admin_log_scrub(objects: list[models.Model]) -> None:
    """The admin's change history names each object by its text (a pseudonym, an
    e-mail address): make those entries name the tombstone instead."""
    with translation.override("en"):
        neutral = str(_("Former member"))
    for obj in objects:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
        ).update(object_repr=neutral)


def _erase_account(user) -> None:
    EmailAddress.objects.filter(user=user).delete()  # their confirmations cascade
    Authenticator.objects.filter(user=user).delete()
    services.user_sessions_end(user=user)
    # A random address at a reserved domain: unique, unusable, and it says nothing.
    user.email = f"erased-{uuid.uuid4().hex}@erased.invalid"
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.date_joined = timezone.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def _erase(member: Member, requested_by, *, record: bool = True) -> Member:
    acting = member_for_user(requested_by) if requested_by is not None else None
    if member.state in _RESIGN_FIRST:
        services.membership_state_set(
            member_id=member.pk,
            state=MembershipState.RESIGNED,
            by=acting,
            reason=_("The member left and asked for their data to be erased."),
        )
        member = services.member_lock(member.pk)
    application = getattr(member, "application", None)
    requests = list(StatusChangeRequest.objects.filter(member=member))
    admin_log_scrub(
        [member, member.user, *requests, *([application] if application is not None else [])]
    )
    StatusChangeRequest.objects.filter(member=member).delete()
    Notice.objects.filter(member=member).delete()
    NoticeOptOut.objects.filter(member=member).delete()
    if application is not None:
        application.delete()
    _erase_account(member.user)
    now = timezone.now()
    member.pseudonym = member.status = member.country = ERASED_BLANK
    member.preferred_language = Language.ENGLISH
    member.state = MembershipState.ERASED
    member.applied_at = member.state_changed_at = now
    member.state_reason = ""
    member.approved_at = None
    member.approved_by = None
    member.save()
    # Other apps scrub what they hold about the member now that the member row is the
    # tombstone: the history guards let a member's history go only once they are erased.
    hooks.personal_data_erasing(member=member)
    # The update above wrote history rows too; they go with the rest.
    services.member_history_delete([member.pk])
    audit.record("member.erased", actor=requested_by, target=member)
    if record:
        # Recorded outside the database before this commits, so that no erasure is ever
        # missing from the ledger a restore replays (a line whose transaction then fails
        # is an erasure the member asked for, done again at the next restore). A ledger
        # that cannot be written refuses the erasure: nothing changes.
        try:
            erasure_ledger.ledger_append(member.pk)
        except OSError as error:
            logger.exception("Erasure ledger unavailable")
            raise ValidationError(
                _("This member's data cannot be erased now. Nothing was changed."),
                code="not_erasable",
            ) from error
    return member


@transaction.atomic
def member_erase(*, member_id: int, requested_by) -> Member:
    """Erase a member's personal data, at their own request (`requested_by` is their
    user) or by an administrator (a superuser) on their request.

    Idempotent: an erased member is returned unchanged. Refusals are `ValidationError`s
    with a code, and leave everything as it was (one transaction): `unknown_member`,
    `not_allowed`, `administrator_account`, and `not_erasable` when a database guard
    refuses (say, a role that could not be ended).
    """
    try:
        member = services.member_lock(member_id)
    except Member.DoesNotExist as error:
        raise ValidationError(_("No such member."), code="unknown_member") from error
    if member.state == MembershipState.ERASED:
        return member
    refusal = _refusal(member, requested_by)
    if refusal is not None:
        raise refusal
    try:
        with transaction.atomic():
            return _erase(member, requested_by)
    except IntegrityError as error:
        raise ValidationError(
            _("This member's data cannot be erased now. Nothing was changed."),
            code="not_erasable",
        ) from error


@dataclass(frozen=True)
class ReplayResult:
    erased: int
    failed: tuple[int, ...] = ()


def erasures_replay() -> ReplayResult:
    """Erase again every member in the erasure ledger whom the database (just restored
    from an older backup) holds un-erased; run by `db_restore` after every restore. The
    ledger itself is the request: the member asked, or an administrator acted on their
    request, when the ledger entry was written. A member a database guard will not let go
    is left as is and reported in `failed`; the others are still erased."""
    erased, failed = 0, []
    ledger_ids = erasure_ledger.ledger_member_ids()
    for member_id in ledger_ids:
        try:
            with transaction.atomic():
                member = Member.objects.filter(pk=member_id).first()
                if member is None or member.state == MembershipState.ERASED:
                    continue
                _erase(services.member_lock(member_id), None, record=False)
                erased += 1
        except (IntegrityError, ValidationError):
            logger.exception("Erasure replay refused")
            failed.append(member_id)
    return ReplayResult(erased, tuple(failed))


def member_ids_continue_after_ledger() -> None:
    """Make new member ids start above every id in the ledger (run by `db_restore` after
    the replay; setting a sequence is the tables' owner's work). A member who applied after
    the backup and was erased is absent from it, and a newcomer given their old id would be
    erased by the next restore's replay."""
    ledger_ids = erasure_ledger.ledger_member_ids()
    if not ledger_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('members_member', 'id'), GREATEST("
            " pg_sequence_last_value(pg_get_serial_sequence('members_member', 'id')::regclass),"
            " (SELECT max(id) FROM members_member), %s))",
            [max(ledger_ids)],
        )


def erasures_record_from_database() -> int:
    """Add to the ledger every member this database holds as erased and the ledger lacks.
    Always true (the database says they were erased), and what makes a restore safe even
    over a ledger that missed some: `db_restore` runs it on the database it is about to
    replace and on the one it restored. Returns how many ids were added."""
    erased = Member.objects.filter(state=MembershipState.ERASED).values_list("pk", flat=True)
    missing = erasure_ledger.ledger_missing(list(erased))
    erasure_ledger.ledger_append(missing)
    return len(missing)
