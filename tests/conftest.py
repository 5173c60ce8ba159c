"""Shared fixtures. Members are made through the services, as in real use, so fixtures
cannot create states that the application itself could never reach."""

import itertools

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.test import RequestFactory

from members import services
from members.models import Member, MembershipState, Status
from members.roles import COORDINATORS
from tests import agreements

PASSWORD = "correct-horse-battery-9"
_counter = itertools.count(1)


def give_second_factor(user) -> str:
    """Activate a TOTP authenticator for `user` (as allauth's setup page does) and return
    its secret. Staff, coordinators and committee members cannot reach their pages
    without one (rosealliance.mfa_enforcement)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb):
    """pytest-django's, with the roles of tests/database.py: the test database is created,
    migrated and dropped by the owner; the tests run as the application's role."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    from core.database_roles import as_owner

    from . import database

    database.roles_prepare()
    with django_db_blocker.unblock():
        if not django_db_keepdb:
            database.leftover_test_database_drop(
                connections["default"].creation._get_test_db_name()
            )
        with as_owner():
            db_cfg = setup_databases(
                verbosity=request.config.option.verbose,
                interactive=False,
                keepdb=django_db_keepdb,
            )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock(), as_owner():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture(autouse=True, scope="session")
def _flush_as_superuser(django_db_setup):
    """Transactional tests empty every table with TRUNCATE afterwards. The application's
    role may not truncate, and the audit log's guard refuses TRUNCATE to everyone (as it
    must in production): the teardown alone runs as a superuser with triggers off
    (`session_replication_role = replica`)."""
    from django.db import connections
    from django.test import TransactionTestCase

    from core.database_roles import connected_as

    from . import database

    original = TransactionTestCase._fixture_teardown
    options = dict(connections["default"].settings_dict.get("OPTIONS") or {})
    options["options"] = "-c session_replication_role=replica"

    def teardown(self):
        with connected_as({**database.superuser(), "OPTIONS": options}):
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
def seat_member():
    """seat_member(member, position="member") seats a member through the service."""
    from django.utils import timezone

    from governance import services as governance_services

    def do_seat(member: Member, position: str = "member"):
        today = timezone.localdate()
        # A seat makes them staff, and staff must have a second factor.
        give_second_factor(member.user)
        return governance_services.seat_assign(
            member_id=member.pk,
            position=position,
            term_start=today.replace(month=1, day=1),
            term_end=today.replace(year=today.year + 1, month=12, day=31),
            by=None,
        )

    return do_seat


@pytest.fixture
def committee_member(make_member, seat_member):
    member = make_member(status=Status.SEX_WORKER, pseudonym="Committee")
    seat_member(member)
    member.refresh_from_db()
    return member


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


@pytest.fixture
def propose_spokesperson():
    """propose_spokesperson(member, by=member) asks for a spokesperson assignment through
    the service, with one topic, Sweden and Swedish, starting today."""
    from django.utils import timezone

    from governance import services as governance_services
    from governance.models import Topic

    def propose(member: Member, by: Member | None = None):
        topic, _ = Topic.objects.get_or_create(slug="media", defaults={"name": "Media"})
        return governance_services.spokesperson_propose(
            member_id=member.pk,
            topics=[topic],
            countries=["SE"],
            languages=["sv"],
            starts_on=timezone.localdate(),
            ends_on=None,
            by=by or member,
        )

    return propose


MOTION_TEXT = {
    "en": ("Support the campaign", "The network supports the campaign."),
    "sv": ("Stöd kampanjen", "Nätverket stöder kampanjen."),
    "nb": ("Støtt kampanjen", "Nettverket støtter kampanjen."),
    "fi": ("Tue kampanjaa", "Verkosto tukee kampanjaa."),
    "is": ("Styðjum herferðina", "Netið styður herferðina."),
}


@pytest.fixture
def make_motion(db):
    """make_motion(open=True, **fields) -> Motion: a draft in all five languages, voting
    from a minute ago for an hour; opened through the service unless open=False."""
    import datetime

    from django.utils import timezone

    from governance.models import Motion

    def factory(*, open: bool = True, languages=tuple(MOTION_TEXT), **fields):
        now = timezone.now()
        values = {
            "opens_at": now - datetime.timedelta(minutes=1),
            "closes_at": now + datetime.timedelta(hours=1),
        }
        for code in languages:
            values[f"title_{code}"], values[f"text_{code}"] = MOTION_TEXT[code]
        values.update(fields)
        motion = Motion.objects.create(**values)
        if open:
            motion = agreements.motion_open(motion_id=motion.pk, by=None)
        return motion

    return factory
