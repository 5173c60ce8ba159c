"""A transaction-level advisory lock per member, taken by every write that changes whether
a member may vote (status, membership state) and by every ballot cast.

Why not `select_for_update()` on the member row, as the other services do? A row lock
writes the locking transaction's id into the row's hidden `xmax` column. A ballot written in
the same transaction carries that id in its `xmin`, so anyone holding the database could
pair a secret ballot with its voter. Advisory locks live only in memory and leave no trace.
"""

from django.db import connection

# The first key of Postgres' two-key advisory locks: the letters "ROSE", so that this lock
# never collides with another use of advisory locks in the project.
MEMBER_RIGHTS_NAMESPACE = 0x524F5345
_INT4_MAX = 2**31 - 1


def member_rights_lock(member_id: int) -> None:
    """Block until no other transaction is changing or using this member's rights; held
    until the current transaction ends. Must be called inside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            [MEMBER_RIGHTS_NAMESPACE, member_id % _INT4_MAX],
        )


def member_rights_lock_sql(member_id: int) -> tuple[str, list[int]]:
    """The same lock as an SQL expression with its parameters, for a statement that takes
    it together with other work (the ballot cast takes it in the statement that locks the
    motion, saving a round trip to the database)."""
    return "pg_advisory_xact_lock(%s, %s)", [MEMBER_RIGHTS_NAMESPACE, member_id % _INT4_MAX]
