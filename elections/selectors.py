"""Reads for the election pages: a fixed number of queries, whatever the data."""

from django.db.models import QuerySet

from governance.models import Voter
from members.models import Member

from .models import Candidacy, Election, ElectionState

# Members see an election once it is confirmed; a proposal is the committee's business.
VISIBLE_STATES = [s for s in ElectionState.values if s != ElectionState.PROPOSED]


def elections_for_members() -> QuerySet[Election]:
    return Election.objects.filter(state__in=VISIBLE_STATES).order_by("-opens_at", "-pk")


def election_for_members(election_id: int) -> Election | None:
    return (
        Election.objects.select_related("box").filter(pk=election_id, state__in=VISIBLE_STATES)
    ).first()


def candidates(election: Election) -> list[Candidacy]:
    """Who stands: accepted candidacies (their consent to disclose their status)."""
    return list(
        Candidacy.objects.filter(election=election, accepted_at__isnull=False)
        .select_related("member")
        .order_by("member__pseudonym", "pk")
    )


def nominations_awaiting(election: Election, member: Member | None) -> list[Candidacy]:
    """The member's own nominations by others, not yet accepted: shown to them only."""
    if member is None:
        return []
    return list(Candidacy.objects.filter(election=election, member=member, accepted_at=None))


def has_voted(election: Election, member: Member | None) -> bool:
    return (
        member is not None
        and election.box_id is not None
        and Voter.objects.filter(box_id=election.box_id, member=member).exists()
    )


def turnout_while_open(election: Election) -> int:
    """How many have voted (never who or how): for the committee while voting is open."""
    return Voter.objects.filter(box_id=election.box_id).count()
