"""The role guards hold at every isolation level, against a client of the application's
role writing raw SQL: a status change whose snapshot predates a seat or an approved
assignment can never leave an ally (or an inactive member) holding the role.

The race of the issue: T1 takes its snapshot (REPEATABLE READ or SERIALIZABLE keeps it for
the whole transaction), T2 gives the member a role and commits, T1 then turns the member
into an ally. Before the guards wrote the member row, T1 never saw the role and went
through in 20 runs of 20.
"""

import threading

import pytest

from members.models import Status
from tests import database

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = {
    "seat": (
        "INSERT INTO governance_seat (member_id, position, term_start, term_end, end_reason,"
        " created_at) VALUES (%s, 'member', current_date, current_date + 365, '', now())"
    ),
    "assignment": (
        "INSERT INTO governance_spokespersonassignment (member_id, countries, languages,"
        " starts_on, state, proposed_at, decision_reason, close_reason)"
        " VALUES (%s, '{SE}', '{sv}', current_date, 'approved', now(), '', '')"
    ),
}
RUNS = {"REPEATABLE READ": 100, "SERIALIZABLE": 20, "READ COMMITTED": 20}
DOWNGRADES = [
    f"UPDATE members_member SET status = '{Status.ALLY}' WHERE id = %s",
    "UPDATE members_member SET state = 'suspended' WHERE id = %s",
]


def allies_holding_roles(cur) -> int:
    cur.execute(
        "SELECT count(*) FROM members_member m WHERE NOT (m.state = 'active' AND m.status ="
        " 'sex_worker') AND (EXISTS (SELECT 1 FROM governance_seat s WHERE s.member_id = m.id"
        " AND s.ended_on IS NULL) OR EXISTS (SELECT 1 FROM governance_spokespersonassignment a"
        " WHERE a.member_id = m.id AND a.state IN ('proposed', 'approved')))"
    )
    return cur.fetchone()[0]


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("level", list(RUNS))
def test_a_stale_downgrade_never_leaves_an_ally_with_a_role(make_member, role, level):
    members = [make_member() for _ in range(RUNS[level])]
    downgrader = database.app_connect()
    granter = database.app_connect(autocommit=True)
    outcomes = {"downgrade refused": 0, "role refused": 0}
    reasons = set()
    try:
        for n, member in enumerate(members):
            downgrader.execute(f"BEGIN ISOLATION LEVEL {level}")
            downgrader.execute("SELECT count(*) FROM members_member").fetchone()  # the snapshot
            try:
                granter.execute(ROLES[role], [member.pk])
            except database.psycopg.Error:
                outcomes["role refused"] += 1
            try:
                downgrader.execute(DOWNGRADES[n % 2], [member.pk])
                downgrader.commit()
            except database.psycopg.Error as error:
                downgrader.rollback()
                outcomes["downgrade refused"] += 1
                reasons.add(type(error).__name__)
        with database.app_connect() as check:
            assert allies_holding_roles(check.cursor()) == 0
        # Every run had one of the two refused (the role commits first, so: the downgrade).
        assert outcomes == {"downgrade refused": len(members), "role refused": 0}
        # How: a stale snapshot meets the member row the role's guard wrote (a
        # serialization failure); a fresh one sees the role (the members guard).
        expected = "CheckViolation" if level == "READ COMMITTED" else "SerializationFailure"
        assert reasons == {expected}
    finally:
        downgrader.close()
        granter.close()


@pytest.mark.parametrize("role", list(ROLES))
def test_a_role_racing_a_committed_downgrade_is_refused(make_member, role):
    """The other order: the downgrade runs first and holds the member row; the role's
    guard waits for it, then sees the ally (READ COMMITTED) and refuses."""
    member = make_member()
    downgrader = database.app_connect()
    downgrader.execute(DOWNGRADES[0], [member.pk])
    errors = []

    def grant():
        with database.app_connect(autocommit=True) as granter:
            try:
                granter.execute(ROLES[role], [member.pk])
            except database.psycopg.Error as error:
                errors.append(str(error))

    thread = threading.Thread(target=grant)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()  # waiting for the member row
    downgrader.commit()
    thread.join(10)
    downgrader.close()
    assert len(errors) == 1 and "must_be_active_sex_worker" in errors[0]
    with database.app_connect() as check:
        assert allies_holding_roles(check.cursor()) == 0
