from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "elections"
    verbose_name = _("Elections")

    def ready(self) -> None:
        from members import roles
        from rosealliance.scheduling import register_job

        from . import jobs, privacy  # noqa: F401 (privacy registers its classification)

        register_job("elections_close_due", jobs.elections_close_due)
        register_job("elections_seat_due", jobs.elections_seat_due)
        for role in (roles.COORDINATORS, roles.STEERING_COMMITTEE):
            roles.register_role_permissions(
                role, {"elections.view_election", "elections.manage_elections"}
            )
