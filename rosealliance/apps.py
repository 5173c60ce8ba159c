from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoseallianceConfig(AppConfig):
    """The project package as an app, for its management commands (run_scheduled, db_backup,
    db_restore) and the project-wide scheduled jobs."""

    name = "rosealliance"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from django.apps import apps
        from django.core.signals import request_finished
        from django.db.models.signals import post_migrate

        from core import retention, scheduling  # noqa: F401 (jobs register themselves)

        from . import checks  # noqa: F401 (checks register themselves)

        # After every migrate (and the test runner's flushes), once: the application role's
        # privileges (rosealliance/database_privileges.py). Sent for apps with models only,
        # so it hangs on the last one.
        post_migrate.connect(
            _privileges_apply, sender=apps.get_app_config("audit"), dispatch_uid="privileges"
        )
        # core/postgresql: a connection that served a request well needs no health check.
        request_finished.connect(_connections_finished_well, dispatch_uid="finished_well")

        scheduling.register_job("expired_sessions_delete", retention.expired_sessions_delete)
        scheduling.register_job("expired_cache_entries_delete", retention.expired_cache_delete)


def _privileges_apply(*, using: str, **kwargs) -> None:
    from django.db import connections

    from core import database_roles

    from .database_privileges import privileges_apply

    with connections[using].cursor() as cursor:
        cursor.execute("SELECT current_user")
        (current,) = cursor.fetchone()
    # Only the owner may grant on its tables (a superuser flushing test data skips this).
    if current == database_roles.credentials("owner")["USER"]:
        privileges_apply()


def _connections_finished_well(**kwargs) -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if hasattr(connection, "request_finished_well"):
            connection.request_finished_well()
