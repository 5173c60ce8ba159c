"""Scheduled jobs of elections (core.scheduling): idempotent, a count for the log."""

from . import services


def elections_open_due() -> str:
    return f"{services.elections_open_due()} elections opened for voting"


def elections_close_due() -> str:
    return f"{services.elections_close_due()} elections closed and counted"


def elections_seat_due() -> str:
    return f"{services.elections_seat_due()} elections seated"
