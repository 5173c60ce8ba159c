"""The test database's roles: the suite runs the application as the application role
(core.database_roles), builds and drops the test database as the owner, and uses a
superuser only where a test plays an adversary with superuser powers and to empty the
tables after a transactional test (the audit log's guard refuses TRUNCATE to everyone
else, as it must).

With DATABASE_OWNER_URL set, the configured roles are used as they are. Otherwise
DATABASE_URL's role must be a superuser (the usual `postgres` of a development machine,
and CI's): it creates the project's roles (scripts/db_roles.sql) and the suite uses them.
"""

import os

import dj_database_url
import psycopg
from django.conf import settings
from django.db import connections

from core import database_roles

_superuser: dict = {}


def _is_superuser(settings_dict: dict) -> bool:
    with psycopg.connect(**conninfo(settings_dict, dbname="postgres")) as conn:
        return conn.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]


def conninfo(credentials: dict, *, dbname: str | None = None) -> dict:
    """psycopg.connect() keywords for `credentials` on the test database's server."""
    base = connections["default"].settings_dict
    info = {
        "host": base["HOST"] or "127.0.0.1",
        "port": base["PORT"] or 5432,
        "user": credentials["USER"],
        "dbname": dbname or base["NAME"],
    }
    if credentials.get("PASSWORD"):
        info["password"] = credentials["PASSWORD"]
    return info


def roles_prepare() -> None:
    """Decide the suite's roles, creating them where needed; point the default connection
    at the application role."""
    configured = {
        "USER": settings.DATABASES["default"]["USER"],
        "PASSWORD": settings.DATABASES["default"]["PASSWORD"],
    }
    if os.environ.get("TEST_SUPERUSER_URL"):
        parsed = dj_database_url.parse(os.environ["TEST_SUPERUSER_URL"])
        _superuser.update(USER=parsed["USER"], PASSWORD=parsed["PASSWORD"])
    elif _is_superuser(configured):
        _superuser.update(configured)
    else:
        _superuser.update(USER="postgres", PASSWORD="")
    if not database_roles.has_separate_owner():
        if not _is_superuser(configured):
            raise RuntimeError(
                "The tests need two database roles: set DATABASE_OWNER_URL (the owner) beside "
                "DATABASE_URL (the application), or point DATABASE_URL at a superuser that "
                "can create them (scripts/db_roles.sql)."
            )
        with psycopg.connect(**conninfo(configured, dbname="postgres"), autocommit=True) as conn:
            database_roles.roles_provision(conn.cursor())
        settings.DATABASE_ROLES = {
            "app": {"USER": database_roles.APP_ROLE, "PASSWORD": ""},
            "owner": {"USER": database_roles.OWNER_ROLE, "PASSWORD": ""},
        }
    connections["default"].close()
    connections["default"].settings_dict.update(database_roles.credentials("app"))


def superuser() -> dict:
    return dict(_superuser)


def superuser_connect(*, dbname: str | None = None, **kwargs) -> psycopg.Connection:
    """A psycopg connection to the test database (or `dbname`) as the superuser."""
    return psycopg.connect(**conninfo(_superuser, dbname=dbname), **kwargs)


def app_connect(**kwargs) -> psycopg.Connection:
    """A psycopg connection to the test database as the application's role."""
    return psycopg.connect(**conninfo(database_roles.credentials("app")), **kwargs)


def leftover_test_database_drop(name: str) -> None:
    """Drop a test database left behind by an interrupted run (it may belong to another
    role, which the owner could not drop)."""
    with psycopg.connect(**conninfo(_superuser, dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
