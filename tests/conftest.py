"""Shared fixtures. Members are made through the services, as in real use, so fixtures
cannot create states that the application itself could never reach."""

import itertools

import pgtrigger
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.test import RequestFactory

from members import services
from members.models import Member, MembershipState, Status
from members.roles import COORDINATORS, STEERING_COMMITTEE

PASSWORD = "correct-horse-battery-9"
_counter = itertools.count(1)


def give_second_factor(user) -> str:
    """Activate a TOTP authenticator for `user` (as allauth's setup page does) and return
    its secret. Staff, coordinators and committee members cannot reach their pages
    without one (rosealliance.mfa_enforcement)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture(autouse=True, scope="session")
def _flush_despite_audit_truncate_guard():
    """Transactional tests empty every table with TRUNCATE afterwards; the audit log's
    trigger refuses TRUNCATE (as it must in production), so the test teardown alone is
    let through."""
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown

    def teardown(self):
        with pgtrigger.ignore("audit.AuditEvent:audit_event_no_truncate"):
            original(self)

    TransactionTestCase._fixture_teardown = teardown
    yield
    TransactionTestCase._fixture_teardown = original


@pytest.fixture
def make_member(db):
    """make_member(status=..., state=..., groups=[...]) -> Member, created by applying and
    being approved by a coordinator, with a verified e-mail address. Members of a group
    get a TOTP second factor unless `second_factor=False`."""

    def factory(
        *,
        status: str = Status.SEX_WORKER,
        state: str = MembershipState.ACTIVE,
        groups: tuple[str, ...] = (),
        pseudonym: str | None = None,
        language: str = "en",
        country: str = "SE",
        second_factor: bool | None = None,
    ) -> Member:
        n = next(_counter)
        request = RequestFactory().post("/apply/")
        request.session = {}
        member = services.application_submit(
            request=request,
            email=f"member{n}@example.test",
            password=PASSWORD,
            pseudonym=pseudonym or f"Member {n}",
            country=country,
            preferred_language=language,
            status=status,
            note="",
        )
        EmailAddress.objects.filter(user=member.user).update(verified=True)
        if state != MembershipState.APPLIED:
            services.application_approve(application_id=member.application.pk, by=None)
        if state not in (MembershipState.APPLIED, MembershipState.ACTIVE):
            services.membership_state_set(
                member_id=member.pk, state=state, by=None, reason="fixture"
            )
        if groups:
            member.user.groups.add(*Group.objects.filter(name__in=groups))
            member.user.is_staff = True
            member.user.save(update_fields=["is_staff"])
        if second_factor if second_factor is not None else bool(groups):
            give_second_factor(member.user)
        member.refresh_from_db()
        return member

    return factory


@pytest.fixture
def sex_worker(make_member):
    return make_member(status=Status.SEX_WORKER, pseudonym="Worker")


@pytest.fixture
def ally(make_member):
    return make_member(status=Status.ALLY, pseudonym="Friend")


@pytest.fixture
def coordinator(make_member):
    return make_member(status=Status.SEX_WORKER, groups=(COORDINATORS,), pseudonym="Coord")


@pytest.fixture
def committee_member(make_member):
    return make_member(
        status=Status.SEX_WORKER, groups=(STEERING_COMMITTEE,), pseudonym="Committee"
    )


@pytest.fixture
def administrator(db):
    from members.models import User

    user = User.objects.create_superuser(email="admin@example.test", password=PASSWORD)
    give_second_factor(user)
    return user


@pytest.fixture
def login(client):
    """login(member_or_user) logs the test client in and returns it."""

    def do_login(who):
        user = getattr(who, "user", who)
        client.force_login(user)
        return client

    return do_login
