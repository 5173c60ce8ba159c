"""Rejected applicants' accounts, declared status included, are deleted once the
retention period is over; nobody else's are."""

import io
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.utils import timezone

from members import services
from members.models import (
    Member,
    MembershipApplication,
    MembershipState,
    MemberStateEvent,
    Status,
    User,
)


def rejected(make_member, *, days_ago: int) -> Member:
    member = make_member(state=MembershipState.APPLIED, status=Status.SEX_WORKER)
    services.application_reject(application_id=member.application.pk, by=None, reason="")
    # Moving the decision into the past is the only shortcut: time cannot pass in a test.
    MembershipApplication.objects.filter(member=member).update(
        decided_at=timezone.now() - timedelta(days=days_ago)
    )
    return member


def test_purge_deletes_applicants_rejected_before_the_cutoff(make_member):
    old = rejected(make_member, days_ago=31)
    recent = rejected(make_member, days_ago=29)
    pending = make_member(state=MembershipState.APPLIED)
    active = make_member()

    assert services.rejected_applications_purge(older_than_days=30) == 1

    assert not Member.objects.filter(pk=old.pk).exists()
    assert not User.objects.filter(pk=old.user_id).exists()
    assert not MembershipApplication.objects.filter(member_id=old.pk).exists()
    assert not EmailAddress.objects.filter(user_id=old.user_id).exists()
    assert set(Member.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk, active.pk}
    # Their history (state changes, by trigger) goes too; the others' stays.
    assert not MemberStateEvent.objects.filter(pgh_obj_id=old.pk).exists()
    assert MemberStateEvent.objects.filter(pgh_obj_id=recent.pk).exists()


def test_purge_is_idempotent(make_member):
    rejected(make_member, days_ago=40)
    assert services.rejected_applications_purge(older_than_days=30) == 1
    assert services.rejected_applications_purge(older_than_days=30) == 0


def test_purge_refuses_a_negative_period(db):
    with pytest.raises(ValueError, match="negative"):
        services.rejected_applications_purge(older_than_days=-1)


def test_scheduled_job_uses_the_configured_retention_period(make_member, settings):
    settings.REJECTED_APPLICATION_RETENTION_DAYS = 7
    gone, kept = rejected(make_member, days_ago=8), rejected(make_member, days_ago=6)
    out = io.StringIO()

    call_command("run_scheduled", "--job", "rejected_applications_purge", stdout=out)

    assert "rejected_applications_purge: ok deleted=1" in out.getvalue()
    assert not Member.objects.filter(pk=gone.pk).exists()
    assert Member.objects.filter(pk=kept.pk).exists()
