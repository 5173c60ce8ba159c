from django.core import mail
from django.utils import timezone

from governance import services
from governance.models import AssignmentState, Seat, SpokespersonAssignment, Topic
from members import services as member_services
from members.models import Status
from members.roles import STEERING_COMMITTEE


def propose(member):
    return services.spokesperson_propose(
        member_id=member.pk,
        topics=Topic.objects.filter(slug="media"),
        countries=["SE"],
        languages=["sv"],
        starts_on=timezone.localdate(),
        ends_on=None,
        by=member,
    )


def test_status_change_to_ally_ends_every_role_and_tells_the_committee(
    sex_worker,
    coordinator,
    committee_member,
    seat_member,
    propose_spokesperson,
    django_capture_on_commit_callbacks,
):
    seat = seat_member(sex_worker)
    assignment = propose_spokesperson(sex_worker)
    change = member_services.status_change_request(member=sex_worker, to_status="ally", reason="")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        member_services.status_change_approve(request_id=change.pk, by=coordinator)

    sex_worker.refresh_from_db()
    seat.refresh_from_db()
    assignment.refresh_from_db()
    assert sex_worker.status == Status.ALLY
    assert seat.ended_on is not None
    assert seat.end_reason
    assert assignment.state == AssignmentState.ENDED
    assert assignment.close_reason
    assert not sex_worker.user.groups.filter(name=STEERING_COMMITTEE).exists()
    to_committee = [m for m in mail.outbox if m.to == [committee_member.user.email]]
    assert len(to_committee) == 1
    text = (to_committee[0].subject + to_committee[0].body).lower()
    # Neutral: neither who nor why.
    assert sex_worker.pseudonym.lower() not in text
    assert "ally" not in text and "sex" not in text and "status" not in text


def test_suspension_ends_every_role(sex_worker, coordinator, seat_member, propose_spokesperson):
    seat_member(sex_worker)
    propose_spokesperson(sex_worker)
    member_services.membership_state_set(
        member_id=sex_worker.pk, state="suspended", by=coordinator, reason="Unpaid dues"
    )
    assert not Seat.objects.filter(member=sex_worker, ended_on__isnull=True).exists()
    assert not SpokespersonAssignment.objects.filter(
        member=sex_worker, state__in=["proposed", "approved"]
    ).exists()


def test_refused_status_change_leaves_roles_in_place(sex_worker, coordinator, seat_member):
    seat = seat_member(sex_worker)
    change = member_services.status_change_request(member=sex_worker, to_status="ally", reason="")
    member_services.status_change_reject(request_id=change.pk, by=coordinator)
    seat.refresh_from_db()
    assert seat.ended_on is None
