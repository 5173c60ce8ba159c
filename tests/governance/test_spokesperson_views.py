from django.urls import reverse
from django.utils import timezone

from governance.models import AssignmentState, SpokespersonAssignment, Topic
from tests.conftest import give_second_factor


def request_data(**overrides):
    data = {
        "topics": [Topic.objects.get(slug="media").pk],
        "countries": ["SE", "NO"],
        "languages": ["sv"],
        "starts_on": timezone.localdate().isoformat(),
        "ends_on": "",
    }
    data.update(overrides)
    return data


def test_sex_worker_asks_coordinator_approves_member_sees_it_and_list_shows_it(
    client, sex_worker, coordinator
):
    client.force_login(sex_worker.user)
    response = client.post(reverse("governance:my_assignments"), request_data())
    assert response.status_code == 302
    assignment = SpokespersonAssignment.objects.get(member=sex_worker)
    assert assignment.state == AssignmentState.PROPOSED
    assert assignment.proposed_by == sex_worker

    client.force_login(coordinator.user)
    pending = client.get(reverse("governance:coordinator_spokespersons")).content.decode()
    assert sex_worker.pseudonym in pending
    client.post(
        reverse("governance:assignment_decide", args=[assignment.pk]), {"decision": "approve"}
    )
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.APPROVED
    assert assignment.decided_by == coordinator

    # An approved spokesperson must have a second factor before anything else opens.
    client.force_login(sex_worker.user)
    assert client.get(reverse("governance:my_assignments")).status_code == 302
    give_second_factor(sex_worker.user)
    mine = client.get(reverse("governance:my_assignments")).content.decode()
    assert "Approved" in mine
    public = client.get(reverse("governance:spokespersons")).content.decode()
    assert sex_worker.pseudonym in public


def test_ally_sees_no_way_to_ask_and_a_direct_post_is_refused(client, ally):
    client.force_login(ally.user)
    page = client.get(reverse("governance:my_assignments"))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert "Ask to be a spokesperson" not in page.content.decode()
    response = client.post(reverse("governance:my_assignments"), request_data())
    assert response.status_code == 403
    assert "Only sex workers" in response.content.decode()
    assert not SpokespersonAssignment.objects.exists()


def test_tampered_member_id_is_ignored(client, sex_worker, make_member):
    other = make_member(pseudonym="Other")
    client.force_login(sex_worker.user)
    client.post(reverse("governance:my_assignments"), request_data(member=other.pk))
    assert not SpokespersonAssignment.objects.filter(member=other).exists()
    assert SpokespersonAssignment.objects.filter(member=sex_worker).count() == 1


def test_bad_request_form_is_a_form_error(client, sex_worker):
    client.force_login(sex_worker.user)
    for bad in (
        request_data(countries=["US"]),
        request_data(topics=[999999]),
        request_data(languages=[]),
        request_data(starts_on="2026-12-31", ends_on="2026-01-01"),
        request_data(starts_on="not a date"),
    ):
        response = client.post(reverse("governance:my_assignments"), bad)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not SpokespersonAssignment.objects.exists()


def test_coordinator_cannot_approve_own_request(client, coordinator, propose_spokesperson):
    assignment = propose_spokesperson(coordinator)
    client.force_login(coordinator.user)
    response = client.post(
        reverse("governance:assignment_decide", args=[assignment.pk]),
        {"decision": "approve"},
        follow=True,
    )
    assert "You cannot decide on an assignment you asked for" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.PROPOSED


def test_approving_a_rejected_assignment_is_refused(
    client, coordinator, sex_worker, propose_spokesperson
):
    assignment = propose_spokesperson(sex_worker)
    client.force_login(coordinator.user)
    url = reverse("governance:assignment_decide", args=[assignment.pk])
    client.post(url, {"decision": "reject", "reason": "Not now"})
    response = client.post(url, {"decision": "approve"}, follow=True)
    assert "already been decided" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.REJECTED
    assert assignment.decision_reason == "Not now"


def test_member_cannot_end_someone_elses_assignment(
    client, sex_worker, make_member, propose_spokesperson
):
    other = make_member()
    assignment = propose_spokesperson(other)
    client.force_login(sex_worker.user)
    response = client.post(reverse("governance:assignment_end", args=[assignment.pk]))
    assert response.status_code == 404
    missing = client.post(reverse("governance:assignment_end", args=[987654]))
    assert missing.status_code == 404
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.PROPOSED


def test_decision_on_unknown_assignment_is_404(client, coordinator):
    client.force_login(coordinator.user)
    response = client.post(
        reverse("governance:assignment_decide", args=[424242]), {"decision": "approve"}
    )
    assert response.status_code == 404
