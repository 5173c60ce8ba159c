"""Races between a status change and a role, against real Postgres with real threads.

Whatever the interleaving, no ally may be left in a role. Each race runs several rounds so
that both orders of arrival get exercised."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from governance import services
from governance.models import AssignmentState, Position, Seat, SpokespersonAssignment, Topic
from members import services as member_services
from members.models import Member

ROUNDS = 6
TODAY = timezone.localdate()


def run_together(*calls):
    """Start every call at the same moment in its own thread (own DB connection); return
    the exceptions they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException | None] = [None] * len(calls)

    def runner(index, call):
        try:
            barrier.wait()
            call()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def _insert_seat(member):
    """A seat written straight to the table, around the services."""
    Seat.objects.create(
        member_id=member.pk,
        position=Position.MEMBER,
        term_start=TODAY,
        term_end=TODAY + datetime.timedelta(days=30),
    )


def _make_ally(member):
    """A status change written straight to the table, around the services."""
    Member.objects.filter(pk=member.pk).update(status="ally")


def allowed(error):
    return error is None or isinstance(error, ValidationError)


@pytest.mark.django_db(transaction=True)
def test_status_change_racing_a_seat_never_leaves_an_ally_seated(make_member, coordinator):
    for _ in range(ROUNDS):
        member = make_member()
        change = member_services.status_change_request(member=member, to_status="ally", reason="")
        errors = run_together(
            lambda m=member: services.seat_assign(
                member_id=m.pk,
                position=Position.MEMBER,
                term_start=TODAY,
                term_end=TODAY + datetime.timedelta(days=90),
                by=None,
            ),
            lambda c=change: member_services.status_change_approve(request_id=c.pk, by=coordinator),
        )
        assert all(allowed(e) for e in errors), errors
        member.refresh_from_db()
        assert member.status == "ally"  # the status change always wins in the end
        assert not Seat.objects.filter(member=member, ended_on__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_status_change_racing_an_approval_never_leaves_an_ally_spokesperson(
    make_member, coordinator
):
    other_coordinator = make_member(groups=("Coordinators",))
    # Transactional tests start from an emptied database: make the topic here.
    topics = [Topic.objects.get_or_create(slug="media", defaults={"name": "Media"})[0]]
    for _ in range(ROUNDS):
        member = make_member()
        assignment = services.spokesperson_propose(
            member_id=member.pk,
            topics=topics,
            countries=["FI"],
            languages=["fi"],
            starts_on=TODAY,
            ends_on=None,
            by=member,
        )
        change = member_services.status_change_request(member=member, to_status="ally", reason="")
        errors = run_together(
            lambda a=assignment: services.spokesperson_approve(
                assignment_id=a.pk, by=other_coordinator
            ),
            lambda c=change: member_services.status_change_approve(request_id=c.pk, by=coordinator),
        )
        assert all(allowed(e) for e in errors), errors
        member.refresh_from_db()
        assignment.refresh_from_db()
        assert member.status == "ally"
        # Either the approval came first and the status change ended it, or the status
        # change came first and the approval was refused, and the request ended with it.
        assert assignment.state == AssignmentState.ENDED
        assert not SpokespersonAssignment.objects.filter(
            member=member, state__in=["proposed", "approved"]
        ).exists()


@pytest.mark.django_db(transaction=True)
def test_database_guard_holds_when_a_raw_status_update_waits_for_a_new_seat(make_member):
    """Around the services: a seat insert holds its FOR SHARE lock on the member; a raw
    status update has to wait for it, then sees the committed seat and is refused."""
    member = make_member()
    seat_inserted, release = threading.Event(), threading.Event()

    def insert_seat():
        with transaction.atomic():
            _insert_seat(member)
            seat_inserted.set()
            release.wait(timeout=10)

    def make_ally():
        seat_inserted.wait(timeout=10)
        threading.Timer(0.5, release.set).start()  # commit the seat while we are blocked
        with transaction.atomic():
            _make_ally(member)

    errors = run_together(insert_seat, make_ally)
    assert errors[0] is None
    assert isinstance(errors[1], IntegrityError)
    assert "member_with_roles_must_stay_active_sex_worker" in str(errors[1])
    member.refresh_from_db()
    assert member.status == "sex_worker"


@pytest.mark.django_db(transaction=True)
def test_database_guard_holds_when_a_new_seat_waits_for_a_raw_status_update(make_member):
    """The other order: the status update commits first; the seat insert waits on the
    member row, then sees the ally and is refused."""
    member = make_member()
    updated, release = threading.Event(), threading.Event()

    def make_ally():
        with transaction.atomic():
            _make_ally(member)
            updated.set()
            release.wait(timeout=10)

    def insert_seat():
        updated.wait(timeout=10)
        threading.Timer(0.5, release.set).start()
        with transaction.atomic():
            _insert_seat(member)

    errors = run_together(make_ally, insert_seat)
    assert errors[0] is None
    assert isinstance(errors[1], IntegrityError)
    assert "seat_holder_must_be_active_sex_worker" in str(errors[1])
    assert not Seat.objects.filter(member=member).exists()
