"""A small organisation built once per test module for the access matrix and the fuzzing
tests: one account per role, victims whose status must never show, motions in each state,
spokesperson assignments, and the ids every URL needs.

`world_fixture` builds it inside a transaction that is rolled back when the module ends;
each test runs inside it (pytest-django's own atomic block nests as a savepoint) and each
request is wrapped in `rolled_back()`, so no cell of the matrix sees another's writes.
"""

import contextlib
import datetime
import itertools
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.utils import timezone

from audit.models import AuditEvent
from elections import services as election_services
from elections.models import Candidacy, Election
from governance import services as governance_services
from governance.models import BallotKind, Electorate, Motion, Seat, SpokespersonAssignment, Topic
from members import services
from members.models import Member, MembershipState, Status, User
from members.roles import COORDINATORS
from tests import agreements
from tests.conftest import MOTION_TEXT, PASSWORD, give_second_factor

ROLES = (
    "anonymous",
    "ally",
    "sex_worker",
    "spokesperson",
    "coordinator",
    "committee",
    "administrator",
)
# Roles without `members.review_status`: they must never see another member's status.
ROLES_WITHOUT_STATUS_REVIEW = ("anonymous", "ally", "sex_worker", "spokesperson", "committee")

# Distinctive pseudonyms: no page text can contain them by chance.
VICTIM_SEX_WORKER = "Zephyrine Quillfeather"
VICTIM_ALLY = "Oddbjorg Vantablack"
VICTIM_APPLICANT = "Ximena Applicantova"
VICTIMS = {
    VICTIM_SEX_WORKER: Status.SEX_WORKER,
    VICTIM_ALLY: Status.ALLY,
    VICTIM_APPLICANT: Status.SEX_WORKER,
}

# Tables whose rows change on every request or login without being anyone's data: the
# sessions, allauth's rate-limit counters (in the database cache), the session list
# allauth keeps, and the audit log (admin access and status views are recorded even when
# the request is refused, as they must be).
VOLATILE_TABLES = frozenset(
    {"django_session", "django_cache", "usersessions_usersession", "audit_auditevent"}
)

_counter = itertools.count(1)


def member_create(
    *,
    status: str = Status.SEX_WORKER,
    state: str = MembershipState.ACTIVE,
    groups: tuple[str, ...] = (),
    pseudonym: str | None = None,
    language: str = "en",
) -> Member:
    """What tests.conftest.make_member does (apply, approve, verify, second factor for
    group members), usable outside a function-scoped fixture."""
    n = next(_counter)
    request = RequestFactory().post("/apply/")
    request.session = {}
    member = services.application_submit(
        request=request,
        email=f"world{n}@example.test",
        password=PASSWORD,
        pseudonym=pseudonym or f"World member {n}",
        country="SE",
        preferred_language=language,
        status=status,
        note="",
    )
    EmailAddress.objects.filter(user=member.user).update(verified=True)
    if state != MembershipState.APPLIED:
        services.application_approve(application_id=member.application.pk, by=None)
    if groups:
        member.user.groups.add(*Group.objects.filter(name__in=groups))
        member.user.is_staff = True
        member.user.save(update_fields=["is_staff"])
        give_second_factor(member.user)
    member.refresh_from_db()
    return member


@dataclass
class World:
    users: dict[str, User | None] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    # One logged-in session per role, made once: a cell reuses it (its own writes to the
    # session are rolled back with everything else).
    session_keys: dict[str, str] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return self.users[role]

    def member(self, role: str) -> Member | None:
        return self.members.get(role)

    def client(self, role: str, language: str | None = None) -> Client:
        """A fresh client with `role`'s session (none for "anonymous")."""
        client = Client()
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if role in self.session_keys:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.session_keys[role]
        return client

    def log_in_every_role(self) -> None:
        for role, user in self.users.items():
            if user is not None:
                client = Client()
                client.force_login(user)
                self.session_keys[role] = client.cookies[settings.SESSION_COOKIE_NAME].value


