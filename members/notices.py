"""Notices: short, neutral e-mails telling a member there is something new for them on the
site (a vote opened, a vote about to close, results published, applications waiting for
coordinators), through a durable outbox.

Queueing writes `Notice` rows in the caller's transaction, so a rolled-back decision
queues nothing and a committed one is never lost. Sending happens only in the scheduled
`notices_send` job (never inside a request, never at the moment of a vote), which retries
a failed send later and deletes each notice once sent. Every kind says the same thing in
the e-mail, and each member may turn off each kind in their profile.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from .emails import render_member_mail
from .languages import supported_language
from .models import Member, MembershipState, Notice, NoticeKind, NoticeOptOut
from .roles import COORDINATORS

logger = logging.getLogger(__name__)

# A send that keeps failing is retried after 5, 10, 20, ... minutes, at most this often;
# after that the notice is dropped (it says only "something new", which the member will
# see on their next visit anyway).
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=5)
BATCH = 200


def notices_queue(*, member_ids: Iterable[int], kind: str, due_at: datetime | None = None) -> int:
    """Queue a notice of `kind` for each member who has not turned that kind off. The
    same notice for the same member and time is queued once. Returns how many rows were
    offered to the queue."""
    due_at = due_at or timezone.now()
    wanted = set(member_ids) - set(
        NoticeOptOut.objects.filter(kind=kind, member_id__in=list(member_ids)).values_list(
            "member_id", flat=True
        )
    )
    Notice.objects.bulk_create(
        [Notice(member_id=member_id, kind=kind, due_at=due_at) for member_id in wanted],
        ignore_conflicts=True,
    )
    return len(wanted)


def coordinators_notify() -> int:
    """Tell the active coordinators that something is waiting for them."""
    coordinator_ids = Member.objects.filter(
        state=MembershipState.ACTIVE, user__groups__name=COORDINATORS
    ).values_list("pk", flat=True)
    return notices_queue(member_ids=list(coordinator_ids), kind=NoticeKind.WAITING)


def opt_outs_of(member: Member) -> set[str]:
    return set(member.notice_opt_outs.values_list("kind", flat=True))


@transaction.atomic
def opt_outs_set(*, member: Member, kinds: Iterable[str]) -> None:
    """Make `kinds` the notices `member` does not want; drop their queued ones."""
    kinds = set(kinds)
    unknown = kinds - set(NoticeKind.values)
    if unknown:
        raise ValueError(f"Unknown notice kinds: {sorted(unknown)}")
    NoticeOptOut.objects.filter(member=member).exclude(kind__in=kinds).delete()
    NoticeOptOut.objects.bulk_create(
        [NoticeOptOut(member=member, kind=kind) for kind in kinds], ignore_conflicts=True
    )
    Notice.objects.filter(member=member, kind__in=kinds).delete()


def _retry_delay(attempts: int) -> timedelta:
    return FIRST_RETRY * 2 ** (attempts - 1)


def _message(member: Member) -> tuple[str, str]:
    return render_member_mail(
        "notice",
        language=supported_language(member.preferred_language) or settings.LANGUAGE_CODE,
        context={"link": settings.SITE_URL + reverse("members:dashboard")},
    )


@transaction.atomic
def notices_send(*, now: datetime | None = None) -> dict[str, int]:
    """Send the notices that are due (at most BATCH per run). Notices of members who have
    since turned the kind off or are no longer active are dropped unsent. Rows are locked
    with SKIP LOCKED, so two runs never send the same notice."""
    now = now or timezone.now()
    Notice.objects.filter(
        Exists(NoticeOptOut.objects.filter(member=OuterRef("member"), kind=OuterRef("kind")))
    ).delete()
    Notice.objects.exclude(member__state=MembershipState.ACTIVE).delete()
    due = list(
        Notice.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(due_at__lte=now)
        .select_related("member__user")
        .order_by("due_at", "pk")[:BATCH]
    )
    counts = {"sent": 0, "retry": 0, "dropped": 0}
    for notice in due:
        subject, body = _message(notice.member)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notice.member.user.email])
        except (smtplib.SMTPException, OSError):
            notice.attempts += 1
            if notice.attempts >= MAX_ATTEMPTS:
                notice.delete()
                counts["dropped"] += 1
            else:
                notice.due_at = now + _retry_delay(notice.attempts)
                notice.save(update_fields=["attempts", "due_at"])
                counts["retry"] += 1
        else:
            notice.delete()
            counts["sent"] += 1
    return counts
