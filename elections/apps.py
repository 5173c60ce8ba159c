from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "elections"
    verbose_name = _("Elections")

    def ready(self) -> None:
        from core.scheduling import register_job
        from members import hooks, roles

        from . import data_rights, jobs, privacy, services  # noqa: F401 (privacy registers)

        # Losing the rights ends a candidacy while nominations run.
        hooks.register_rights_lost_handler(services.candidacies_withdraw_for_member)
        hooks.register_data_export_provider(data_rights.member_data_export_part)
        hooks.register_erasure_handler(data_rights.member_personal_data_erase)

        register_job("elections_open_due", jobs.elections_open_due)
        register_job("elections_close_due", jobs.elections_close_due)
        register_job("elections_seat_due", jobs.elections_seat_due)
        # The committee proposes; a coordinator or a second committee member confirms.
        runs = {"elections.view_election", "elections.manage_elections"}
        roles.register_role_permissions(roles.COORDINATORS, runs)
        roles.register_role_permissions(roles.STEERING_COMMITTEE, runs | {"elections.add_election"})
