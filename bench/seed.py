"""Seeding the benchmark's own database, fast but valid for the application.

Members are written with set-based SQL (INSERT ... SELECT generate_series), the same rows
the application's approval leaves behind: a User with ONE precomputed password hash (the
production hasher, computed once and reused), a verified primary EmailAddress, an active
Member, an approved MembershipApplication. Motions are opened through
`governance.services.motion_open` (after `tests.agreements` records the committee's
two-person agreement the database asks for), so their electoral rolls are real. Sessions
are written directly with Django's session store (what a login leaves in `django_session`),
so the benchmark need not log 2,000 members in.
"""

import datetime
import secrets

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone

from governance import services as governance_services
from governance.models import Motion
from members.models import Member, Status, User
from tests import agreements

BENCH_PASSWORD = "bench-password-not-secret-2026"
EMAIL_DOMAIN = "bench.invalid"
# One in ten members is an ally, the rest sex workers (voting members).
ALLY_EVERY = 10
BACKEND = "rosealliance.auth_backends.AuthenticationBackend"

_password_hash: str | None = None


def password_hash() -> str:
    global _password_hash
    if _password_hash is None:
        _password_hash = make_password(BENCH_PASSWORD)
    return _password_hash


def member_count() -> int:
    return Member.objects.filter(user__email__endswith="@" + EMAIL_DOMAIN).count()


def members_up_to(total: int) -> None:
    """Add members numbered (current + 1) .. total; member n is an ally when n % 10 == 0.
    In transactions of 10,000: the history triggers (pgtrigger's ignore check) open a
    subtransaction per row, and one transaction of 100,000 of them slows to minutes."""
    while (first := member_count() + 1) <= total:
        _members_between(first, min(total, first + 9_999))


def _members_between(first: int, total: int) -> None:
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        # The new rows are told apart by id (above the largest before), not by anti-joins,
        # whose plans go quadratic on statistics that predate the insert.
        cursor.execute("SELECT coalesce(max(id), 0) FROM members_user")
        last_user = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM members_member")
        last_member = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO members_user (password, is_superuser, email, is_staff, is_active,"
            " date_joined)"
            " SELECT %s, false, 'member' || g || '@' || %s, false, true, %s"
            " FROM generate_series(%s, %s) g ORDER BY g",
            [password_hash(), EMAIL_DOMAIN, now, first, total],
        )
        cursor.execute(
            'INSERT INTO account_emailaddress (user_id, email, verified, "primary")'
            " SELECT id, email, true, true FROM members_user WHERE id > %s",
            [last_user],
        )
        cursor.execute(
            "INSERT INTO members_member (pseudonym, country, preferred_language, status, state,"
            " applied_at, approved_at, state_changed_at, state_reason, user_id)"
            " SELECT 'Member ' || n, (ARRAY['SE','NO','FI','IS'])[1 + n %% 4],"
            "  (ARRAY['en','sv','nb','fi','is'])[1 + n %% 5],"
            "  CASE WHEN n %% %s = 0 THEN 'ally' ELSE 'sex_worker' END, 'active', %s, %s, %s,"
            "  '', id"
            " FROM (SELECT id, substring(email from '^member([0-9]+)@')::int AS n"
            "       FROM members_user WHERE id > %s) fresh ORDER BY id",
            [ALLY_EVERY, now, now, now, last_user],
        )
        cursor.execute(
            "INSERT INTO members_membershipapplication (note, submitted_at, decision, decided_at,"
            " decision_reason, member_id)"
            " SELECT '', %s, 'approved', %s, '', id FROM members_member WHERE id > %s",
            [now, now, last_member],
        )
    with connection.cursor() as cursor:
        for table in ("members_user", "account_emailaddress", "members_member"):
            cursor.execute(f"ANALYZE {table}")


def member_user_ids(numbers: list[int]) -> dict[int, int]:
    """Member number -> user id."""
    emails = {f"member{n}@{EMAIL_DOMAIN}": n for n in numbers}
    return {
        emails[email]: pk
        for pk, email in User.objects.filter(email__in=emails).values_list("pk", "email")
    }


def voting_numbers(count: int, *, start: int = 1) -> list[int]:
    """`count` member numbers of sex workers (voting members), from `start` on."""
    numbers, n = [], start
    while len(numbers) < count:
        if n % ALLY_EVERY:
            numbers.append(n)
        n += 1
    return numbers


def ally_numbers(count: int) -> list[int]:
    return [ALLY_EVERY * k for k in range(1, count + 1)]


