"""Members' data rights: the export of everything held about a member, and erasure.

The erasure tests build a member who has left traces everywhere (application, status
change, seat, spokesperson assignment, rolls, a secret and a roll-call ballot, sessions,
a second factor, audit events, admin history), erase them, and then scan every table of
the database, row by row as text, for anything that could lead back to the person.
"""

import datetime
import json
import types

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import verify_chain
from governance import services as governance_services
from governance.models import (
    BallotBox,
    Motion,
    RollEntry,
    SealedBallot,
    Seat,
    SpokespersonAssignment,
    Voter,
    counted_ballots,
)
from members import hooks, services
from members.data_rights import member_erase, personal_data_export
from members.models import (
    Member,
    MembershipState,
    MemberStateEvent,
    Status,
    StatusChangeRequest,
    User,
)
from tests import agreements
from tests.conftest import PASSWORD, give_second_factor

# Distinctive values, so that finding one anywhere in the database can only mean a trace
# of this person.
EMAIL = "quill.erase-target@example.test"
PSEUDONYM = "Zephyrine Quillfeather"
NOTE = "Note-8c41: I organise in Reykjavik harbour"
REQUEST_REASON = "Reason-2b7e: my work changed this spring"
REQUEST_DECISION = "Decision-5d90: please talk to us first"
SEAT_REASON = "Seat-4f1a: stepping down for a while"
ASSIGNMENT_REASON = "Assign-9e3c: approved for the media work"
TRACES = [EMAIL, PSEUDONYM, NOTE, REQUEST_REASON, REQUEST_DECISION, SEAT_REASON, ASSIGNMENT_REASON]


def apply_and_approve(*, email: str, pseudonym: str, note: str, coordinator) -> Member:
    request = RequestFactory().post("/apply/")
    request.session = {}
    member = services.application_submit(
        request=request,
        email=email,
        password=PASSWORD,
        pseudonym=pseudonym,
        country="IS",
        preferred_language="is",
        status=Status.SEX_WORKER,
        note=note,
    )
    EmailAddress.objects.filter(user=member.user).update(verified=True)
    services.application_approve(application_id=member.application.pk, by=coordinator)
    member.refresh_from_db()
    return member


