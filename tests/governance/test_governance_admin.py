import datetime

from django.urls import reverse
from django.utils import timezone

from governance.models import AssignmentState, Seat, SpokespersonAssignment, Topic

TODAY = timezone.localdate()


def seat_form(member, position="member"):
    return {
        "member": member.pk,
        "position": position,
        "term_start": TODAY.isoformat(),
        "term_end": (TODAY + datetime.timedelta(days=365)).isoformat(),
    }


def test_committee_member_seats_a_sex_worker_in_the_admin(client, committee_member, sex_worker):
    client.force_login(committee_member.user)
    response = client.post(reverse("admin:governance_seat_add"), seat_form(sex_worker))
    assert response.status_code == 302
    assert Seat.objects.filter(member=sex_worker, ended_on__isnull=True).exists()


def test_ally_seated_in_the_admin_gets_a_form_error(client, committee_member, ally):
    client.force_login(committee_member.user)
    response = client.post(reverse("admin:governance_seat_add"), seat_form(ally))
    assert response.status_code == 200
    assert "Only sex workers can sit on the Steering Committee" in response.content.decode()
    assert not Seat.objects.filter(member=ally).exists()


def test_overlapping_chair_in_the_admin_gets_a_form_error(
    client, committee_member, make_member, seat_member
):
    seat_member(make_member(), "chair")
    candidate = make_member()
    client.force_login(committee_member.user)
    response = client.post(reverse("admin:governance_seat_add"), seat_form(candidate, "chair"))
    assert response.status_code == 200
    assert "Someone else holds this position" in response.content.decode()
    assert not Seat.objects.filter(member=candidate).exists()


def test_seat_admin_is_closed_to_members_without_the_permission(client, sex_worker, coordinator):
    for user in (sex_worker.user, coordinator.user):
        client.force_login(user)
        response = client.get(reverse("admin:governance_seat_changelist"))
        assert response.status_code in (302, 403)
        response = client.post(reverse("admin:governance_seat_add"), seat_form(sex_worker))
        assert response.status_code in (302, 403)
    assert not Seat.objects.exists()


def test_coordinator_approves_in_the_admin(client, coordinator, committee_member, sex_worker):
    client.force_login(committee_member.user)
    response = client.post(
        reverse("admin:governance_spokespersonassignment_add"),
        {
            "member": sex_worker.pk,
            "topics": [Topic.objects.get(slug="health").pk],
            "countries": ["IS"],
            "languages": ["is"],
            "starts_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    assignment = SpokespersonAssignment.objects.get(member=sex_worker)
    assert assignment.proposed_by == committee_member

    client.force_login(coordinator.user)
    client.post(
        reverse("admin:governance_spokespersonassignment_changelist"),
        {"action": "approve", "_selected_action": [assignment.pk]},
    )
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.APPROVED


def test_ally_proposed_in_the_admin_gets_a_form_error(client, committee_member, ally):
    client.force_login(committee_member.user)
    response = client.post(
        reverse("admin:governance_spokespersonassignment_add"),
        {
            "member": ally.pk,
            "topics": [Topic.objects.get(slug="media").pk],
            "countries": ["SE"],
            "languages": ["sv"],
            "starts_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Only sex workers" in response.content.decode()
    assert not SpokespersonAssignment.objects.exists()


def test_committee_sees_only_approved_assignments_and_its_own_proposals(
    client, committee_member, make_member, propose_spokesperson, coordinator
):
    from governance import services

    pending = propose_spokesperson(make_member(pseudonym="Pending Person"))
    approved = propose_spokesperson(make_member(pseudonym="Approved Person"))
    services.spokesperson_approve(assignment_id=approved.pk, by=coordinator)
    propose_spokesperson(make_member(pseudonym="Proposed By Committee"), by=committee_member)
    client.force_login(committee_member.user)
    page = client.get(reverse("admin:governance_spokespersonassignment_changelist"))
    html = page.content.decode()
    assert "Approved Person" in html and "Proposed By Committee" in html
    assert "Pending Person" not in html
    assert client.get(
        reverse("admin:governance_spokespersonassignment_change", args=[pending.pk])
    ).status_code in (302, 404)
    client.force_login(coordinator.user)
    html = client.get(reverse("admin:governance_spokespersonassignment_changelist")).content
    assert b"Pending Person" in html
