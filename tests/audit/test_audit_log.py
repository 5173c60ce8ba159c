"""The audit log: append-only in the database, hash-chained, fed by every sensitive act,
readable by administrators only."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

import audit
from audit.models import GENESIS_HASH, AuditEvent
from audit.services import verify_chain
from members import services
from members.models import Member, MembershipState
from tests.conftest import PASSWORD


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# --- the log itself -----------------------------------------------------------------------


def test_events_form_a_hash_chain(db):
    first = audit.record("test.first")
    second = audit.record("test.second", target=("members.member", 7))
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.hash
    assert (second.target_type, second.target_id) == ("members.member", 7)
    assert verify_chain() is None


@pytest.mark.parametrize(
    ("sql", "trigger"),
    [
        ("UPDATE audit_auditevent SET action = 'test.forged'", "audit_event_append_only"),
        ("DELETE FROM audit_auditevent", "audit_event_append_only"),
        ("TRUNCATE audit_auditevent", "audit_event_no_truncate"),
    ],
)
def test_database_refuses_to_change_the_log(transactional_db, sql, trigger):
    """The application's role may only append (no privilege to do more); the tables'
    owner, which has every privilege, is stopped by the named guard."""
    from core.database_roles import credentials
    from tests import database

    audit.record("test.kept")
    with (
        pytest.raises(DatabaseError, match="permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    owner = database.psycopg.connect(**database.conninfo(credentials("owner")))
    with owner, pytest.raises(database.psycopg.Error, match=trigger):
        owner.execute(sql)
    assert actions() == ["test.kept"]


def test_orm_update_and_delete_are_refused_too(db):
    event = audit.record("test.kept")
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="test.forged")
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        event.delete()


def test_tampering_behind_the_triggers_breaks_the_chain(transactional_db):
    audit.record("test.one")
    middle = audit.record("test.two")
    audit.record("test.three")
    # Someone with the power to switch the trigger off (a superuser) rewrites a row...
    behind_the_triggers(
        f"UPDATE audit_auditevent SET action = 'test.innocent' WHERE id = {middle.pk}"
    )
    assert verify_chain() == middle.pk


def test_removing_a_row_behind_the_triggers_breaks_the_chain(transactional_db):
    audit.record("test.one")
    middle = audit.record("test.two")
    last = audit.record("test.three")
    behind_the_triggers(f"DELETE FROM audit_auditevent WHERE id = {middle.pk}")
    assert verify_chain() == last.pk


def behind_the_triggers(statement: str) -> None:
    """Run `statement` as a superuser with every trigger off: only such a role can."""
    from tests import database

    with database.superuser_connect(autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(statement)


@pytest.mark.parametrize("action", ["status is sex_worker", "vote", "Status.Changed", ""])
def test_actions_are_codes_not_free_text(db, action):
    with pytest.raises(ValueError):
        audit.record(action)


def test_database_refuses_free_text_actions(db):
    from django.db import IntegrityError
    from django.utils import timezone

    with pytest.raises(IntegrityError, match="audit_event_action_is_a_code"):
        AuditEvent.objects.create(
            occurred_at=timezone.now(),
            action="member 7 is a sex worker",
            previous_hash="0",
            hash="x",
        )


# --- what gets recorded ---------------------------------------------------------------------


def test_login_and_failed_login_are_recorded(client, sex_worker):
    email = sex_worker.user.email
    client.post(reverse("account_login"), {"login": email, "password": "wrong"})
    client.post(reverse("account_login"), {"login": "nobody@example.test", "password": "x"})
    client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    failed = AuditEvent.objects.filter(action="auth.login_failed").order_by("id")
    assert [(e.actor_id, e.target_id) for e in failed] == [(None, sex_worker.user.pk), (None, None)]
    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor_id == sex_worker.user.pk
    # The address typed in is stored nowhere in the log.
    assert not AuditEvent.objects.filter(target_type__icontains="example").exists()


def test_second_factor_changes_are_recorded(
    client, make_member, django_capture_on_commit_callbacks
):
    """Through allauth's own pages: a new coordinator logs in, is sent to set up TOTP,
    sets it up, then switches it off again."""
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    from tests.security.test_mfa import current_code

    member = make_member(groups=("Coordinators",), second_factor=False)
    client.post(reverse("account_login"), {"login": member.user.email, "password": PASSWORD})
    assert client.get(reverse("members:coordinator_queue"))["Location"] == reverse("mfa_index")
    # allauth asks for the password again before any change to the second factors.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    # allauth sends its signal once the activation commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("members:coordinator_queue")).status_code == 200
    assert client.post(reverse("mfa_deactivate_totp")).status_code == 302
    assert [a for a in actions() if a.startswith("mfa.totp")] == [
        "mfa.totp.added",
        "mfa.totp.removed",
    ]


def test_failed_second_factor_is_recorded(client, make_member):
    member = make_member(groups=("Coordinators",))
    client.post(reverse("account_login"), {"login": member.user.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "mfa.totp.failed" in actions()


def test_decisions_and_status_changes_are_recorded_without_values(sex_worker, coordinator):
    change = services.status_change_request(member=sex_worker, to_status="ally", reason="")
    services.status_change_approve(request_id=change.pk, by=coordinator)
    services.membership_state_set(
        member_id=sex_worker.pk, state=MembershipState.SUSPENDED, by=coordinator, reason=""
    )
    requested, approved, suspended = AuditEvent.objects.filter(
        action__in=["status_change.requested", "status_change.approved", "membership.suspended"]
    ).order_by("id")
    assert (requested.actor_id, requested.target_id) == (sex_worker.user.pk, change.pk)
    assert (approved.actor_id, approved.target_type) == (
        coordinator.user.pk,
        "members.statuschangerequest",
    )
    assert (suspended.target_type, suspended.target_id) == ("members.member", sex_worker.pk)


def test_application_decisions_are_recorded(make_member, coordinator):
    applicant = make_member(state=MembershipState.APPLIED)
    services.application_approve(application_id=applicant.application.pk, by=coordinator)
    event = AuditEvent.objects.get(
        action="application.approved", target_id=applicant.application.pk
    )
    assert (event.actor_id, event.target_id) == (coordinator.user.pk, applicant.application.pk)


def test_status_views_are_recorded(client, coordinator, administrator, sex_worker):
    client.force_login(coordinator.user)
    client.get(reverse("members:coordinator_queue"))
    client.force_login(administrator)
    client.get(reverse("admin:members_member_changelist"))
    client.get(reverse("admin:members_member_change", args=[sex_worker.pk]))
    views = AuditEvent.objects.filter(action="status.viewed").order_by("id")
    assert [(e.actor_id, e.target_type, e.target_id) for e in views] == [
        (coordinator.user.pk, "members:coordinator_queue", None),
        (administrator.pk, "admin:members.member.changelist", None),
        (administrator.pk, "members.member", sex_worker.pk),
    ]


def test_member_list_without_status_is_not_a_status_view(client, committee_member):
    # The Steering Committee may list members but not see their status.
    client.force_login(committee_member.user)
    assert client.get(reverse("admin:members_member_changelist")).status_code == 200
    assert not AuditEvent.objects.filter(action="status.viewed").exists()


def test_admin_access_is_recorded_without_the_query_string(client, administrator, sex_worker):
    client.force_login(administrator)
    client.get(reverse("admin:members_member_changelist") + "?status__exact=sex_worker")
    client.get(reverse("admin:members_member_change", args=[sex_worker.pk]))
    accesses = AuditEvent.objects.filter(action="admin.access").order_by("id")
    assert [(e.target_type, e.target_id) for e in accesses] == [
        ("admin:members_member_changelist", None),
        ("admin:members_member_change", sex_worker.pk),
    ]


# --- who reads it ----------------------------------------------------------------------------


def test_only_superusers_read_the_log_and_nobody_edits_it(client, administrator, coordinator):
    event = audit.record("test.kept")
    changelist = reverse("admin:audit_auditevent_changelist")
    change = reverse("admin:audit_auditevent_change", args=[event.pk])

    client.force_login(coordinator.user)  # staff with every membership permission
    assert client.get(changelist).status_code == 403
    assert client.get(change).status_code == 403

    client.force_login(administrator)
    assert client.get(changelist).status_code == 200
    page = client.get(change)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk, action="test.kept").exists()


# --- database-level history of Member (django-pghistory) ------------------------------------------


def test_member_history_catches_bulk_and_raw_writes_without_values(sex_worker):
    Member.objects.filter(pk=sex_worker.pk).update(state=MembershipState.SUSPENDED)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE members_member SET status = 'ally' WHERE id = %s", [sex_worker.pk])
    states = list(sex_worker.state_events.order_by("pgh_id").values_list("pgh_label", "state"))
    assert states[-1] == ("member.state_changed", "suspended")
    status_events = sex_worker.status_change_events.all()
    assert [e.pgh_label for e in status_events] == ["member.status_changed"]
    # The status event table has no column that could hold a status.
    columns = {f.column for f in status_events.model._meta.concrete_fields}
    assert columns == {"pgh_id", "pgh_created_at", "pgh_label", "pgh_obj_id"}


@pytest.mark.parametrize("table", ["members_memberstateevent", "members_memberstatusevent"])
def test_member_history_is_append_only(sex_worker, table):
    Member.objects.filter(pk=sex_worker.pk).update(status="ally")
    for sql in (f"UPDATE {table} SET pgh_label = 'x'", f"DELETE FROM {table}"):
        with (
            pytest.raises(DatabaseError, match=r"member_stat\w+_history_append_only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


def test_concurrent_writers_keep_one_chain(transactional_db):
    """Two threads appending at once still give an unbroken chain (the advisory lock)."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(4)

    def write(n):
        try:
            barrier.wait()
            for i in range(5):
                audit.record(f"test.thread{n}_{i}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AuditEvent.objects.count() == 20
    assert verify_chain() is None
