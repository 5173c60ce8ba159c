import datetime

from django.urls import reverse
from django.utils import timezone

from governance.models import (
    ActState,
    AssignmentState,
    PendingAct,
    Seat,
    SpokespersonAssignment,
    Topic,
)

TODAY = timezone.localdate()


def seat_form(member, position="member"):
    return {
        "member": member.pk,
        "position": position,
        "term_start": TODAY.isoformat(),
        "term_end": (TODAY + datetime.timedelta(days=365)).isoformat(),
    }


def seat_proposal(member, position="member"):
    return seat_form(member, position) | {"reason": "Co-opted to fill a vacancy"}


def confirm_all(client, action="confirm", note=""):
    acts = list(PendingAct.objects.filter(state=ActState.PENDING).values_list("pk", flat=True))
    return client.post(
        reverse("admin:governance_pendingact_changelist"),
        {"action": action, "_selected_action": acts, "confirmed": "yes", "reason": note},
        follow=True,
    )


def test_committee_proposes_a_seat_and_a_coordinator_confirms(
    client, committee_member, coordinator, sex_worker
):
    client.force_login(committee_member.user)
    assert client.get(reverse("admin:governance_seat_add")).status_code == 403
    response = client.post(reverse("admin:governance_seat_propose"), seat_proposal(sex_worker))
    assert response.status_code == 302
    assert not Seat.objects.filter(member=sex_worker).exists()
    confirm_all(client)  # the committee cannot confirm seat changes
    assert not Seat.objects.filter(member=sex_worker).exists()

    client.force_login(coordinator.user)
    confirm_all(client)
    assert Seat.objects.filter(member=sex_worker, ended_on__isnull=True).exists()


def test_seat_proposal_answers_the_same_for_an_ally_and_a_sex_worker(
    client, committee_member, coordinator, ally, sex_worker
):
    """A committee member without "review status" learns nothing about the member from
    proposing them: the eligibility rule is checked by the coordinator who confirms."""
    client.force_login(committee_member.user)
    answers = []
    for member in (ally, sex_worker):
        response = client.post(
            reverse("admin:governance_seat_propose"), seat_proposal(member), follow=True
        )
        page = response.content.decode()
        answers.append(
            (response.status_code, response.redirect_chain, page.count("Only sex workers"))
        )
        assert "Proposed. Nothing changes until a coordinator confirms it." in page
    assert answers[0] == answers[1]
    lists = client.get(reverse("admin:governance_pendingact_changelist")).content.decode()
    assert "Only sex workers" not in lists

    client.force_login(coordinator.user)
    page = confirm_all(client).content.decode()
    assert "Only sex workers can sit on the Steering Committee" in page  # to the coordinator
    assert not Seat.objects.filter(member=ally).exists()
    assert Seat.objects.filter(member=sex_worker).exists()


def test_seat_proposal_with_bad_dates_is_a_form_error(client, committee_member, sex_worker):
    client.force_login(committee_member.user)
    data = seat_proposal(sex_worker) | {"term_end": "2000-01-01"}
    response = client.post(reverse("admin:governance_seat_propose"), data)
    assert response.status_code == 200
    assert "The term cannot end before it starts." in response.content.decode()
    assert not PendingAct.objects.exists()


def test_ending_a_seat_goes_through_a_confirmation_page_and_a_coordinator(
    client, committee_member, coordinator, make_member, seat_member
):
    seat = seat_member(make_member())
    client.force_login(committee_member.user)
    url = reverse("admin:governance_seat_changelist")
    page = client.post(url, {"action": "propose_ending", "_selected_action": [seat.pk]})
    assert b"Nothing changes until a coordinator confirms" in page.content
    client.post(
        url,
        {
            "action": "propose_ending",
            "_selected_action": [seat.pk],
            "confirmed": "yes",
            "reason": "Stepped down",
        },
    )
    seat.refresh_from_db()
    assert seat.ended_on is None
    client.force_login(coordinator.user)
    confirm_all(client)
    seat.refresh_from_db()
    assert seat.ended_on == TODAY and seat.end_reason == "Stepped down"


def test_seat_admin_is_closed_to_members_without_the_permission(client, sex_worker):
    client.force_login(sex_worker.user)
    response = client.get(reverse("admin:governance_seat_changelist"))
    assert response.status_code in (302, 403)
    response = client.post(reverse("admin:governance_seat_propose"), seat_proposal(sex_worker))
    assert response.status_code in (302, 403)
    assert not PendingAct.objects.exists()


def assignment_form(member, topic="health"):
    return {
        "member": member.pk,
        "topics": [Topic.objects.get(slug=topic).pk],
        "countries": ["IS"],
        "languages": ["is"],
        "starts_on": TODAY.isoformat(),
    }


def test_coordinator_proposes_and_another_approves_in_the_admin(
    client, coordinator, make_member, sex_worker
):
    client.force_login(coordinator.user)
    response = client.post(
        reverse("admin:governance_spokespersonassignment_add"), assignment_form(sex_worker)
    )
    assert response.status_code == 302
    assignment = SpokespersonAssignment.objects.get(member=sex_worker)
    assert assignment.proposed_by == coordinator

    url = reverse("admin:governance_spokespersonassignment_changelist")
    chosen = {"action": "approve", "_selected_action": [assignment.pk]}
    page = client.post(url, chosen)
    assert b"These members will speak for the network" in page.content  # confirmation page
    client.post(url, chosen | {"confirmed": "yes"})
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.PROPOSED  # not by the one who proposed it

    client.force_login(make_member(groups=("Coordinators",)).user)
    client.post(url, chosen | {"confirmed": "yes"})
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.APPROVED


def test_committee_cannot_use_the_assignment_form_that_would_tell_status(
    client, committee_member, coordinator, ally, sex_worker
):
    client.force_login(committee_member.user)
    url = reverse("admin:governance_spokespersonassignment_add")
    answers = [client.post(url, assignment_form(m)).status_code for m in (ally, sex_worker)]
    assert answers == [403, 403]
    assert not SpokespersonAssignment.objects.exists()
    client.force_login(coordinator.user)  # who may see status gets the rule's message
    response = client.post(url, assignment_form(ally))
    assert "Only sex workers" in response.content.decode()
    assert not SpokespersonAssignment.objects.exists()


def test_member_search_matches_addresses_only_for_those_who_may_see_them(
    client, committee_member, coordinator, sex_worker
):
    url = reverse("admin:members_member_changelist")
    address_part = sex_worker.user.email.split("@")[0]
    client.force_login(committee_member.user)
    by_address = client.get(url, {"q": address_part}).content.decode()
    by_other = client.get(url, {"q": "no-such-text"}).content.decode()
    assert sex_worker.pseudonym not in by_address
    assert by_address.count("<tr") == by_other.count("<tr")
    assert sex_worker.pseudonym in client.get(url, {"q": sex_worker.pseudonym}).content.decode()
    client.force_login(coordinator.user)
    assert sex_worker.pseudonym in client.get(url, {"q": address_part}).content.decode()


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
