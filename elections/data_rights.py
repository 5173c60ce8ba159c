"""Elections' part of members' data rights (members/data_rights.py), registered with
`members.hooks` from ElectionsConfig.ready().

Export: the member's candidacies (with the statement they wrote), and the elections they
were on the electoral roll of, with whether they voted; never how (a secret ballot is not
linked to its voter).

Erasure: a candidacy stays (it is the election's record, and the count refers to it), its
statement is blanked. Rolls, voters and counted ballots are not touched.
"""

from governance.models import RollEntry, Voter
from members.hooks import PersonalDataPart
from members.models import Member

from .models import Candidacy, Election


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def member_data_export_part(*, member: Member) -> PersonalDataPart:
    candidacies = list(
        Candidacy.objects.filter(member=member).select_related("election").order_by("pk")
    )
    box_ids = RollEntry.objects.filter(member=member).values("box_id")
    elections = list(Election.objects.filter(box_id__in=box_ids).order_by("pk"))
    voted = set(Voter.objects.filter(member=member).values_list("box_id", flat=True))
    sections = {
        "election_candidacies": [
            {
                "election": c.election_id,
                "title": c.election.title,
                "nominated_by_yourself": c.nominated_by_id == member.pk,
                "nominated_at": _when(c.nominated_at),
                "accepted_at": _when(c.accepted_at),
                "statement": c.statement,
                "elected": c.elected,
                "seat_outcome": c.seat_outcome,
            }
            for c in candidacies
        ],
        "elections_on_your_roll": [
            {
                "election": e.pk,
                "title": e.title,
                "closes_at": _when(e.closes_at),
                "voted": e.box_id in voted,
            }
            for e in elections
        ],
    }
    return PersonalDataPart(
        sections=sections, audit_targets=[(c._meta.label_lower, c.pk) for c in candidacies]
    )


def member_personal_data_erase(*, member: Member) -> None:
    """Blank the statements the member wrote (the database's freeze allows exactly this)."""
    Candidacy.objects.filter(member=member).exclude(statement="").update(statement="")
