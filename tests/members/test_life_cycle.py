"""The membership life cycle as coordinators run it: suspend and reinstate with a reason,
through a confirmation page; a suspended member loses every role."""

from django.urls import reverse

from governance.models import AssignmentState, Seat, SpokespersonAssignment
from members.models import MembershipState


def run_member_action(client, action, member, reason="Unpaid dues"):
    url = reverse("admin:members_member_changelist")
    data = {"action": action, "_selected_action": [member.pk]}
    page = client.post(url, data)
    assert page.status_code == 200 and b'name="confirmed"' in page.content
    return client.post(url, data | {"confirmed": "yes", "reason": reason}, follow=True)


def test_coordinator_suspends_and_the_member_loses_every_role(
    client, coordinator, make_member, seat_member, propose_spokesperson
):
    member = make_member(pseudonym="Seated Speaker")
    seat = seat_member(member)
    assignment = propose_spokesperson(member)
    client.force_login(coordinator.user)
    page = run_member_action(client, "suspend", member).content.decode()
    assert "1 membership suspended." in page
    member.refresh_from_db()
    assert member.state == MembershipState.SUSPENDED
    assert not member.user.is_active
    seat.refresh_from_db()
    assert seat.ended_on is not None and seat.end_reason == "Unpaid dues"
    assert SpokespersonAssignment.objects.get(pk=assignment.pk).state == AssignmentState.ENDED

    run_member_action(client, "reinstate", member, reason="Paid")
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE and member.user.is_active
    assert not Seat.objects.filter(member=member, ended_on__isnull=True).exists()


def test_suspending_needs_a_reason_and_the_power(client, committee_member, coordinator, sex_worker):
    url = reverse("admin:members_member_changelist")
    client.force_login(coordinator.user)
    data = {"action": "suspend", "_selected_action": [sex_worker.pk], "confirmed": "yes"}
    assert "This field is required." in client.post(url, data).content.decode()
    client.force_login(committee_member.user)
    client.post(url, data | {"reason": "Because"})
    sex_worker.refresh_from_db()
    assert sex_worker.state == MembershipState.ACTIVE


def test_a_member_resigns_keeping_their_data_and_can_still_be_erased(
    make_member, propose_spokesperson, administrator
):
    from members.data_rights import member_erase
    from tests.members.test_data_rights import log_in_with_form, reauthenticate

    member = make_member(pseudonym="Leaving Quietly")
    assignment = propose_spokesperson(member)
    client = log_in_with_form(member.user)
    assert reauthenticate(client, client.get(reverse("members:resign"))).status_code == 302
    page = client.get(reverse("members:resign")).content.decode()
    assert "Your data is not erased" in page

    response = client.post(reverse("members:resign"), {"reason": ""})  # no confirmation
    assert response.status_code == 200 and "aria-invalid" in response.content.decode()
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE

    response = client.post(reverse("members:resign"), {"confirm": "on", "reason": "Moving on"})
    assert response["Location"] == reverse("members:resigned")
    member.refresh_from_db()
    assert member.state == MembershipState.RESIGNED
    assert member.pseudonym == "Leaving Quietly" and member.user.email  # the data stays
    assert SpokespersonAssignment.objects.get(pk=assignment.pk).state == AssignmentState.ENDED
    assert client.get(reverse("members:dashboard")).status_code == 302  # logged out
    assert client.get(reverse("members:resigned")).status_code == 200

    member_erase(member_id=member.pk, requested_by=administrator)  # erasure, later
    member.refresh_from_db()
    assert member.state == MembershipState.ERASED
