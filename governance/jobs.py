"""Scheduled jobs of governance, run by `manage.py run_scheduled` (core.scheduling).
Each is idempotent and returns a count for the log, never a name."""

import logging

from . import services

logger = logging.getLogger(__name__)


def motions_close_due() -> str:
    return f"{services.motions_close_due()} motions closed"


def ballot_keys_cleanup() -> str:
    from .services.ballot_box import ballot_keys_cleanup, open_boxes_without_key

    missing = open_boxes_without_key()
    if missing:
        # Said on every run until someone restores the key folder (docs/deployment.md).
        logger.error("ballot boxes open without their key: %s", missing)
    return f"{ballot_keys_cleanup()} ballot keys destroyed, {len(missing)} missing"


def seats_end_expired() -> str:
    return f"{services.seats_end_expired()} seats ended"


def assignments_end_expired() -> str:
    return f"{services.assignments_end_expired()} assignments ended"


def acts_expire() -> str:
    return f"{services.acts_expire()} unconfirmed acts expired"
