import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members import services
from members.models import ApplicationDecision, Status, StatusChangeRequest


def test_status_change_request_then_approval_is_recorded(client, sex_worker, coordinator):
    client.force_login(sex_worker.user)
    response = client.post(
        reverse("members:status_change"), {"to_status": "ally", "reason": "I stopped."}
    )
    assert response.status_code == 302
    change = StatusChangeRequest.objects.get(member=sex_worker)
    assert (change.from_status, change.to_status) == ("sex_worker", "ally")
    sex_worker.refresh_from_db()
    assert sex_worker.status == Status.SEX_WORKER  # not until a coordinator approves

    client.force_login(coordinator.user)
    client.post(
        reverse("members:status_change_decide", args=[change.pk]),
        {"decision": "approve", "reason": "Confirmed"},
    )
    change.refresh_from_db()
    sex_worker.refresh_from_db()
    assert sex_worker.status == Status.ALLY
    assert change.decision == ApplicationDecision.APPROVED
    assert change.decided_by == coordinator
    assert change.decided_at is not None
    assert change.decision_reason == "Confirmed"


def test_member_cannot_approve_own_status_change(coordinator):
    change = services.status_change_request(member=coordinator, to_status="ally", reason="")
    with pytest.raises(ValidationError) as excinfo:
        services.status_change_approve(request_id=change.pk, by=coordinator)
    assert excinfo.value.code == "own_request"
    coordinator.refresh_from_db()
    assert coordinator.status == Status.SEX_WORKER


def test_second_pending_request_is_refused(sex_worker):
    services.status_change_request(member=sex_worker, to_status="ally", reason="")
    with pytest.raises(ValidationError) as excinfo:
        services.status_change_request(member=sex_worker, to_status="ally", reason="")
    assert excinfo.value.code == "request_pending"
    assert StatusChangeRequest.objects.filter(member=sex_worker).count() == 1


def test_member_posting_status_to_profile_changes_nothing(client, ally):
    client.force_login(ally.user)
    response = client.post(
        reverse("members:profile"),
        {
            "pseudonym": "New name",
            "country": "SE",
            "preferred_language": "en",
            "status": "sex_worker",
        },
    )
    assert response.status_code == 200
    assert "cannot be changed here" in response.content.decode()
    ally.refresh_from_db()
    assert ally.status == Status.ALLY
    assert ally.pseudonym == "Friend"


def test_member_can_update_own_profile(client, ally):
    client.force_login(ally.user)
    response = client.post(
        reverse("members:profile"),
        {"pseudonym": "New name", "country": "FI", "preferred_language": "fi"},
    )
    assert response.status_code == 302
    ally.refresh_from_db()
    assert (ally.pseudonym, ally.country, ally.preferred_language) == ("New name", "FI", "fi")
    assert ally.status == Status.ALLY


def test_status_change_to_unknown_status_is_a_form_error(client, sex_worker):
    client.force_login(sex_worker.user)
    response = client.post(reverse("members:status_change"), {"to_status": "sex_worker"})
    assert response.status_code == 200
    assert response.context["form"].errors["to_status"]
    assert not StatusChangeRequest.objects.exists()


def test_member_sees_own_status_but_never_anothers(client, sex_worker, ally):
    client.force_login(ally.user)
    page = client.get(reverse("members:profile")).content.decode()
    assert "Ally" in page
    assert sex_worker.pseudonym not in page
    # No page takes another member's id: the profile is always one's own.
    assert client.get(f"/profile/{sex_worker.pk}/").status_code == 404
