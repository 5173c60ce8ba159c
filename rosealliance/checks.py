"""System checks of the deployment's database roles (`check --database default`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import connection


@register(Tags.database)
def application_role_owns_nothing(app_configs=None, databases=None, **kwargs) -> list[Error]:
    """The application must connect as a role that owns no table and is not a superuser:
    either could switch the database's guards off (docs/deployment.md, "PostgreSQL")."""
    if not databases or settings.DEBUG:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolsuper, (SELECT count(*) FROM pg_tables t"
            "   WHERE t.schemaname = 'public' AND t.tableowner = current_user)"
            " FROM pg_roles r WHERE r.rolname = current_user"
        )
        superuser, owned = cursor.fetchone()
    if superuser or owned:
        return [
            Error(
                "DATABASE_URL connects as a superuser or as the owner of the tables",
                hint="Connect as the application's role (scripts/db_roles.sql) and set "
                "DATABASE_OWNER_URL to the owner for migrations.",
                id="rosealliance.E001",
            )
        ]
    return []