def administrator() -> User:
    """A superuser with a TOTP authenticator (staff cannot reach the admin without one)."""
    user = User.objects.filter(email="admin@" + EMAIL_DOMAIN).first()
    if user is None:
        user = User.objects.create(
            email="admin@" + EMAIL_DOMAIN,
            password=password_hash(),
            is_staff=True,
            is_superuser=True,
        )
        TOTP.activate(user, generate_totp_secret())
    return user


def sessions_for(user_ids: list[int]) -> list[str]:
    """Logged-in sessions for these users, as a login writes them; returns their keys."""
    auth_hash = User(password=password_hash()).get_session_auth_hash()
    expire = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    store = SessionStore()
    rows, keys = [], []
    for user_id in user_ids:
        key = secrets.token_hex(16)
        data = {
            "_auth_user_id": str(user_id),
            "_auth_user_backend": BACKEND,
            "_auth_user_hash": auth_hash,
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=2000)
    return keys


def motion(title: str, *, open_: bool = True, hours: float = 2) -> Motion:
    """A motion in all five languages, voting from a minute ago for `hours`, opened through
    the service (which freezes the roll of every eligible member)."""
    now = timezone.now()
    values = {
        "opens_at": now - datetime.timedelta(minutes=1),
        "closes_at": now + datetime.timedelta(hours=hours),
    }
    for code in ("en", "sv", "nb", "fi", "is"):
        values[f"title_{code}"] = f"{title} ({code})"
        values[f"text_{code}"] = f"The network adopts {title}. ({code})\n\n" + "Text. " * 200
    created = Motion.objects.create(**values)
    if open_:
        return agreements.motion_open(motion_id=created.pk, by=None)
    return created


def closed_motion(title: str, voters: list[Member], *, publish: bool) -> Motion:
    opened = motion(title)
    for n, member in enumerate(voters):
        governance_services.ballot_cast(
            motion_id=opened.pk, voter=member, choice=("yes", "no", "abstain")[n % 3]
        )
    closed = agreements.motion_close(motion_id=opened.pk)
    if publish:
        closed = agreements.motion_publish(motion_id=opened.pk, by=None)
    return closed


def voters_and_sealed_ballots_directly(superuser_url: str, box_id: int, count: int) -> dict:
    """Fill an open ballot box with `count` voters and their sealed ballots (sealed to the
    box's key, as the cast seals them), as a restore would: with COPY and the triggers off
    (session_replication_role, which needs a superuser), then VACUUM ANALYZE. Returns the
    choices sealed, to check the close's tally against."""
    import uuid

    import psycopg

    from governance import ballot_sealing, receipts
    from governance.models import CHOICE_CONTENT, BallotBox, RollEntry

    public_key = bytes(BallotBox.objects.get(pk=box_id).public_key)
    members = list(
        RollEntry.objects.filter(box_id=box_id)
        .order_by("member_id")
        .values_list("member_id", flat=True)[:count]
    )
    if len(members) < count:
        raise ValueError(f"only {len(members)} members on the roll")
    choices = ["yes" if g % 10 < 6 else "no" if g % 10 < 9 else "abstain" for g in range(count)]
    sealed = [
        ballot_sealing.seal(
            box_id=box_id,
            box_public_key=public_key,
            ballot=ballot_sealing.plaintext(
                receipt_hash=receipts.code_digest(receipts.new_code()),
                voter_id=None,
                content=CHOICE_CONTENT[choice],
            ),
        )
        for choice in choices
    ]
    with psycopg.connect(superuser_url) as conn:
        conn.execute("SET session_replication_role = replica")
        with conn.cursor().copy("COPY governance_voter (box_id, member_id) FROM STDIN") as copy:
            for member in members:
                copy.write_row((box_id, member))
        with conn.cursor().copy(
            "COPY governance_sealedballot (id, box_id, sealed) FROM STDIN"
        ) as copy:
            for blob in sealed:
                copy.write_row((uuid.uuid4(), box_id, blob))
    # Vacuumed as well as analysed: during a real vote of this size autovacuum has run on
    # these tables many times (its insert threshold is 1,000 rows and a fifth of the
    # table), so the close's count of the voters reads the index alone.
    with psycopg.connect(superuser_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE governance_voter")
        conn.execute("VACUUM ANALYZE governance_sealedballot")
    return {c: choices.count(c) for c in ("yes", "no", "abstain")}


def voting_members(count: int) -> list[Member]:
    return list(
        Member.objects.filter(
            status=Status.SEX_WORKER, user__email__endswith="@" + EMAIL_DOMAIN
        ).order_by("pk")[:count]
    )
