"""What the application's database role may do, table by table (core.database_roles).

Every table the owner creates is readable and writable by the application role (default
privileges), except those listed here; no table may be truncated, and no function of the
owner may be executed by anyone but the application role. Applied after every `migrate`
(`privileges_apply`), so a new table needs a line here only if it must be protected.
"""

from django.db import connection

from core import database_roles

# Tables the application may only read (and, where listed, insert into): what else happens
# to them happens in the owner's SECURITY DEFINER functions below, or never.
RESTRICTED_TABLES = {
    # The ballot box (governance.models.ballot_box): written only by its functions.
    "governance_ballotbox": {"SELECT"},
    "governance_rollentry": {"SELECT"},
    "governance_voter": {"SELECT"},
    "governance_sealedballot": {"SELECT"},
    "governance_countedballots": {"SELECT"},
    # The audit log is append-only.
    "audit_auditevent": {"SELECT", "INSERT"},
}

# The owner's SECURITY DEFINER functions the application calls (signature as in the
# migrations). Nobody else may execute them: Postgres grants EXECUTE to PUBLIC by default.
APP_FUNCTIONS = [
    "ballot_box_open(bytea, bytea, boolean, timestamptz, timestamptz, integer, boolean, date)",
    "ballot_box_cast(bigint, bigint, bytea)",
    "ballot_box_lock(bigint)",
    "ballot_box_close(bigint, bytea, bytea, bytea, bigint[])",
    "ballot_box_purge(bigint)",
]

_ALL = "SELECT, INSERT, UPDATE, DELETE"


def privileges_apply() -> None:
    """Grant the application role its privileges; run as the owner (post_migrate)."""
    if not database_roles.has_separate_owner():
        return
    app = connection.ops.quote_name(database_roles.app_role_name())
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {_ALL} ON TABLES TO {app}")
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app}"
        )
        cursor.execute(f"GRANT {_ALL} ON ALL TABLES IN SCHEMA public TO {app}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}")
        cursor.execute(
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {app}"
        )
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(%s)",
            [list(RESTRICTED_TABLES)],
        )
        for (table,) in cursor.fetchall():
            allowed = ", ".join(sorted(RESTRICTED_TABLES[table]))
            cursor.execute(f"REVOKE ALL ON {connection.ops.quote_name(table)} FROM {app}")
            cursor.execute(f"GRANT {allowed} ON {connection.ops.quote_name(table)} TO {app}")
        for signature in APP_FUNCTIONS:
            cursor.execute("SELECT to_regprocedure(%s)", [signature])
            if cursor.fetchone()[0] is None:
                continue
            cursor.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
            cursor.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {app}")
