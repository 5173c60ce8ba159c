from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from core.scheduling import register_job
        from members import hooks, roles

        from . import checks, data_rights, jobs, permissions, services  # noqa: F401 (checks)

        # Losing the rights (status or membership change) ends every role, in the same
        # transaction as the change.
        hooks.register_rights_lost_handler(services.roles_end_for_member)
        # Members' data rights: governance's rows in a member's export, and their scrubbing
        # when the member's data is erased.
        hooks.register_data_export_provider(data_rights.member_data_export_part)
        hooks.register_erasure_handler(data_rights.member_personal_data_erase)
        # Spokespersons speak for the network: their accounts need a second factor too.
        hooks.register_second_factor_rule(
            permissions.holds_spokesperson_role,
            condition=permissions.holds_spokesperson_role_condition,
        )
        register_job("motions_close_due", jobs.motions_close_due)
        register_job("ballot_keys_cleanup", jobs.ballot_keys_cleanup)
        register_job("seats_end_expired", jobs.seats_end_expired)
        register_job("assignments_end_expired", jobs.assignments_end_expired)
        register_job("acts_expire", jobs.acts_expire)
        roles.register_role_permissions(
            roles.COORDINATORS,
            {
                "governance.approve_spokesperson",
                "governance.view_spokespersonassignment",
                "governance.change_spokespersonassignment",
                "governance.add_spokespersonassignment",
                "governance.view_pendingact",
                "governance.confirm_seat_act",
                "governance.view_seat",
            },
        )
        roles.register_role_permissions(
            roles.STEERING_COMMITTEE,
            {
                "governance.view_seat",
                "governance.add_seat",
                "governance.change_seat",
                "governance.view_spokespersonassignment",
                "governance.view_topic",
                "governance.add_topic",
                "governance.change_topic",
                "governance.view_motion",
                "governance.add_motion",
                "governance.change_motion",
                "governance.delete_motion",
                "governance.manage_motions",
                "governance.view_pendingact",
            },
        )
