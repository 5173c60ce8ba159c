"""Privacy classification of the audit log (see core/privacy.py). Only
administrators read it."""

from core.privacy import Level, classify

classify(
    "audit.auditevent",
    {
        "id": Level.PRIVATE_TO_MEMBER,
        "occurred_at": Level.PRIVATE_TO_MEMBER,
        "actor_id": Level.PRIVATE_TO_MEMBER,
        # Codes such as "status_change.approved" tell that a member's status was reviewed.
        "action": Level.SENSITIVE,
        "target_type": Level.PRIVATE_TO_MEMBER,
        "target_id": Level.PRIVATE_TO_MEMBER,
        # Hashes reveal nothing; they may be published to anchor the chain.
        "previous_hash": Level.PUBLIC_TO_MEMBERS,
        "hash": Level.PUBLIC_TO_MEMBERS,
    },
)
