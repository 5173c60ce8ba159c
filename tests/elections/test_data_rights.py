"""A candidate's data: in their export; their statement blanked by the erasure, even after
the count (the one change the database's freeze allows)."""

import pytest

from elections import services
from elections.models import Candidacy
from members import data_rights as member_data_rights
from members.hooks import data_export_parts

from .conftest import nominations_end

pytestmark = pytest.mark.django_db


def test_export_and_erasure_of_a_candidate(make_member, nominating_election):
    election = nominating_election(seats=1)
    ann = make_member()
    services.candidacy_nominate(
        election_id=election.pk, member_id=ann.pk, by=ann, statement="My plans"
    )
    election = services.voting_open(election_id=nominations_end(election).pk)
    services.ballot_cast(
        election_id=election.pk, voter=ann, ranks={Candidacy.objects.get(member=ann).pk: 1}
    )
    services.election_close(election_id=election.pk)
    sections = {}
    for part in data_export_parts(member=ann):
        sections |= part.sections
    assert sections["election_candidacies"][0]["statement"] == "My plans"
    assert sections["elections_on_your_roll"] == [
        {
            "election": election.pk,
            "title": election.title,
            "closes_at": election.closes_at.isoformat(),
            "voted": True,
        }
    ]
    member_data_rights.member_erase(member_id=ann.pk, requested_by=ann.user)
    candidacy = Candidacy.objects.get(member=ann)
    assert candidacy.statement == "" and candidacy.elected
