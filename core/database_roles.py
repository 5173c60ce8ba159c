"""The application's two database roles, and switching between them.

The application connects as a role that owns nothing (`DATABASE_URL`): it cannot TRUNCATE,
drop, alter or disable a trigger, and writes the voting tables only through functions the
owner defines. The owner role (`DATABASE_OWNER_URL`) runs the migrations and owns every
table. `as_owner()` points the default connection at the owner for the commands that
change the schema (migrate, createcachetable, a restore); `privileges_apply()` runs after
every migration and gives the application role exactly what
`rosealliance.database_privileges` lists.

Roles are cluster-wide; a superuser creates them with scripts/db_roles.sql.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

ROLES_SQL = Path(__file__).resolve().parent.parent / "scripts" / "db_roles.sql"
# The names scripts/db_roles.sql creates (the embedded cluster's and the tests' roles).
OWNER_ROLE, APP_ROLE = "rosealliance_owner", "rosealliance_app"


def credentials(role: str) -> dict:
    """{"USER": ..., "PASSWORD": ...} of `role` ("app" or "owner") from the settings."""
    return dict(settings.DATABASE_ROLES[role])


def app_role_name() -> str:
    return credentials("app")["USER"]


def has_separate_owner() -> bool:
    return credentials("owner")["USER"] != credentials("app")["USER"]


@contextmanager
def connected_as(role_credentials: dict, alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block with `alias` connected with other credentials (same host and
    database), then reconnect as before."""
    connection = connections[alias]
    saved = {key: connection.settings_dict.get(key) for key in role_credentials}
    if all(saved[key] == value for key, value in role_credentials.items()):
        yield
        return
    connection.close()
    connection.settings_dict.update(role_credentials)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def as_owner(alias: str = DEFAULT_DB_ALIAS):
    """`connected_as` the owner role (a no-op where one role does everything)."""
    return connected_as(credentials("owner"), alias)


def roles_provision(cursor) -> None:
    """Create the project's roles (scripts/db_roles.sql) with a superuser's cursor."""
    cursor.execute(ROLES_SQL.read_text())
