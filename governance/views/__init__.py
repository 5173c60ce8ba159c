from .motions import (
    counted_receipts,
    motion_detail,
    motion_list,
    motion_receipt,
    motion_vote,
    receipt_check,
)
from .roles import (
    assignment_decide,
    assignment_end,
    assignment_revoke,
    committee,
    coordinator_seats,
    coordinator_spokespersons,
    my_assignments,
    seat_act_decide,
    spokespersons,
)

__all__ = [
    "assignment_decide",
    "assignment_end",
    "assignment_revoke",
    "committee",
    "coordinator_seats",
    "coordinator_spokespersons",
    "counted_receipts",
    "motion_detail",
    "motion_list",
    "motion_receipt",
    "motion_vote",
    "my_assignments",
    "seat_act_decide",
    "receipt_check",
    "spokespersons",
]
