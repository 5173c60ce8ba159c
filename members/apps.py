from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Membership")

    def ready(self) -> None:
        # signals registers its receivers, checks the erasure ledger's system checks.
        from . import checks, roles, signals  # noqa: F401

        # Run once after all apps have migrated: permissions of every app exist by then.
        post_migrate.connect(roles.sync_role_groups, dispatch_uid="members.sync_role_groups")

        from core.scheduling import register_job

        from .jobs import (
            memberships_renewal_due,
            notices_send_due,
            rejected_applications_purge_due,
        )

        register_job("rejected_applications_purge", rejected_applications_purge_due)
        register_job("memberships_renewal", memberships_renewal_due)
        register_job("notices_send", notices_send_due)
