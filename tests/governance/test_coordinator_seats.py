"""The coordinators' page for seat changes the committee proposed: confirm (carried out),
decline (with a reason); nobody else may use it, and bad input changes nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import ActKind, ActState, Seat

TODAY = timezone.localdate()


@pytest.fixture
def seat_proposal(committee_member, make_member):
    def propose(member=None):
        return services.act_propose(
            kind=ActKind.SEAT_ASSIGN,
            member_id=(member or make_member(pseudonym="Candidate")).pk,
            position="member",
            term_start=TODAY,
            term_end=TODAY + datetime.timedelta(days=365),
            by=committee_member,
            reason="Co-opted to fill a vacancy",
        )

    return propose


def decide(client, act, **data):
    return client.post(reverse("governance:seat_act_decide", args=[act.pk]), data, follow=True)


def test_coordinator_confirms_and_declines_on_the_page(client, coordinator, seat_proposal, ally):
    confirmed, declined = seat_proposal(), seat_proposal(ally)
    client.force_login(coordinator.user)
    page = client.get(reverse("governance:coordinator_seats")).content.decode()
    assert "Co-opted to fill a vacancy" in page and "Candidate" in page
    assert "Decision saved." in decide(client, confirmed, decision="confirm").content.decode()
    assert Seat.objects.filter(member=confirmed.member, ended_on__isnull=True).exists()

    page = decide(client, declined, decision="decline").content.decode()
    assert "Give a reason." in page  # declining needs one
    declined.refresh_from_db()
    assert declined.state == ActState.PENDING
    decide(client, declined, decision="decline", note="Not now")
    declined.refresh_from_db()
    assert (declined.state, declined.decision_note) == (ActState.DECLINED, "Not now")


def test_the_page_is_for_coordinators_only(client, committee_member, sex_worker, seat_proposal):
    act = seat_proposal()
    for user in (committee_member.user, sex_worker.user):
        client.force_login(user)
        assert client.get(reverse("governance:coordinator_seats")).status_code == 403
        response = client.post(
            reverse("governance:seat_act_decide", args=[act.pk]), {"decision": "confirm"}
        )
        assert response.status_code == 403
    act.refresh_from_db()
    assert act.state == ActState.PENDING


def test_bad_decisions_change_nothing(
    client, coordinator, seat_proposal, committee_member, make_motion
):
    act = seat_proposal()
    motion_act = services.act_propose(
        kind=ActKind.MOTION_OPEN,
        motion_id=make_motion(open=False).pk,
        by=committee_member,
        reason="Agreed",
    )
    client.force_login(coordinator.user)
    url = reverse("governance:seat_act_decide", args=[act.pk])
    assert client.post(url, {"decision": "maybe"}).status_code == 302
    assert client.post(url, {"decision": "confirm", "note": "x" * 1001}).status_code == 302
    missing = reverse("governance:seat_act_decide", args=[987654])
    assert client.post(missing, {"decision": "confirm"}).status_code == 404
    # A motion's act is not a seat change: not found here.
    other = reverse("governance:seat_act_decide", args=[motion_act.pk])
    assert client.post(other, {"decision": "decline", "note": "No"}).status_code == 404
    for pending in (act, motion_act):
        pending.refresh_from_db()
        assert pending.state == ActState.PENDING


def test_the_page_reads_the_same_number_of_queries_whatever_the_number_of_acts(
    client, coordinator, seat_proposal
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("governance:coordinator_seats")).status_code == 200
        return len(captured.captured_queries)

    seat_proposal()
    few = count()
    for _ in range(4):
        seat_proposal()
    assert count() == few
