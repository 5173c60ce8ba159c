"""The coordinators' page for suspending and reinstating memberships (beside the admin)."""

from django.urls import reverse

from members.models import MembershipState


def act(client, member, action, reason="Unpaid dues"):
    return client.post(
        reverse("members:membership_state_decide", args=[member.pk]),
        {"action": action, "reason": reason},
        follow=True,
    )


def test_coordinator_suspends_and_reinstates_on_the_page(
    client, coordinator, make_member, seat_member
):
    member = make_member(pseudonym="Seated Member")
    seat = seat_member(member)
    client.force_login(coordinator.user)
    page = client.get(reverse("members:coordinator_members"), {"q": "Seated"}).content.decode()
    assert "Suspend Seated Member" in page
    assert "Membership updated." in act(client, member, "suspend").content.decode()
    member.refresh_from_db()
    seat.refresh_from_db()
    assert member.state == MembershipState.SUSPENDED and seat.ended_on is not None
    act(client, member, "reinstate", reason="Paid")
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE


def test_a_reason_and_the_power_are_needed(client, coordinator, committee_member, sex_worker):
    client.force_login(coordinator.user)
    assert "Give a reason." in act(client, sex_worker, "suspend", reason="").content.decode()
    act(client, coordinator, "suspend")  # not one's own membership
    client.force_login(committee_member.user)
    assert client.get(reverse("members:coordinator_members")).status_code == 403
    response = client.post(
        reverse("members:membership_state_decide", args=[sex_worker.pk]),
        {"action": "suspend", "reason": "x"},
    )
    assert response.status_code == 403
    for member in (sex_worker, coordinator):
        member.refresh_from_db()
        assert member.state == MembershipState.ACTIVE


def test_applicants_and_unknown_members_are_not_found(client, coordinator, make_member):
    applicant = make_member(state=MembershipState.APPLIED)
    client.force_login(coordinator.user)
    for member_id in (applicant.pk, 987654):
        response = client.post(
            reverse("members:membership_state_decide", args=[member_id]),
            {"action": "suspend", "reason": "x"},
        )
        assert response.status_code == 404
    applicant.refresh_from_db()
    assert applicant.state == MembershipState.APPLIED


def test_the_reason_is_kept_with_the_membership_and_in_its_history(client, coordinator, sex_worker):
    client.force_login(coordinator.user)
    act(client, sex_worker, "suspend", reason="Unpaid dues")
    act(client, sex_worker, "reinstate", reason="Paid in full")
    sex_worker.refresh_from_db()
    assert sex_worker.state_reason == "Paid in full"
    history = list(sex_worker.state_events.order_by("pgh_id").values_list("state", "state_reason"))
    assert history[-2:] == [("suspended", "Unpaid dues"), ("active", "Paid in full")]


def test_the_page_reads_the_same_number_of_queries_whatever_the_number_of_members(
    client, coordinator, make_member
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("members:coordinator_members")).status_code == 200
        return len(captured.captured_queries)

    make_member()
    few = count()
    for _ in range(6):
        make_member()
    assert count() == few
