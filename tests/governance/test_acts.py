"""Four eyes: each act on seats or votes is proposed, and carried out only when a second
person confirms it in time. Tried through the service and around it, as the app role."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from governance import services
from governance.models import ActKind, ActState, MotionState, PendingAct, Seat
from members.models import Status

TODAY = timezone.localdate()
TERM = {"term_start": TODAY, "term_end": TODAY + datetime.timedelta(days=365)}


@pytest.fixture
def second_committee_member(make_member, seat_member):
    member = make_member(status=Status.SEX_WORKER, pseudonym="Second")
    seat_member(member)
    member.refresh_from_db()
    return member


def refused(code):
    class Refused:
        def __enter__(self):
            return self

        def __exit__(self, kind, error, tb):
            assert kind is ValidationError, f"expected a refusal {code}, got {kind}"
            assert error.code == code, error.code
            return True

    return Refused()


def propose_open(motion, by):
    return services.act_propose(
        kind=ActKind.MOTION_OPEN, motion_id=motion.pk, by=by, reason="Agreed at the meeting"
    )


def test_opening_waits_for_a_second_committee_member(
    committee_member, second_committee_member, make_motion
):
    draft = make_motion(open=False)
    act = propose_open(draft, committee_member)
    draft.refresh_from_db()
    assert draft.state == MotionState.DRAFT  # nothing happens without the second person
    with refused("own_act"):
        services.act_confirm(act_id=act.pk, by=committee_member)
    draft.refresh_from_db()
    assert draft.state == MotionState.DRAFT

    services.act_confirm(act_id=act.pk, by=second_committee_member)
    draft.refresh_from_db()
    act.refresh_from_db()
    assert draft.state == MotionState.OPEN
    assert (act.state, act.decided_by) == (ActState.CONFIRMED, second_committee_member)
    with refused("already_decided"):  # a replay changes nothing
        services.act_confirm(act_id=act.pk, by=second_committee_member)


def test_closing_early_and_publishing_wait_for_a_second_person(
    committee_member, second_committee_member, make_motion
):
    motion = make_motion()
    close = services.act_propose(
        kind=ActKind.MOTION_CLOSE, motion_id=motion.pk, by=committee_member, reason="Urgent"
    )
    motion.refresh_from_db()
    assert motion.state == MotionState.OPEN
    services.act_confirm(act_id=close.pk, by=second_committee_member)
    motion.refresh_from_db()
    assert motion.state == MotionState.CLOSED

    publish = services.act_propose(
        kind=ActKind.MOTION_PUBLISH, motion_id=motion.pk, by=second_committee_member, reason="OK"
    )
    motion.refresh_from_db()
    assert motion.state == MotionState.CLOSED
    with refused("own_act"):
        services.act_confirm(act_id=publish.pk, by=second_committee_member)
    services.act_confirm(act_id=publish.pk, by=committee_member)
    motion.refresh_from_db()
    assert motion.state == MotionState.PUBLISHED


def test_seat_changes_wait_for_a_coordinator(
    committee_member, second_committee_member, coordinator, sex_worker
):
    act = services.act_propose(
        kind=ActKind.SEAT_ASSIGN,
        member_id=sex_worker.pk,
        position="member",
        by=committee_member,
        reason="Co-opted to fill a vacancy",
        **TERM,
    )
    assert not Seat.objects.filter(member=sex_worker).exists()
    with refused("not_allowed"):  # another committee member is not the second person here
        services.act_confirm(act_id=act.pk, by=second_committee_member)
    with refused("own_act"):  # nor the member being seated
        services.act_confirm(act_id=act.pk, by=sex_worker)
    services.act_confirm(act_id=act.pk, by=coordinator)
    seat = Seat.objects.get(member=sex_worker, ended_on__isnull=True)

    end = services.act_propose(
        kind=ActKind.SEAT_END, seat_id=seat.pk, by=committee_member, reason="Stepped down"
    )
    seat.refresh_from_db()
    assert seat.ended_on is None
    services.act_confirm(act_id=end.pk, by=coordinator)
    seat.refresh_from_db()
    assert seat.ended_on == TODAY and seat.end_reason == "Stepped down"


def test_a_refused_act_stays_pending(committee_member, coordinator, ally):
    act = services.act_propose(
        kind=ActKind.SEAT_ASSIGN,
        member_id=ally.pk,
        position="member",
        by=committee_member,
        reason="Co-opted",
        **TERM,
    )
    with refused("not_sex_worker"):
        services.act_confirm(act_id=act.pk, by=coordinator)
    act.refresh_from_db()
    assert act.state == ActState.PENDING
    assert not Seat.objects.filter(member=ally).exists()
    services.act_decline(act_id=act.pk, by=coordinator, note="Not eligible")
    act.refresh_from_db()
    assert act.state == ActState.DECLINED


def test_proposals_need_a_reason_the_power_and_come_once(committee_member, sex_worker, make_motion):
    draft = make_motion(open=False)
    with refused("no_reason"):
        services.act_propose(
            kind=ActKind.MOTION_OPEN, motion_id=draft.pk, by=committee_member, reason="  "
        )
    with refused("not_allowed"):
        propose_open(draft, sex_worker)
    propose_open(draft, committee_member)
    with refused("already_proposed"):  # a double click
        propose_open(draft, committee_member)
    assert PendingAct.objects.count() == 1


def test_late_confirmation_refused_by_service_database_and_job(
    committee_member, second_committee_member, make_motion
):
    draft = make_motion(open=False)
    long_ago = timezone.now() - datetime.timedelta(days=10)
    act = PendingAct.objects.create(
        kind=ActKind.MOTION_OPEN,
        motion=draft,
        proposed_by=committee_member,
        reason="Old",
        proposed_at=long_ago,
        expires_at=long_ago + datetime.timedelta(hours=72),
    )
    with refused("expired"):
        services.act_confirm(act_id=act.pk, by=second_committee_member)
    with (
        pytest.raises(IntegrityError, match="act_confirmed_by_a_second_person"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE governance_pendingact SET state = 'confirmed', decided_by_id = %s,"
            " decided_at = now() WHERE id = %s",
            [second_committee_member.pk, act.pk],
        )
    assert services.acts_expire() == 1
    act.refresh_from_db()
    assert act.state == ActState.EXPIRED
    draft.refresh_from_db()
    assert draft.state == MotionState.DRAFT


def test_database_refuses_self_confirmation_as_the_app_role(committee_member, make_motion):
    act = propose_open(make_motion(open=False), committee_member)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] != "postgres"  # the restricted application role
    with (
        pytest.raises(IntegrityError, match="act_confirmed_by_a_second_person"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE governance_pendingact SET state = 'confirmed', decided_by_id = proposed_by_id,"
            " decided_at = now() WHERE id = %s",
            [act.pk],
        )


def test_database_refuses_confirming_for_the_member_concerned(committee_member, sex_worker):
    act = services.act_propose(
        kind=ActKind.SEAT_ASSIGN,
        member_id=sex_worker.pk,
        position="member",
        by=committee_member,
        reason="Co-opted",
        **TERM,
    )
    with (
        pytest.raises(IntegrityError, match="act_confirmed_by_a_second_person"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE governance_pendingact SET state = 'confirmed', decided_by_id = member_id,"
            " decided_at = now() WHERE id = %s",
            [act.pk],
        )


def test_database_refuses_a_confirmed_insert_and_any_change_after_the_decision(
    committee_member, second_committee_member, make_motion
):
    draft = make_motion(open=False)
    with (
        pytest.raises(IntegrityError, match="act_proposed_pending"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO governance_pendingact (kind, state, reason, proposed_by_id, proposed_at,"
            " expires_at, decided_by_id, decided_at, decision_note, motion_id, position)"
            " VALUES ('motion_open', 'confirmed', 'x', %s, now(), now() + interval '1 day',"
            " %s, now(), '', %s, '')",
            [committee_member.pk, second_committee_member.pk, draft.pk],
        )
    act = propose_open(draft, committee_member)
    services.act_decline(act_id=act.pk, by=committee_member, note="Withdrawn")
    for statement in (
        "UPDATE governance_pendingact SET state = 'pending', decided_by_id = NULL,"
        " decided_at = NULL WHERE id = %s",
        "UPDATE governance_pendingact SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM governance_pendingact WHERE id = %s",
    ):
        with (
            pytest.raises(IntegrityError, match="act_decided_once|act_kept"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [act.pk])


def test_database_refuses_moving_a_motion_without_a_confirmed_act(
    committee_member, second_committee_member, make_motion
):
    """As the app role, with raw SQL: a draft does not open, an open motion does not close
    before its window ends, a result is not published, without a second person's act."""
    from tests import agreements

    draft = make_motion(open=False)
    opened = make_motion()
    closed = agreements.motion_close(motion_id=make_motion().pk)
    propose_open(draft, committee_member)  # proposed, not confirmed: not enough
    for motion, new_state in ((draft, "open"), (opened, "closed"), (closed, "published")):
        with (
            pytest.raises(IntegrityError, match="motion_acts_need_a_second_person"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE governance_motion SET state = %s WHERE id = %s", [new_state, motion.pk]
            )
    with (
        pytest.raises(IntegrityError, match="motion_acts_need_a_second_person"),
        transaction.atomic(),
    ):
        services.motion_publish(motion_id=closed.pk, by=committee_member)
    closed.refresh_from_db()
    assert closed.state == MotionState.CLOSED


def test_the_acts_page_reads_the_same_number_of_queries_whatever_the_number_of_acts(
    client, committee_member, coordinator, make_member, make_motion
):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    def count() -> int:
        with CaptureQueriesContext(db) as captured:
            response = client.get(reverse("admin:governance_pendingact_changelist"))
        assert response.status_code == 200
        return len(captured.captured_queries)

    client.force_login(coordinator.user)
    propose_open(make_motion(open=False), committee_member)
    services.act_propose(
        kind=ActKind.SEAT_ASSIGN,
        member_id=make_member().pk,
        position="member",
        by=committee_member,
        reason="Co-opted",
        **TERM,
    )
    few = count()
    for _ in range(4):
        propose_open(make_motion(open=False), committee_member)
        services.act_propose(
            kind=ActKind.SEAT_ASSIGN,
            member_id=make_member().pk,
            position="member",
            by=committee_member,
            reason="Co-opted",
            **TERM,
        )
    assert count() == few


def test_an_expired_proposal_does_not_block_a_new_one(committee_member, make_motion):
    draft = make_motion(open=False)
    long_ago = timezone.now() - datetime.timedelta(days=10)
    PendingAct.objects.create(
        kind=ActKind.MOTION_OPEN,
        motion=draft,
        proposed_by=committee_member,
        reason="Old",
        proposed_at=long_ago,
        expires_at=long_ago + datetime.timedelta(hours=72),
    )
    fresh = propose_open(draft, committee_member)
    assert fresh.state == ActState.PENDING
    assert PendingAct.objects.filter(motion=draft, state=ActState.EXPIRED).count() == 1
