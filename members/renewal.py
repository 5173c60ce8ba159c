"""The annual renewal's calendar: when the current period started, when it must be
confirmed by, and whether a member still has to confirm it.

A period starts on the first day of settings.MEMBERSHIP_RENEWAL_MONTH each year; members
confirm (members.services.membership_renew) during it; those who have not confirmed
MEMBERSHIP_RENEWAL_GRACE_DAYS after its start lapse (members.services.memberships_renewal_due,
run by the scheduler). A member approved during the period counts as confirmed for it.
"""

import datetime

from django.conf import settings

from .models import Member, MembershipState


def period_start(today: datetime.date) -> datetime.date:
    start = today.replace(month=settings.MEMBERSHIP_RENEWAL_MONTH, day=1)
    return start if start <= today else start.replace(year=start.year - 1)


def deadline(today: datetime.date) -> datetime.date:
    """The first day a member who has not confirmed this period lapses."""
    return period_start(today) + datetime.timedelta(days=settings.MEMBERSHIP_RENEWAL_GRACE_DAYS)


def last_confirmed(member: Member) -> datetime.date | None:
    days = [member.renewed_on, member.approved_at.date() if member.approved_at else None]
    return max((day for day in days if day is not None), default=None)


def needs_renewal(member: Member, today: datetime.date) -> bool:
    """An active member who has not confirmed this period, or a lapsed one."""
    if member.state == MembershipState.LAPSED:
        return True
    if member.state != MembershipState.ACTIVE:
        return False
    confirmed = last_confirmed(member)
    return confirmed is None or confirmed < period_start(today)
