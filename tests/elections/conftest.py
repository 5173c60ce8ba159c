import datetime

import pytest
from django.utils import timezone

from elections import services
from elections.models import Election
from members.models import Status
from members.roles import COORDINATORS


@pytest.fixture
def coordinator_member(make_member):
    return make_member(status=Status.SEX_WORKER, groups=(COORDINATORS,), pseudonym="Coord E")


@pytest.fixture
def nominating_election(committee_member, coordinator_member):
    """election(seats=...) -> an election confirmed by a coordinator, nominations open
    from an hour ago for an hour, voting after that, the term starting today."""

    def factory(*, seats: int = 2) -> Election:
        now = timezone.now()
        today = timezone.localdate()
        election = services.election_propose(
            by=committee_member,
            title="Steering Committee 2027",
            seats=seats,
            term_start=today,
            term_end=today + datetime.timedelta(days=730),
            nominations_open_at=now - datetime.timedelta(hours=1),
            nominations_close_at=now + datetime.timedelta(hours=1),
            opens_at=now + datetime.timedelta(hours=1),
            closes_at=now + datetime.timedelta(hours=2),
        )
        return services.election_confirm(election_id=election.pk, by=coordinator_member)

    return factory


def nominations_end(election: Election) -> Election:
    """Move the windows so nominations have just closed and voting is open (the services
    check real time, as the database's guards do)."""
    now = timezone.now()
    Election.objects.filter(pk=election.pk).update(
        nominations_open_at=now - datetime.timedelta(hours=2),
        nominations_close_at=now - datetime.timedelta(seconds=1),
        opens_at=now - datetime.timedelta(seconds=1),
        closes_at=now + datetime.timedelta(hours=1),
    )
    return Election.objects.get(pk=election.pk)
