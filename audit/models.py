"""The audit log: one row per sensitive act, chained by hashes.

Rows are append-only in the database itself (named pgtrigger triggers refuse UPDATE,
DELETE and TRUNCATE whoever issues them), and each row carries the SHA-256 of its own
content and of the row before it, so a row altered or removed by someone who disabled the
triggers breaks the chain that `audit.services.verify_chain` walks.

Actor and target are plain integers, not foreign keys: erasing a member later removes the
rows they point to, after which the chain still verifies but no longer leads to a person.
"""

import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.guards import Guard

ACTION_MAX_LENGTH = 64
TARGET_TYPE_MAX_LENGTH = 100
HASH_LENGTH = 64
GENESIS_HASH = "0" * HASH_LENGTH


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("occurred at"))
    actor_id = models.BigIntegerField(_("actor (user id)"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=ACTION_MAX_LENGTH)
    target_type = models.CharField(_("target type"), max_length=TARGET_TYPE_MAX_LENGTH, blank=True)
    target_id = models.BigIntegerField(_("target id"), null=True, blank=True)
    previous_hash = models.CharField(_("previous hash"), max_length=HASH_LENGTH)
    hash = models.CharField(_("hash"), max_length=HASH_LENGTH, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["actor_id", "occurred_at"], name="audit_actor_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
        ]
        constraints = [
            # Action codes are dotted identifiers, never free text that could carry a value.
            models.CheckConstraint(
                condition=models.Q(action__regex=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"),
                name="audit_event_action_is_a_code",
            ),
        ]
        triggers = [
            Guard(
                name="audit_event_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=(
                    "RAISE EXCEPTION 'audit_event_append_only: the audit log cannot be "
                    "changed (%)', TG_OP;"
                ),
            ),
            Guard(
                name="audit_event_no_truncate",
                operation=pgtrigger.Truncate,
                level=pgtrigger.Statement,
                when=pgtrigger.Before,
                func="RAISE EXCEPTION 'audit_event_no_truncate: the audit log cannot be emptied';",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action}"
