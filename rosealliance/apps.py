from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoseallianceConfig(AppConfig):
    """The project package as an app, for its management commands (run_scheduled, db_backup,
    db_restore) and the project-wide scheduled jobs."""

    name = "rosealliance"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from . import retention, scheduling

        scheduling.register_job("expired_sessions_delete", retention.expired_sessions_delete)
        scheduling.register_job("expired_cache_entries_delete", retention.expired_cache_delete)
