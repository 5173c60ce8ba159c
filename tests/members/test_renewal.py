"""The annual renewal: reminders, lapsing by the scheduled job (roles end), and
reactivation when the member confirms."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.scheduling import run_jobs
from governance.models import Seat
from members import services
from members.models import Member, MembershipState
from tests.conftest import PASSWORD

TODAY = timezone.localdate()


def approved_last_year(member: Member) -> Member:
    Member.objects.filter(pk=member.pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=400)
    )
    member.refresh_from_db()
    return member


@override_settings(MEMBERSHIP_RENEWAL_MONTH=3, MEMBERSHIP_RENEWAL_GRACE_DAYS=30)
def test_reminded_once_then_lapsed_and_roles_end(
    make_member, seat_member, django_capture_on_commit_callbacks
):
    member = approved_last_year(make_member(pseudonym="Forgetful"))
    seat = seat_member(member)
    newcomer = make_member(pseudonym="Newcomer")  # approved during the period: confirmed
    start = datetime.date(TODAY.year, 3, 1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.memberships_renewal_due(today=start) == (1, 0)
        assert services.memberships_renewal_due(today=start + datetime.timedelta(days=5)) == (0, 0)
    assert [m.to for m in mail.outbox] == [[member.user.email]]
    assert "sex" not in (mail.outbox[0].subject + mail.outbox[0].body).lower()

    Member.objects.filter(pk=newcomer.pk).update(
        approved_at=timezone.make_aware(datetime.datetime(TODAY.year, 3, 2))
    )
    assert services.memberships_renewal_due(today=start + datetime.timedelta(days=30)) == (0, 1)
    member.refresh_from_db()
    assert member.state == MembershipState.LAPSED
    seat.refresh_from_db()
    assert seat.ended_on is not None  # the rule: a lapsed member holds no role
    newcomer.refresh_from_db()
    assert newcomer.state == MembershipState.ACTIVE


def test_the_scheduled_job_lapses_and_the_member_renews(client, make_member, sex_worker):
    this_month = TODAY.month
    member = approved_last_year(make_member(pseudonym="Late"))
    confirmed = approved_last_year(make_member(pseudonym="On Time"))
    services.membership_renew(member_id=confirmed.pk)
    with override_settings(MEMBERSHIP_RENEWAL_MONTH=this_month, MEMBERSHIP_RENEWAL_GRACE_DAYS=0):
        result = run_jobs(["memberships_renewal"])
        assert result.lock_taken and result.ok, result
        assert result.outcomes[0].summary == "reminded=0 lapsed=1"
        member.refresh_from_db()
        confirmed.refresh_from_db()
        assert member.state == MembershipState.LAPSED
        assert confirmed.state == MembershipState.ACTIVE

        # The lapsed member can still log in, sees why, and confirms.
        response = client.post(
            reverse("account_login"), {"login": member.user.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        page = client.get(reverse("members:dashboard")).content.decode()
        assert "Your membership has lapsed" in page
        client.post(reverse("members:renew"))
        member.refresh_from_db()
        assert member.state == MembershipState.ACTIVE and member.renewed_on == TODAY
        page = client.get(reverse("members:dashboard")).content.decode()
        assert "Confirm my membership" not in page
        assert "Thank you: your membership is confirmed" in page


def test_a_suspended_member_cannot_renew_themselves_back(make_member):
    member = make_member(state=MembershipState.SUSPENDED)
    with pytest.raises(ValidationError):
        services.membership_renew(member_id=member.pk)
    member.refresh_from_db()
    assert member.state == MembershipState.SUSPENDED
    assert not Seat.objects.filter(member=member).exists()
