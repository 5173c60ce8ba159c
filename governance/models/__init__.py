from .roles import (
    ACTIVE_ASSIGNMENT_STATES,
    SINGLE_HOLDER_POSITIONS,
    AssignmentState,
    Position,
    Seat,
    SpokespersonAssignment,
    Topic,
)

__all__ = [
    "ACTIVE_ASSIGNMENT_STATES",
    "SINGLE_HOLDER_POSITIONS",
    "AssignmentState",
    "Position",
    "Seat",
    "SpokespersonAssignment",
    "Topic",
]
