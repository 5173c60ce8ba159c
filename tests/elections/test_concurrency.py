"""Casting under real concurrency, through the service, against real Postgres."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from elections import services
from elections.models import Candidacy
from governance.models import SealedBallot, Voter

from .conftest import nominations_end

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 64


def test_64_concurrent_ballots_from_one_member_give_one(make_member, nominating_election):
    election = nominating_election(seats=1)
    member = make_member()
    services.candidacy_nominate(election_id=election.pk, member_id=member.pk, by=member)
    election = services.voting_open(election_id=nominations_end(election).pk)
    ranks = {Candidacy.objects.get(election=election).pk: 1}
    barrier = threading.Barrier(ATTEMPTS)

    def attempt(_):
        try:
            barrier.wait()
            return services.ballot_cast(election_id=election.pk, voter=member, ranks=ranks)
        except ValidationError as error:
            return error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        outcomes = list(pool.map(attempt, range(ATTEMPTS)))
    receipts = [o for o in outcomes if o != "already_voted"]
    assert len(receipts) == 1 and outcomes.count("already_voted") == ATTEMPTS - 1
    assert SealedBallot.objects.filter(box_id=election.box_id).count() == 1
    assert list(Voter.objects.filter(box_id=election.box_id).values_list("member", flat=True)) == [
        member.pk
    ]