def _motion(**fields) -> Motion:
    now = timezone.now()
    values = {
        "opens_at": now - datetime.timedelta(minutes=1),
        "closes_at": now + datetime.timedelta(days=1),
    }
    for code, (title, text) in MOTION_TEXT.items():
        values[f"title_{code}"], values[f"text_{code}"] = title, text
    values.update(fields)
    return Motion.objects.create(**values)


def build_world() -> World:
    world = World()
    topic, _ = Topic.objects.get_or_create(slug="media", defaults={"name": "Media"})
    today = timezone.localdate()

    ally = member_create(status=Status.ALLY, pseudonym="Role Friend")
    sex_worker = member_create(pseudonym="Role Worker")
    spokesperson = member_create(pseudonym="Role Spokesperson")
    coordinator = member_create(groups=(COORDINATORS,), pseudonym="Role Coordinator")
    committee = member_create(pseudonym="Role Committee")
    give_second_factor(committee.user)
    seat = governance_services.seat_assign(
        member_id=committee.pk,
        position="member",
        term_start=today.replace(month=1, day=1),
        term_end=today.replace(year=today.year + 1, month=12, day=31),
        by=None,
    )
    administrator = User.objects.create_superuser(email="root@example.test", password=PASSWORD)
    give_second_factor(administrator)

    def propose(member: Member) -> SpokespersonAssignment:
        return governance_services.spokesperson_propose(
            member_id=member.pk,
            topics=[topic],
            countries=["SE"],
            languages=["sv"],
            starts_on=today,
            ends_on=None,
            by=member,
        )

    own_assignment = propose(spokesperson)
    governance_services.spokesperson_approve(assignment_id=own_assignment.pk, by=None)
    give_second_factor(spokesperson.user)

    victim = member_create(pseudonym=VICTIM_SEX_WORKER)
    victim_ally = member_create(status=Status.ALLY, pseudonym=VICTIM_ALLY)
    applicant = member_create(pseudonym=VICTIM_APPLICANT, state=MembershipState.APPLIED)
    status_request = services.status_change_request(
        member=victim, to_status=Status.ALLY, reason="victim's reason"
    )
    # The victim asked to be a spokesperson too: that request waits for a coordinator.
    proposed_assignment = propose(victim)

    # A roll-call motion the victim voted on, closed and published; an open secret one; a
    # committee-only one; a draft.
    published = _motion(ballot_kind=BallotKind.ROLL_CALL)
    agreements.motion_open(motion_id=published.pk, by=None)
    governance_services.ballot_cast(motion_id=published.pk, voter=victim, choice="yes")
    governance_services.ballot_cast(motion_id=published.pk, voter=sex_worker, choice="no")
    agreements.motion_close(motion_id=published.pk, by=None)
    agreements.motion_publish(motion_id=published.pk, by=None)
    open_motion = _motion()
    agreements.motion_open(motion_id=open_motion.pk, by=None)
    committee_motion = _motion(electorate=Electorate.STEERING_COMMITTEE)
    agreements.motion_open(motion_id=committee_motion.pk, by=None)
    draft = _motion()
    # The committee proposed seating a member; it waits for a coordinator.
    seat_act = governance_services.act_propose(
        kind="seat_assign",
        member_id=sex_worker.pk,
        position="member",
        term_start=today,
        term_end=today.replace(year=today.year + 1),
        by=committee,
        reason="Co-opted",
    )
    # The committee proposed opening another draft; it waits for a second member.
    pending_act = governance_services.act_propose(
        kind="motion_open", motion_id=_motion().pk, by=committee, reason="Agreed"
    )

    # Elections: a proposal, one taking nominations and one open for voting; the victim
    # stands in both (a candidate's pseudonym is public to members, never a status label).
    def election(title: str, *, confirm: bool = True) -> Election:
        now = timezone.now()
        proposed = election_services.election_propose(
            by=committee,
            title=title,
            seats=1,
            term_start=today,
            term_end=today + datetime.timedelta(days=365),
            nominations_open_at=now - datetime.timedelta(hours=1),
            nominations_close_at=now + datetime.timedelta(days=1),
            opens_at=now + datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=2),
        )
        if not confirm:
            return proposed
        election_services.election_confirm(election_id=proposed.pk, by=coordinator)
        election_services.candidacy_nominate(
            election_id=proposed.pk, member_id=victim.pk, by=victim, statement="Victim's plan"
        )
        return proposed

    proposed_election = election("Proposed election", confirm=False)
    nominating_election = election("Nominating election")
    voting_election = election("Voting election")
    now = timezone.now()
    Election.objects.filter(pk=voting_election.pk).update(
        nominations_open_at=now - datetime.timedelta(hours=2),
        nominations_close_at=now - datetime.timedelta(seconds=1),
        opens_at=now - datetime.timedelta(seconds=1),
    )
    election_services.voting_open(election_id=voting_election.pk)
    voting_candidacy = Candidacy.objects.get(election=voting_election)

    session = UserSession.objects.create(
        user=victim.user, ip="127.0.0.1", session_key="victimsessionkey0000000000000000"
    )

    world.users = {
        "anonymous": None,
        "ally": ally.user,
        "sex_worker": sex_worker.user,
        "spokesperson": spokesperson.user,
        "coordinator": coordinator.user,
        "committee": committee.user,
        "administrator": administrator,
    }
    world.members = {
        "ally": ally,
        "sex_worker": sex_worker,
        "spokesperson": spokesperson,
        "coordinator": coordinator,
        "committee": committee,
        "victim": victim,
        "victim_ally": victim_ally,
        "applicant": applicant,
    }
    world.ids = {
        "application": applicant.application.pk,
        "decided_application": victim.application.pk,
        "status_request": status_request.pk,
        "proposed_assignment": proposed_assignment.pk,
        "own_assignment": own_assignment.pk,
        "open_motion": open_motion.pk,
        "published_motion": published.pk,
        "committee_motion": committee_motion.pk,
        "draft_motion": draft.pk,
        "missing": 987654321,
        "proposed_election": proposed_election.pk,
        "nominating_election": nominating_election.pk,
        "voting_election": voting_election.pk,
        "voting_candidacy": voting_candidacy.pk,
        "elections.election": nominating_election.pk,
        # Admin objects: the victim's rows wherever there is one.
        "members.user": victim.user.pk,
        "members.member": victim.pk,
        "members.membershipapplication": applicant.application.pk,
        "members.statuschangerequest": status_request.pk,
        "governance.seat": seat.pk,
        "governance.spokespersonassignment": proposed_assignment.pk,
        "governance.topic": topic.pk,
        "governance.seatevent": Seat.pgh_event_model.objects.order_by("pk").first().pk,
        "governance.spokespersonassignmentevent": (
            SpokespersonAssignment.pgh_event_model.objects.order_by("pk").first().pk
        ),
        "governance.motion": draft.pk,
        "governance.pendingact": pending_act.pk,
        "seat_act": seat_act.pk,
        "audit.auditevent": AuditEvent.objects.order_by("pk").first().pk,
        "auth.group": Group.objects.get(name=COORDINATORS).pk,
        "account.emailaddress": EmailAddress.objects.get(user=victim.user).pk,
        "mfa.authenticator": Authenticator.objects.filter(user=committee.user).first().pk,
        "usersessions.usersession": session.pk,
    }
    world.log_in_every_role()
    return world


@contextlib.contextmanager
def rolled_back():
    """Run the block in a savepoint that is always rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def world_fixture(django_db_setup, django_db_blocker):
    """Module-scoped: build the world in a transaction that is never committed."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def database_digest(exclude: frozenset[str] = VOLATILE_TABLES) -> dict[str, str]:
    """One md5 per table over all its rows: compare two digests to see what changed."""
    tables = sorted(
        t for t in connection.introspection.table_names() if t not in exclude and t.isidentifier()
    )
    sql = " UNION ALL ".join(
        # Table names come from the database's own catalogue.
        f"SELECT '{t}', md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), ''))"  # noqa: S608
        f" FROM {t} r"
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def write_counts(exclude: frozenset[str] = VOLATILE_TABLES) -> dict[str, int]:
    """Rows inserted, updated or deleted so far in this transaction, per table: cheap,
    and it only grows, so a difference shows that a request wrote (or tried to write)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
        )
        return {table: n for table, n in cursor.fetchall() if table not in exclude}


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
