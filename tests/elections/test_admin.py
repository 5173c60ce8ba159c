import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from elections import services
from elections.models import Candidacy, Election, ElectionState

from .conftest import nominations_end

pytestmark = pytest.mark.django_db


def proposal(**overrides):
    now = timezone.localtime()
    day = lambda n: (now + datetime.timedelta(days=n)).date().isoformat()  # noqa: E731
    data = {
        "title": "Steering Committee 2027",
        "position": "member",
        "seats": "3",
        "term_start": day(30),
        "term_end": day(760),
        "nominations_open_at_0": day(1),
        "nominations_open_at_1": "09:00:00",
        "nominations_close_at_0": day(10),
        "nominations_close_at_1": "09:00:00",
        "opens_at_0": day(11),
        "opens_at_1": "09:00:00",
        "closes_at_0": day(12),
        "closes_at_1": "09:00:00",
    }
    return data | overrides


def run_action(client, action, election):
    return client.post(
        reverse("admin:elections_election_changelist"),
        {"action": action, "_selected_action": [election.pk]},
        follow=True,
    )


def test_committee_proposes_and_someone_else_confirms_in_the_admin(
    client, committee_member, coordinator_member
):
    client.force_login(committee_member.user)
    add = reverse("admin:elections_election_add")
    bad = client.post(add, proposal(opens_at_0=proposal()["nominations_open_at_0"]))
    assert bad.status_code == 200 and "Nominations must open" in bad.content.decode()
    bad = client.post(add, proposal(position="chair"))
    assert "one holder: one seat" in bad.content.decode()
    assert not Election.objects.exists()
    assert client.post(add, proposal()).status_code == 302
    election = Election.objects.get()
    assert election.proposed_by == committee_member and election.seats == 3

    refused = run_action(client, "confirm", election).content.decode()
    assert "Someone other than the proposer" in refused
    client.force_login(coordinator_member.user)
    run_action(client, "confirm", election)
    election.refresh_from_db()
    assert election.state == ElectionState.CONFIRMED and election.confirmed_by == coordinator_member


def test_turnout_while_voting_never_the_votes(
    client, committee_member, make_member, nominating_election
):
    election = nominating_election(seats=1)
    ann = make_member()
    services.candidacy_nominate(election_id=election.pk, member_id=ann.pk, by=ann)
    election = nominations_end(election)
    client.force_login(committee_member.user)
    run_action(client, "open_voting", election)
    election.refresh_from_db()
    assert election.state == ElectionState.VOTING
    services.ballot_cast(
        election_id=election.pk, voter=ann, ranks={Candidacy.objects.get(member=ann).pk: 1}
    )
    changelist = client.get(reverse("admin:elections_election_changelist")).content.decode()
    assert f"1 / {election.box.roll_size}" in changelist
    assert "1 standing, 0 awaiting an answer" in changelist
    change = reverse("admin:elections_election_change", args=[election.pk])
    assert "Hidden until voting closes." in client.get(change).content.decode()
    run_action(client, "close_and_count", election)
    election.refresh_from_db()
    assert election.state == ElectionState.COUNTED
    assert f"1. {ann.pseudonym} ✓" in client.get(change).content.decode()
