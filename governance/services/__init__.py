"""Every write in governance. Callers use `governance.services.<name>`; the functions live
in `roles` (seats, spokesperson assignments), `motions` (motions and voting) and
`ballot_box` (the box motions and elections vote in)."""

from .acts import act_confirm, act_decline, act_propose, acts_expire
from .motions import (
    ballot_cast,
    counted_receipt_hashes,
    motion_close,
    motion_open,
    motion_publish,
    motions_close_due,
    receipt_is_counted,
)
from .roles import (
    assignments_end_expired,
    roles_end_for_member,
    seat_assign,
    seat_end,
    seats_end_expired,
    spokesperson_approve,
    spokesperson_end,
    spokesperson_propose,
    spokesperson_reject,
    spokesperson_revoke,
)

__all__ = [
    "act_confirm",
    "act_decline",
    "act_propose",
    "acts_expire",
    "assignments_end_expired",
    "ballot_cast",
    "counted_receipt_hashes",
    "motion_close",
    "motion_open",
    "motion_publish",
    "motions_close_due",
    "receipt_is_counted",
    "roles_end_for_member",
    "seat_assign",
    "seat_end",
    "seats_end_expired",
    "spokesperson_approve",
    "spokesperson_end",
    "spokesperson_propose",
    "spokesperson_reject",
    "spokesperson_revoke",
]
