"""Each database guard, proven by going around the services and expecting the named
violation: the rule must hold whatever writes to the tables."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from governance.models import AssignmentState, Position, Seat, SpokespersonAssignment
from members.models import Member

TODAY = timezone.localdate()
TERM = {"term_start": TODAY, "term_end": TODAY + datetime.timedelta(days=365)}


def raises_guard(name):
    return pytest.raises(IntegrityError, match=name)


def test_orm_cannot_seat_an_ally(ally):
    with raises_guard("seat_holder_must_be_active_sex_worker"), transaction.atomic():
        Seat.objects.create(member=ally, position=Position.MEMBER, **TERM)
    assert not Seat.objects.exists()


def test_raw_sql_cannot_seat_an_ally(ally):
    guard = raises_guard("seat_holder_must_be_active_sex_worker")
    with guard, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO governance_seat (member_id, position, term_start, term_end,"
            " end_reason, created_at) VALUES (%s, 'member', %s, %s, '', now())",
            [ally.pk, TERM["term_start"], TERM["term_end"]],
        )


def test_bulk_update_cannot_move_a_seat_to_an_ally(sex_worker, ally, seat_member):
    seat = seat_member(sex_worker)
    with raises_guard("seat_holder_must_be_active_sex_worker"), transaction.atomic():
        Seat.objects.filter(pk=seat.pk).update(member=ally)
    seat.refresh_from_db()
    assert seat.member == sex_worker


def test_bulk_update_cannot_reopen_a_seat_of_an_ally(sex_worker, seat_member, coordinator):
    from members import services as member_services

    seat = seat_member(sex_worker)
    change = member_services.status_change_request(member=sex_worker, to_status="ally", reason="")
    member_services.status_change_approve(request_id=change.pk, by=coordinator)
    with raises_guard("seat_holder_must_be_active_sex_worker"), transaction.atomic():
        Seat.objects.filter(pk=seat.pk).update(ended_on=None)


def test_suspended_sex_worker_cannot_be_seated_by_orm(make_member):
    member = make_member(state="suspended")
    with raises_guard("seat_holder_must_be_active_sex_worker"), transaction.atomic():
        Seat.objects.create(member=member, position=Position.MEMBER, **TERM)


def test_orm_cannot_propose_an_ally_as_spokesperson(ally):
    with raises_guard("spokesperson_must_be_active_sex_worker"), transaction.atomic():
        SpokespersonAssignment.objects.create(
            member=ally, countries=["SE"], languages=["sv"], starts_on=TODAY
        )


def test_bulk_update_cannot_approve_an_allys_old_assignment(ally):
    assignment = SpokespersonAssignment.objects.create(
        member=ally,
        countries=["SE"],
        languages=["sv"],
        starts_on=TODAY,
        state=AssignmentState.REJECTED,
    )
    with raises_guard("spokesperson_must_be_active_sex_worker"), transaction.atomic():
        SpokespersonAssignment.objects.filter(pk=assignment.pk).update(
            state=AssignmentState.APPROVED
        )
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.REJECTED


@pytest.mark.parametrize(
    "change", [{"status": "ally"}, {"state": "suspended"}, {"state": "resigned"}]
)
def test_seated_member_cannot_be_changed_behind_the_services_back(sex_worker, seat_member, change):
    seat_member(sex_worker)
    with raises_guard("member_with_roles_must_stay_active_sex_worker"), transaction.atomic():
        Member.objects.filter(pk=sex_worker.pk).update(**change)
    sex_worker.refresh_from_db()
    assert (sex_worker.status, sex_worker.state) == ("sex_worker", "active")


def test_spokesperson_cannot_be_made_ally_by_raw_sql(sex_worker):
    SpokespersonAssignment.objects.create(
        member=sex_worker, countries=["NO"], languages=["nb"], starts_on=TODAY
    )
    guard = raises_guard("member_with_roles_must_stay_active_sex_worker")
    with guard, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE members_member SET status = 'ally' WHERE id = %s", [sex_worker.pk])


def test_member_without_roles_can_change(sex_worker):
    Member.objects.filter(pk=sex_worker.pk).update(status="ally")
    sex_worker.refresh_from_db()
    assert sex_worker.status == "ally"


def test_overlapping_chairs_refused_by_the_database(make_member):
    first, second = make_member(), make_member()
    Seat.objects.create(member=first, position=Position.CHAIR, **TERM)
    with raises_guard("seat_single_holder_positions_do_not_overlap"), transaction.atomic():
        Seat.objects.create(
            member=second,
            position=Position.CHAIR,
            term_start=TODAY + datetime.timedelta(days=100),
            term_end=TODAY + datetime.timedelta(days=500),
        )


def test_two_active_seats_refused_by_the_database(sex_worker):
    Seat.objects.create(member=sex_worker, position=Position.MEMBER, **TERM)
    with raises_guard("seat_one_active_per_member"), transaction.atomic():
        Seat.objects.create(member=sex_worker, position=Position.TREASURER, **TERM)


def test_history_cannot_be_edited(sex_worker, seat_member):
    seat_member(sex_worker)
    with pytest.raises(Exception, match="append_only"), transaction.atomic():
        Seat.pgh_event_model.objects.all().delete()