def log_in_with_form(user) -> Client:
    """Log in through allauth's form, as a person does, so the session is tracked."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def reauthenticate(client: Client, response) -> object:
    """Follow the re-authentication redirect a protected view answered with, give the
    password, and return what allauth answers (the suspended request, replayed)."""
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    return client.post(response["Location"], {"password": PASSWORD})


def user_tables() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
            " ORDER BY 1, 2"
        )
        return cursor.fetchall()


def _qualified(schema: str, table: str) -> str:
    return f"{connection.ops.quote_name(schema)}.{connection.ops.quote_name(table)}"


def tables_containing(needle: str) -> list[str]:
    """Every table with a row whose text (all its columns, JSON and arrays included)
    contains `needle`, ignoring case."""
    found = []
    with connection.cursor() as cursor:
        for schema, table in user_tables():
            cursor.execute(
                f"SELECT 1 FROM {_qualified(schema, table)} AS r"  # noqa: S608
                " WHERE strpos(lower(r::text), lower(%s)) > 0 LIMIT 1",
                [needle],
            )
            if cursor.fetchone():
                found.append(table)
    return found


def database_snapshot() -> dict[str, list[str]]:
    """Every row of every table, as text."""
    snapshot = {}
    with connection.cursor() as cursor:
        for schema, table in user_tables():
            cursor.execute(f"SELECT r::text FROM {_qualified(schema, table)} AS r")  # noqa: S608
            snapshot[table] = sorted(row[0] for row in cursor.fetchall())
    return snapshot


def voting_record() -> dict:
    """Everything a result, a roll or a receipt check depends on."""
    return {
        "motions": list(
            Motion.objects.order_by("pk").values_list(
                "pk", "state", "box_id", "yes_count", "no_count", "abstain_count", "outcome"
            )
        ),
        "boxes": list(
            BallotBox.objects.order_by("pk").values_list(
                "pk", "state", "roll_size", "roll_digest", "roll_salt_sha256"
            )
        ),
        "roll": sorted(RollEntry.objects.values_list("box_id", "member_id")),
        "voters": sorted(Voter.objects.values_list("box_id", "member_id")),
        "sealed": sorted(
            (str(pk), bytes(s)) for pk, s in SealedBallot.objects.values_list("pk", "sealed")
        ),
        "counted": sorted(
            (box, ballot.receipt_hash, ballot.content, ballot.voter_id)
            for box in BallotBox.objects.values_list("pk", flat=True)
            for ballot in counted_ballots(box)
        ),
    }


@pytest.fixture
def traced(coordinator, make_member, make_motion, seat_member, propose_spokesperson, administrator):
    """A member who has done everything the application records, and another member who
    votes beside them."""
    member = apply_and_approve(email=EMAIL, pseudonym=PSEUDONYM, note=NOTE, coordinator=coordinator)
    other = make_member(pseudonym="Other Voter")
    client = log_in_with_form(member.user)
    # A failed login against their address: an audit event targeting them.
    Client().post(reverse("account_login"), {"login": EMAIL, "password": "wrong-password-1"})

    change = services.status_change_request(
        member=member, to_status=Status.ALLY, reason=REQUEST_REASON
    )
    services.status_change_reject(request_id=change.pk, by=coordinator, reason=REQUEST_DECISION)

    seat = seat_member(member)  # also gives them a TOTP second factor
    governance_services.seat_end(seat_id=seat.pk, by=None, reason=SEAT_REASON)
    assignment = propose_spokesperson(member)
    governance_services.spokesperson_approve(
        assignment_id=assignment.pk, by=coordinator, reason=ASSIGNMENT_REASON
    )

    closed_secret = make_motion(ballot_kind="secret")
    open_roll_call = make_motion(ballot_kind="roll_call")
    open_secret = make_motion(ballot_kind="secret")
    secret_receipt = governance_services.ballot_cast(
        motion_id=closed_secret.pk, voter=member, choice="yes"
    )
    governance_services.ballot_cast(motion_id=closed_secret.pk, voter=other, choice="no")
    agreements.motion_close(motion_id=closed_secret.pk)
    governance_services.ballot_cast(motion_id=open_roll_call.pk, voter=member, choice="no")
    governance_services.ballot_cast(motion_id=open_roll_call.pk, voter=other, choice="yes")
    governance_services.ballot_cast(motion_id=open_secret.pk, voter=other, choice="abstain")

    # What the admin writes when someone edits the member there: it names them.
    LogEntry.objects.log_actions(
        user_id=administrator.pk,
        queryset=[member, member.user],
        action_flag=CHANGE,
        change_message=[{"changed": {"fields": ["pseudonym"]}}],
    )
    member.refresh_from_db()
    return types.SimpleNamespace(
        member=member,
        other=other,
        client=client,
        seat=seat,
        assignment=assignment,
        closed_secret=closed_secret,
        open_roll_call=open_roll_call,
        open_secret=open_secret,
        secret_receipt=secret_receipt,
    )


# --- Export ---------------------------------------------------------------------------


def test_export_holds_the_members_own_data(traced):
    data = personal_data_export(member=traced.member)

    assert data["account"]["email"] == EMAIL
    assert data["member"] == data["member"] | {
        "pseudonym": PSEUDONYM,
        "country": "IS",
        "preferred_language": "is",
        "status": Status.SEX_WORKER,
        "membership_state": MembershipState.ACTIVE,
    }
    assert data["application"]["note"] == NOTE
    assert data["application"]["decision"] == "approved"
    [request] = data["status_change_requests"]
    assert (request["to_status"], request["reason"]) == (Status.ALLY, REQUEST_REASON)
    assert request["decision_reason"] == REQUEST_DECISION
    [seat] = data["steering_committee_seats"]
    assert seat["end_reason"] == SEAT_REASON
    [assignment] = data["spokesperson_assignments"]
    assert (assignment["state"], assignment["decision_reason"]) == ("approved", ASSIGNMENT_REASON)
    assert [m["event"] for m in data["membership_history"]][:2] == [
        "member.created",
        "member.state_changed",
    ]
    assert {s["user_agent"] is not None for s in data["sessions"]} == {True}
    assert [f["type"] for f in data["second_factors"]] == ["totp"]
    assert "data" not in data["second_factors"][0]
    actions = {event["action"] for event in data["audit_events"]}
    assert {
        "auth.login",
        "auth.login_failed",
        "application.approved",
        "status_change.requested",
        "status_change.rejected",
        "seat.assigned",
        "seat.ended",
        "spokesperson.approved",
    } <= actions

    motions = {m["motion"]: m for m in data["motions_on_your_roll"]}
    assert motions[traced.closed_secret.pk]["voted"] is True
    assert motions[traced.open_secret.pk]["voted"] is False
    # A roll-call choice is the member's own and public to members anyway, once counted:
    # until the close it is sealed like any other.
    assert motions[traced.open_roll_call.pk]["voted"] is True
    assert motions[traced.open_roll_call.pk]["choice"] is None
    # A secret choice cannot be known, so nothing in the export says it.
    assert "choice" not in motions[traced.closed_secret.pk]
    assert "choice" not in motions[traced.open_secret.pk]


def test_export_never_holds_a_secret_choice_or_anyone_elses_data(traced, coordinator):
    text = json.dumps(personal_data_export(member=traced.member))

    secret = [
        ballot
        for box in BallotBox.objects.filter(secret=True).values_list("pk", flat=True)
        for ballot in counted_ballots(box)
    ]
    assert secret
    for ballot in secret:
        assert ballot.receipt_hash.hex() not in text
    assert traced.secret_receipt not in text
    assert '"yes"' not in text  # their secret choice; their roll-call choice was "no"
    for someone in (traced.other, coordinator):
        assert someone.pseudonym not in text
        assert someone.user.email not in text
    # Their approver decided their application: the export says when, never who.
    assert coordinator.pseudonym not in text


def test_export_needs_a_fresh_reauthentication(traced):
    client = traced.client
    response = client.post(reverse("members:data_export"))
    assert response.status_code == 302
    assert "attachment" not in response.get("Content-Disposition", "")

    response = reauthenticate(client, response)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content)["member"]["pseudonym"] == PSEUDONYM
    assert AuditEvent.objects.filter(action="member.data_exported").count() == 1


def test_export_is_a_post_and_is_never_logged(traced, caplog):
    client = traced.client
    assert client.get(reverse("members:data_export")).status_code == 405
    caplog.set_level("DEBUG")

    response = reauthenticate(client, client.get(reverse("members:data_rights")))
    assert response.status_code == 302  # back to the data page, now open
    assert client.get(reverse("members:data_rights")).status_code == 200
    response = client.post(reverse("members:data_export"))

    assert response.status_code == 200
    assert PSEUDONYM in response.content.decode()
    for trace in TRACES:
        assert trace not in caplog.text


def test_data_page_is_linked_from_the_profile(sex_worker, login):
    page = login(sex_worker).get(reverse("members:profile")).content.decode()
    assert reverse("members:data_rights") in page


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for name in ("members:data_rights", "members:leave"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("members:data_export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Erasure --------------------------------------------------------------------------


def test_erasure_leaves_no_trace_and_keeps_every_count(traced):
    member, user_id = traced.member, traced.member.user_id
    # The scan works: before erasure it finds each trace.
    for trace in TRACES:
        assert tables_containing(trace), trace
    assert UserSession.objects.filter(user_id=user_id).exists()
    assert Authenticator.objects.filter(user_id=user_id).exists()
    votes_before = voting_record()
    audit_before = list(AuditEvent.objects.order_by("id").values_list("id", "hash"))

    member_erase(member_id=member.pk, requested_by=member.user)

    leftovers = {trace: tables_containing(trace) for trace in TRACES}
    assert leftovers == dict.fromkeys(TRACES, [])
    # Results, rolls, digests, voters and every ballot exactly as they were.
    assert voting_record() == votes_before
    for box in BallotBox.objects.all():
        assert box.roll_size == RollEntry.objects.filter(box=box).count()
    closed = Motion.objects.select_related("box").get(pk=traced.closed_secret.pk)
    assert governance_services.receipt_is_counted(motion=closed, code=traced.secret_receipt)
    # The audit log is whole and verifies; the erasure is on it.
    assert (
        list(AuditEvent.objects.order_by("id").values_list("id", "hash"))[: len(audit_before)]
        == audit_before
    )
    assert verify_chain() is None
    assert AuditEvent.objects.filter(
        action="member.erased", target_type="members.member", target_id=member.pk
    ).exists()

    tombstone = Member.objects.select_related("user").get(pk=member.pk)
    assert tombstone.state == MembershipState.ERASED
    assert (tombstone.pseudonym, tombstone.status, tombstone.country) == ("", "", "")
    assert tombstone.preferred_language == "en"
    assert str(tombstone) == "Former member"
    user = tombstone.user
    assert user.email.endswith("@erased.invalid")
    assert not user.has_usable_password()
    assert not (user.is_active or user.is_staff or user.is_superuser)
    assert user.last_login is None
    assert not user.groups.exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not UserSession.objects.filter(user=user).exists()
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    assert not StatusChangeRequest.objects.filter(member=tombstone).exists()
    assert not hasattr(Member.objects.get(pk=member.pk), "application")
    assert not MemberStateEvent.objects.filter(pgh_obj=tombstone).exists()
    # Roles ended first; the committee's record keeps the seat and the assignment.
    assert Seat.objects.get(pk=traced.seat.pk).end_reason == ""
    assignment = SpokespersonAssignment.objects.get(pk=traced.assignment.pk)
    assert assignment.state == "ended"
    assert (assignment.decision_reason, assignment.close_reason) == ("", "")
    # The person they voted beside is untouched.
    traced.other.refresh_from_db()
    assert traced.other.pseudonym == "Other Voter"
    assert traced.other.state == MembershipState.ACTIVE


def test_erased_member_cannot_log_in_and_shows_as_former_member(traced, make_member, login):
    member_erase(member_id=traced.member.pk, requested_by=traced.member.user)
    agreements.motion_close(motion_id=traced.open_roll_call.pk)
    agreements.motion_publish(motion_id=traced.open_roll_call.pk, by=None)

    response = Client().post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
    assert "_auth_user_id" not in response.client.session
    # Their old browser session is gone too.
    assert traced.client.get(reverse("members:dashboard")).status_code == 302

    page = login(make_member()).get(
        reverse("governance:motion_detail", args=[traced.open_roll_call.pk])
    )
    assert "Former member" in page.content.decode()
    assert PSEUDONYM not in page.content.decode()


def test_erasing_twice_is_harmless(traced):
    member_erase(member_id=traced.member.pk, requested_by=traced.member.user)
    before = database_snapshot()

    again = member_erase(member_id=traced.member.pk, requested_by=traced.member.user)

    assert again.state == MembershipState.ERASED
    assert database_snapshot() == before


def assert_refused_and_unchanged(*, member_id: int, requested_by, code: str) -> None:
    """The erasure is refused with `code`, and not one row of the database changed."""
    before = database_snapshot()
    with pytest.raises(ValidationError) as refusal:
        member_erase(member_id=member_id, requested_by=requested_by)
    assert refusal.value.code == code
    assert database_snapshot() == before


def test_an_administrator_account_is_refused_and_nothing_changes(traced):
    User.objects.filter(pk=traced.member.user_id).update(is_superuser=True)
    assert_refused_and_unchanged(
        member_id=traced.member.pk,
        requested_by=traced.member.user,
        code="administrator_account",
    )


def test_a_refusal_by_the_database_rolls_everything_back(traced, monkeypatch):
    # Without governance's rights-lost handler the seat cannot end, and the database's
    # role guard refuses to let the member go: the whole erasure must roll back.
    today = timezone.localdate()
    governance_services.seat_assign(
        member_id=traced.member.pk,
        position="treasurer",
        term_start=today,
        term_end=today + datetime.timedelta(days=365),
        by=None,
    )
    monkeypatch.setattr(hooks, "_rights_lost_handlers", [])
    assert_refused_and_unchanged(
        member_id=traced.member.pk, requested_by=traced.member.user, code="not_erasable"
    )


def test_only_the_member_or_an_administrator_may_erase(traced, coordinator):
    for requester in (coordinator.user, traced.other.user, None):
        assert_refused_and_unchanged(
            member_id=traced.member.pk, requested_by=requester, code="not_allowed"
        )
    assert_refused_and_unchanged(member_id=0, requested_by=coordinator.user, code="unknown_member")


def test_the_database_keeps_an_erased_member_empty(traced):
    member_erase(member_id=traced.member.pk, requested_by=traced.member.user)
    erased = Member.objects.filter(pk=traced.member.pk)
    for change in ({"pseudonym": "Back again"}, {"status": Status.ALLY}, {"country": "SE"}):
        with (
            pytest.raises(IntegrityError, match="member_erased_keeps_no_personal_data"),
            transaction.atomic(),
        ):
            erased.update(**change)
    # Only an erased member may be without a status or country.
    for blank, constraint in (
        ("status", "member_status_is_known"),
        ("country", "member_country_is_known"),
    ):
        with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
            Member.objects.filter(pk=traced.other.pk).update(**{blank: ""})


def test_history_stays_append_only_outside_the_erasure(traced):
    member_erase(member_id=traced.member.pk, requested_by=traced.member.user)
    with pytest.raises(Exception, match="member_state_history_append_only"), transaction.atomic():
        MemberStateEvent.objects.filter(pgh_obj=traced.other).delete()
    with pytest.raises(Exception, match="permission denied"), transaction.atomic():
        AuditEvent.objects.filter(target_id=traced.member.pk).delete()


# --- The member's own pages -------------------------------------------------------------


def test_leaving_needs_reauthentication_and_a_confirmation(make_member):
    member = make_member(pseudonym=PSEUDONYM)
    client = log_in_with_form(member.user)

    response = reauthenticate(client, client.get(reverse("members:leave")))
    assert response.status_code == 302
    assert client.get(reverse("members:leave")).status_code == 200

    response = client.post(reverse("members:leave"), {})
    assert response.status_code == 200
    assert "aria-invalid" in response.content.decode()
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE

    response = client.post(reverse("members:leave"), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("members:left")
    member.refresh_from_db()
    assert member.state == MembershipState.ERASED
    assert client.get(reverse("members:dashboard")).status_code == 302
    assert client.get(reverse("members:left")).status_code == 200


def test_leaving_without_a_fresh_reauthentication_erases_nothing(make_member):
    member = make_member()
    client = log_in_with_form(member.user)

    response = client.post(reverse("members:leave"), {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE


def test_a_refused_erasure_is_shown_not_crashed(make_member):
    member = make_member()
    User.objects.filter(pk=member.user_id).update(is_superuser=True)
    give_second_factor(member.user)
    client = Client()
    client.force_login(member.user)
    reauthenticate(client, client.get(reverse("members:leave")))

    response = client.post(reverse("members:leave"), {"confirm": "on"})

    assert response.status_code == 200
    assert "administrator" in response.content.decode()
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE


# --- The admin --------------------------------------------------------------------------


def _erase_action(client: Client, member: Member, **extra):
    return client.post(
        reverse("admin:members_member_changelist"),
        {"action": "erase_personal_data", "_selected_action": [member.pk], **extra},
    )


def test_admin_erasure_is_for_superusers_and_asks_first(traced, administrator, coordinator):
    coordinator_client = Client()
    coordinator_client.force_login(coordinator.user)
    _erase_action(coordinator_client, traced.member, confirmed="yes")
    traced.member.refresh_from_db()
    assert traced.member.state == MembershipState.ACTIVE
    changelist = coordinator_client.get(reverse("admin:members_member_changelist"))
    assert "erase_personal_data" not in changelist.content.decode()

    admin_client = Client()
    admin_client.force_login(administrator)
    page = _erase_action(admin_client, traced.member)
    assert page.status_code == 200
    assert PSEUDONYM in page.content.decode()
    traced.member.refresh_from_db()
    assert traced.member.state == MembershipState.ACTIVE

    response = _erase_action(admin_client, traced.member, confirmed="yes")

    assert response.status_code == 302
    traced.member.refresh_from_db()
    assert traced.member.state == MembershipState.ERASED
    assert tables_containing(PSEUDONYM) == []
    assert AuditEvent.objects.get(action="member.erased").actor_id == administrator.pk
    # The tombstone is read-only in the admin.
    change = admin_client.get(reverse("admin:members_member_change", args=[traced.member.pk]))
    assert change.status_code == 200
    assert 'name="pseudonym"' not in change.content.decode()


def test_export_as_a_table_holds_the_same_data(traced):
    """The CSV export: one row per value of the JSON export, the same values; a value a
    spreadsheet would run as a formula is written as text."""
    import csv
    import io

    from members.data_rights_views import _as_csv

    client = traced.client
    reauthenticate(client, client.get(reverse("members:data_rights")))
    as_json = json.loads(client.post(reverse("members:data_export")).content)
    response = client.post(reverse("members:data_export"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    rows = dict(csv.reader(io.StringIO(response.content.decode())))
    assert rows["member.pseudonym"] == PSEUDONYM == as_json["member"]["pseudonym"]
    assert rows["account.email"] == EMAIL
    assert rows["account.email_addresses.1.email"] == EMAIL
    assert "'=SUM(1)" in _as_csv({"note": "=SUM(1)"})
