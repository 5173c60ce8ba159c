"""Why a member is not voting on an open motion, in plain words, for the member's own
motion page only (it follows from their status and dates: never shown to anyone else)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from members import eligibility
from members.models import Member

from .models import Electorate, MotionState


def not_voting_reason(member: Member | None, motion) -> str | None:
    """The sentence to show `member` on an open motion they cannot vote on now, or None
    when they can vote or have voted. `motion` comes from selectors.motions_for_member."""
    if motion.state != MotionState.OPEN or motion.has_voted:
        return None
    now = timezone.now()
    if now < motion.opens_at:
        return _("Voting has not started yet.")
    if now >= motion.closes_at:
        return _("Voting has ended.")
    if member is None:
        return _("This account has no membership record.")
    error = eligibility.eligibility_error(member)
    if error is not None:
        return _("You are not voting on this motion.") + " " + error.messages[0]
    if motion.on_roll:
        return None
    if motion.electorate == Electorate.STEERING_COMMITTEE:
        return _("Only the members of the Steering Committee vote on this motion.")
    if member.approved_at and motion.opened_at and member.approved_at > motion.opened_at:
        return _(
            "You are not on this motion's electoral roll: it was drawn up when the motion "
            "opened, before your membership began. You can vote on motions opened from now on."
        )
    return _(
        "You are not on this motion's electoral roll: it was drawn up when the motion opened, "
        "and you could not vote then."
    )
