import pytest
from django.urls import reverse

from members.models import MembershipState, Status


@pytest.fixture
def members_of_both_kinds(make_member):
    return [
        make_member(status=Status.SEX_WORKER, pseudonym="Alpha"),
        make_member(status=Status.ALLY, pseudonym="Beta"),
    ]


def test_admin_shows_status_to_those_allowed(client, coordinator, members_of_both_kinds):
    client.force_login(coordinator.user)
    page = client.get(reverse("admin:members_member_changelist")).content.decode()
    assert "Alpha" in page
    assert "Sex worker" in page
    assert "Ally" in page


def test_admin_hides_status_from_those_not_allowed(
    client, make_member, seat_member, members_of_both_kinds
):
    committee = make_member(pseudonym="Chairperson")
    seat_member(committee)
    client.force_login(committee.user)
    changelist = client.get(reverse("admin:members_member_changelist"))
    assert changelist.status_code == 200
    page = changelist.content.decode()
    assert "Alpha" in page and "Beta" in page
    assert "Sex worker" not in page
    assert "Ally" not in page
    change = client.get(
        reverse("admin:members_member_change", args=[members_of_both_kinds[1].pk])
    ).content.decode()
    assert "Ally" not in change
    # Filtering by status through the URL is refused too.
    for lookup in ("status", "status__startswith", "status__in"):
        filtered = client.get(reverse("admin:members_member_changelist"), {lookup: "ally"})
        assert filtered.status_code == 400


def test_admin_search_by_pseudonym_and_email(client, coordinator, members_of_both_kinds):
    client.force_login(coordinator.user)
    url = reverse("admin:members_member_changelist")
    assert "Beta" in client.get(url, {"q": "Beta"}).content.decode()
    email = members_of_both_kinds[0].user.email
    page = client.get(url, {"q": email}).content.decode()
    assert "Alpha" in page and "Beta" not in page


def test_admin_approves_application_through_the_service(client, coordinator, make_member):
    applicant = make_member(state=MembershipState.APPLIED, pseudonym="Newcomer")
    client.force_login(coordinator.user)
    url = reverse("admin:members_membershipapplication_changelist")
    chosen = {"action": "approve", "_selected_action": [applicant.application.pk]}
    page = client.post(url, chosen)  # the confirmation page first: nothing happens yet
    assert b"These applicants become members" in page.content
    applicant.refresh_from_db()
    assert applicant.state == MembershipState.APPLIED
    response = client.post(url, chosen | {"confirmed": "yes"}, follow=True)
    assert response.status_code == 200
    applicant.refresh_from_db()
    assert applicant.state == MembershipState.ACTIVE
    assert applicant.approved_by == coordinator


def test_admin_status_field_cannot_be_edited(client, administrator, ally):
    client.force_login(administrator)
    url = reverse("admin:members_member_change", args=[ally.pk])
    client.post(
        url,
        {
            "pseudonym": ally.pseudonym,
            "country": ally.country,
            "preferred_language": ally.preferred_language,
            "status": "sex_worker",
        },
    )
    ally.refresh_from_db()
    assert ally.status == Status.ALLY
