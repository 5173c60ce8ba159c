from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "elections"
    verbose_name = _("Elections")

    def ready(self) -> None:
        from members import roles
        from rosealliance.scheduling import register_job

        from . import jobs, privacy  # noqa: F401 (privacy registers its classification)

        register_job("elections_open_due", jobs.elections_open_due)
        register_job("elections_close_due", jobs.elections_close_due)
        register_job("elections_seat_due", jobs.elections_seat_due)
        # The committee proposes; a coordinator or a second committee member confirms.
        runs = {"elections.view_election", "elections.manage_elections"}
        roles.register_role_permissions(roles.COORDINATORS, runs)
        roles.register_role_permissions(roles.STEERING_COMMITTEE, runs | {"elections.add_election"})
