"""Governance's admin, one module per subject: seats and spokesperson assignments
(`roles`), motions (`motions`), acts waiting for a second person (`acts`) and the role
history (`history`). Every write goes through `governance.services`; every action that
changes power or a vote first shows a confirmation page (`base.confirmed_action`)."""

from . import acts, history, motions, roles  # noqa: F401 (each registers its admins)
