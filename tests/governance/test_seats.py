import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance import selectors, services
from governance.models import Position, Seat
from members.models import MembershipState, Status
from members.roles import STEERING_COMMITTEE

TODAY = timezone.localdate()
YEAR_START = TODAY.replace(month=1, day=1)
YEAR_END = TODAY.replace(month=12, day=31)


def seat(member, position=Position.MEMBER, start=YEAR_START, end=YEAR_END):
    return services.seat_assign(
        member_id=member.pk, position=position, term_start=start, term_end=end, by=None
    )


def test_sex_worker_is_seated_and_joins_the_committee_group(sex_worker):
    created = seat(sex_worker, Position.CHAIR)
    assert created.is_active
    assert sex_worker.user.groups.filter(name=STEERING_COMMITTEE).exists()
    assert list(selectors.committee_members()) == [sex_worker]


def test_ally_cannot_be_seated(ally):
    with pytest.raises(ValidationError) as excinfo:
        seat(ally)
    assert excinfo.value.code == "not_sex_worker"
    assert not Seat.objects.exists()


@pytest.mark.parametrize("state", [MembershipState.APPLIED, MembershipState.SUSPENDED])
def test_inactive_member_cannot_be_seated(make_member, state):
    member = make_member(status=Status.SEX_WORKER, state=state)
    with pytest.raises(ValidationError) as excinfo:
        seat(member)
    assert excinfo.value.code == "membership_not_active"
    assert not Seat.objects.exists()


def test_member_holds_at_most_one_seat(sex_worker):
    seat(sex_worker)
    with pytest.raises(ValidationError) as excinfo:
        seat(sex_worker, Position.TREASURER)
    assert excinfo.value.code == "already_seated"
    assert Seat.objects.count() == 1


def test_overlapping_chair_terms_are_refused(make_member):
    first, second = make_member(), make_member()
    seat(first, Position.CHAIR)
    with pytest.raises(ValidationError) as excinfo:
        seat(second, Position.CHAIR, start=YEAR_END, end=YEAR_END + datetime.timedelta(days=30))
    assert excinfo.value.code == "position_taken"
    assert Seat.objects.count() == 1


def test_back_to_back_chair_terms_are_allowed(make_member):
    first, second = make_member(), make_member()
    seat(first, Position.CHAIR)
    next_year = YEAR_END + datetime.timedelta(days=1)
    seat(second, Position.CHAIR, start=next_year, end=next_year.replace(month=12, day=31))
    assert Seat.objects.filter(position=Position.CHAIR).count() == 2


def test_ordinary_committee_seats_may_overlap(make_member):
    for _ in range(3):
        seat(make_member(), Position.MEMBER)
    assert Seat.objects.filter(position=Position.MEMBER).count() == 3


def test_chair_freed_by_ending_the_seat(make_member):
    first, second = make_member(), make_member()
    earlier = seat(first, Position.CHAIR, start=YEAR_START - datetime.timedelta(days=400))
    services.seat_end(seat_id=earlier.pk, by=None, reason="Stepped down")
    seat(second, Position.CHAIR, start=TODAY)
    first.refresh_from_db()
    assert not first.user.groups.filter(name=STEERING_COMMITTEE).exists()


def test_ending_twice_is_refused(sex_worker):
    created = seat(sex_worker)
    services.seat_end(seat_id=created.pk, by=None, reason="")
    with pytest.raises(ValidationError) as excinfo:
        services.seat_end(seat_id=created.pk, by=None, reason="")
    assert excinfo.value.code == "already_ended"


def test_term_ending_in_the_past_ends_automatically(sex_worker):
    old = seat(
        sex_worker,
        start=TODAY - datetime.timedelta(days=100),
        end=TODAY - datetime.timedelta(days=1),
    )
    assert services.seats_end_expired() == 1
    assert services.seats_end_expired() == 0  # idempotent
    old.refresh_from_db()
    assert old.ended_on == TODAY
    assert not sex_worker.user.groups.filter(name=STEERING_COMMITTEE).exists()


def test_term_order_is_checked(sex_worker):
    with pytest.raises(ValidationError) as excinfo:
        seat(sex_worker, start=YEAR_END, end=YEAR_START)
    assert excinfo.value.code == "term_order"


def test_seat_history_records_who_and_why(sex_worker, coordinator):
    created = services.seat_assign(
        member_id=sex_worker.pk,
        position=Position.MEMBER,
        term_start=YEAR_START,
        term_end=YEAR_END,
        by=coordinator,
    )
    services.seat_end(seat_id=created.pk, by=coordinator, reason="Stepped down")
    events = list(Seat.pgh_event_model.objects.filter(pgh_obj=created).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert events[-1].pgh_context.metadata["reason"] == "Stepped down"
    assert events[-1].pgh_context.metadata["by_member"] == coordinator.pk


def test_the_committee_group_cannot_be_given_without_a_seat(sex_worker, ally):
    """The user admin edits groups freely: the database refuses the committee's group to
    anyone without an unended seat, whatever the client (here the application's role)."""
    from django.contrib.auth.models import Group
    from django.db import IntegrityError, transaction

    group = Group.objects.get(name=STEERING_COMMITTEE)
    for member in (sex_worker, ally):
        with (
            pytest.raises(IntegrityError, match="committee_group_needs_a_seat"),
            transaction.atomic(),
        ):
            member.user.groups.add(group)
        assert not member.user.groups.filter(name=STEERING_COMMITTEE).exists()


def test_ending_a_seat_by_any_path_takes_the_member_out_of_the_committee_group(sex_worker):
    from django.db import connection

    created = seat(sex_worker)
    assert sex_worker.user.groups.filter(name=STEERING_COMMITTEE).exists()
    # Not through the service: a raw UPDATE, as a client bypassing it would.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE governance_seat SET ended_on = %s, end_reason = 'x' WHERE id = %s",
            [TODAY, created.pk],
        )
    assert not sex_worker.user.groups.filter(name=STEERING_COMMITTEE).exists()


def test_every_end_of_a_seat_is_audited_and_leaves_the_group(sex_worker, make_member):
    """Ended by a decision or because the term is over: one path, one audit event each."""
    from audit.models import AuditEvent

    decided = seat(sex_worker)
    services.seat_end(seat_id=decided.pk, by=None, reason="Stepped down.")
    other = make_member()
    expiring = seat(other, start=TODAY - datetime.timedelta(days=30), end=TODAY)
    assert services.seats_end_expired(today=TODAY + datetime.timedelta(days=1)) == 1
    expiring.refresh_from_db()
    assert expiring.ended_on == TODAY + datetime.timedelta(days=1)
    ended = AuditEvent.objects.filter(action="seat.ended").values_list("target_id", flat=True)
    assert {decided.pk, expiring.pk} <= set(ended)
    for member in (sex_worker, other):
        assert not member.user.groups.filter(name=STEERING_COMMITTEE).exists()
