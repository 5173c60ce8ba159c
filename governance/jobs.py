"""Scheduled jobs of governance, run by `manage.py run_scheduled` (rosealliance.scheduling).
Each is idempotent and returns a count for the log, never a name."""

from . import services


def motions_close_due() -> str:
    return f"{services.motions_close_due()} motions closed"


def seats_end_expired() -> str:
    return f"{services.seats_end_expired()} seats ended"


def assignments_end_expired() -> str:
    return f"{services.assignments_end_expired()} assignments ended"
