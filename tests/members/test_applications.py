import pytest
from django.core import mail
from django.urls import reverse

from members import services
from members.models import (
    ApplicationDecision,
    Member,
    MembershipApplication,
    MembershipState,
    User,
)
from tests.conftest import PASSWORD

APPLY = {
    "pseudonym": "Rosa",
    "email": "rosa@example.test",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "country": "NO",
    "preferred_language": "nb",
    "status": "sex_worker",
    "note": "Found you through a friend.",
}


def test_application_creates_inactive_account_and_sends_verification(client, db):
    response = client.post(reverse("members:apply"), APPLY)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:apply_done")
    member = Member.objects.get(user__email="rosa@example.test")
    assert member.state == MembershipState.APPLIED
    assert member.user.is_active is False
    assert member.status == "sex_worker"
    assert member.application.decision == ApplicationDecision.PENDING
    assert len(mail.outbox) == 1
    # The verification message is neutral: it never says what the organisation is.
    message = mail.outbox[0]
    assert "sex" not in (message.subject + message.body).lower()


def test_applicant_cannot_log_in_before_approval(client, db):
    client.post(reverse("members:apply"), APPLY)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(email="rosa@example.test").update(verified=True)
    response = client.post(
        reverse("account_login"), {"login": "rosa@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert "_auth_user_id" not in client.session


def test_application_approval_then_login(
    client, coordinator, db, django_capture_on_commit_callbacks
):
    client.post(reverse("members:apply"), APPLY)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(email="rosa@example.test").update(verified=True)
    application = MembershipApplication.objects.get(member__user__email="rosa@example.test")
    mail.outbox.clear()

    client.force_login(coordinator.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:application_decide", args=[application.pk]),
            {"decision": "approve"},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.decision == ApplicationDecision.APPROVED
    assert application.decided_by == coordinator
    member = application.member
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE
    assert member.approved_by == coordinator
    assert len(mail.outbox) == 1
    # Told in their own language (Norwegian), neutrally.
    assert mail.outbox[0].to == ["rosa@example.test"]
    assert "sex" not in mail.outbox[0].body.lower()

    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "rosa@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:dashboard")
    assert client.get(reverse("members:dashboard")).status_code == 200


def test_rejection_keeps_account_locked(coordinator, make_member):
    applicant = make_member(state=MembershipState.APPLIED)
    services.application_reject(
        application_id=applicant.application.pk, by=coordinator, reason="Unknown to us"
    )
    applicant.refresh_from_db()
    assert applicant.state == MembershipState.REJECTED
    assert applicant.user.is_active is False
    assert applicant.application.decision == ApplicationDecision.REJECTED
    assert applicant.application.decision_reason == "Unknown to us"


def test_deciding_twice_is_refused(client, coordinator, make_member):
    applicant = make_member(state=MembershipState.APPLIED)
    client.force_login(coordinator.user)
    url = reverse("members:application_decide", args=[applicant.application.pk])
    client.post(url, {"decision": "reject"})
    response = client.post(url, {"decision": "approve"}, follow=True)
    assert "already been decided" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.state == MembershipState.REJECTED


def test_coordinator_cannot_approve_own_application(make_member):
    applicant = make_member(state=MembershipState.APPLIED)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        services.application_approve(application_id=applicant.application.pk, by=applicant)
    assert excinfo.value.code == "own_application"


def test_duplicate_email_changes_nothing_and_does_not_enumerate(client, sex_worker):
    existing_email = sex_worker.user.email
    before = Member.objects.count()
    data = dict(APPLY, email=existing_email.upper())
    response = client.post(reverse("members:apply"), data)
    # The same answer as for a new address, so nobody can probe who is a member.
    assert response.status_code == 302
    assert response["Location"] == reverse("members:apply_done")
    assert Member.objects.count() == before
    sex_worker.refresh_from_db()
    assert sex_worker.pseudonym != "Rosa"


@pytest.mark.parametrize(
    "field,value",
    [
        ("country", "US"),
        ("status", "coordinator"),
        ("preferred_language", "de"),
        ("pseudonym", "x" * 61),
        ("note", "x" * 2001),
        ("email", "a" * 250 + "@example.test"),
        ("password2", "something-else-entirely"),
    ],
)
def test_tampered_application_is_refused(client, db, field, value):
    response = client.post(reverse("members:apply"), dict(APPLY, **{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not User.objects.exists()
    assert not Member.objects.exists()


def test_coordinator_page_is_only_for_coordinators(client, sex_worker, coordinator):
    client.force_login(sex_worker.user)
    assert client.get(reverse("members:coordinator_queue")).status_code == 403
    client.force_login(coordinator.user)
    assert client.get(reverse("members:coordinator_queue")).status_code == 200


def test_decision_on_unknown_application_is_404(client, coordinator):
    client.force_login(coordinator.user)
    response = client.post(
        reverse("members:application_decide", args=[999999]), {"decision": "approve"}
    )
    assert response.status_code == 404


def test_tampered_decision_changes_nothing(client, coordinator, make_member):
    applicant = make_member(state=MembershipState.APPLIED)
    client.force_login(coordinator.user)
    url = reverse("members:application_decide", args=[applicant.application.pk])
    response = client.post(url, {"decision": "promote"}, follow=True)
    assert "Nothing was changed" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.state == MembershipState.APPLIED


def test_confirming_the_address_tells_the_applicant_what_happens_next(client, db, settings):
    """The confirmation link leads to a page saying what comes next (with the coordinators'
    address when one is set), not to a login form the applicant cannot use yet."""
    import re

    from allauth.account.models import EmailAddress

    settings.COORDINATOR_CONTACT_EMAIL = "coordinators@example.test"
    client.post(reverse("members:apply"), APPLY)
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[0].body)
    confirmed = client.post(link.group(1))
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("members:apply_confirmed")
    assert EmailAddress.objects.get(email="rosa@example.test").verified
    page = client.get(confirmed["Location"]).content.decode()
    assert "a coordinator will review your application" in page
    assert 'href="mailto:coordinators@example.test"' in page
