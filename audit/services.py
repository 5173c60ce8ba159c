"""Writing and checking the audit log."""

import hashlib
import json
import re
from datetime import UTC, datetime

from django.db import connection, models, transaction
from django.utils import timezone

from .models import GENESIS_HASH, AuditEvent

# One chain for the whole log: writers take this transaction-scoped advisory lock so that
# two concurrent events cannot both claim the same predecessor.
CHAIN_LOCK_KEY = 0x61756469  # "audi"
# The columns each row's hash covers (all but `hash` itself and the sequence id).
HASHED_FIELDS = (
    "previous_hash",
    "occurred_at",
    "actor_id",
    "action",
    "target_type",
    "target_id",
)
ACTION_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")

Target = models.Model | tuple[str, int | None] | None


def _target_parts(target: Target) -> tuple[str, int | None]:
    if target is None:
        return "", None
    if isinstance(target, models.Model):
        return target._meta.label_lower, target.pk
    target_type, target_id = target
    return target_type, (int(target_id) if target_id is not None else None)


def _actor_id(actor) -> int | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor.pk


def event_hash(
    *,
    previous_hash: str,
    occurred_at: datetime,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int | None,
) -> str:
    """SHA-256 over a canonical JSON encoding of the row's content and its predecessor's
    hash. Timestamps are normalised to UTC so the value does not depend on TIME_ZONE."""
    content = json.dumps(
        [
            previous_hash,
            occurred_at.astimezone(UTC).isoformat(),
            actor_id,
            action,
            target_type,
            target_id,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode()).hexdigest()


@transaction.atomic
def record(action: str, *, actor=None, target: Target = None) -> AuditEvent:
    """Append one event.

    `action` is a dotted code such as "status_change.approved"; `actor` is the user who
    acted (None for the system or an anonymous visitor); `target` is a model instance or a
    `(type, id)` pair. Never pass a status, a vote choice or any free text: the log keeps
    codes and ids only.
    """
    if not ACTION_PATTERN.match(action):
        raise ValueError(f"Audit actions are dotted codes, got {action!r}.")
    target_type, target_id = _target_parts(target)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    previous = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    content = {
        "previous_hash": previous or GENESIS_HASH,
        "occurred_at": timezone.now(),
        "actor_id": _actor_id(actor),
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
    }
    return AuditEvent.objects.create(**content, hash=event_hash(**content))


def verify_chain() -> int | None:
    """Walk the whole log in order. Return the id of the first event whose link or hash
    does not match (a row was altered, inserted or removed), or None when intact."""
    expected_previous = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        recomputed = event_hash(**{name: getattr(event, name) for name in HASHED_FIELDS})
        if event.previous_hash != expected_previous or event.hash != recomputed:
            return event.pk
        expected_previous = event.hash
    return None
