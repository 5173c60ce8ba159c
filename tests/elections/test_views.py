"""The member pages: standing with consent, the ranking ballot without JavaScript, the
receipt, the results with every stage; bad input gets a message and changes nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elections import services
from elections.models import Candidacy
from governance.models import Voter
from members.models import Status

from .conftest import nominations_end

pytestmark = pytest.mark.django_db


def detail(election):
    return reverse("elections:election_detail", args=[election.pk])


def test_from_standing_to_results_through_the_pages(
    make_member, login, nominating_election, coordinator_member
):
    election = nominating_election(seats=1)
    ann, bea = make_member(pseudonym="Ann"), make_member(pseudonym="Bea")
    client = login(ann)
    page = client.get(reverse("elections:election_list"))
    assert election.title in page.content.decode()
    stand = reverse("elections:election_stand", args=[election.pk])
    # No consent: nothing changes.
    client.post(stand, {"statement": "Vote for me"})
    assert not Candidacy.objects.filter(election=election).exists()
    client.post(stand, {"statement": "Vote for me", "consent": "yes"})
    login(bea).post(stand, {"consent": "yes"})
    assert "Vote for me" in login(make_member()).get(detail(election)).content.decode()

    election = services.voting_open(election_id=nominations_end(election).pk)
    ann_c, bea_c = (Candidacy.objects.get(member=m) for m in (ann, bea))
    client = login(ann)
    page = client.get(detail(election)).content.decode()
    # A plain form: one <select> of ranks per candidate, no script of its own.
    assert f'<select id="rank_{ann_c.pk}" name="rank_{ann_c.pk}">' in page
    vote = reverse("elections:election_vote", args=[election.pk])
    for bad in (
        {f"rank_{ann_c.pk}": "1", f"rank_{bea_c.pk}": "1"},
        {f"rank_{ann_c.pk}": "2"},
        {f"rank_{ann_c.pk}": "x"},
        {"rank_999999": "1"},
    ):
        response = client.post(vote, bad)
        assert response.status_code == 302
    assert not Voter.objects.filter(box=election.box).exists()
    receipt = client.post(vote, {f"rank_{ann_c.pk}": "1", f"rank_{bea_c.pk}": "2"})
    assert receipt.status_code == 200 and "receipt" in receipt.content.decode()
    again = client.post(vote, {f"rank_{ann_c.pk}": "1"}, follow=True)
    assert "already voted" in again.content.decode()
    ally_page = login(make_member(status=Status.ALLY)).get(detail(election)).content.decode()
    assert f'name="rank_{ann_c.pk}"' not in ally_page

    services.election_close(election_id=election.pk)
    assert "Stage" not in login(ann).get(detail(election)).content.decode()
    services.election_publish(election_id=election.pk, by=coordinator_member)
    page = login(bea).get(detail(election)).content.decode()
    assert "Quota" in page and "first preferences" in page


def test_the_election_page_makes_the_same_queries_at_any_size(
    make_member, login, nominating_election
):
    election = nominating_election(seats=1)

    def queries():
        client = login(make_member())
        client.get(detail(election))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(detail(election)).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(4):
        member = make_member()
        services.candidacy_nominate(election_id=election.pk, member_id=member.pk, by=member)
    assert queries() == few


def test_unknown_and_proposed_elections_are_not_found(login, make_member):
    client = login(make_member())
    assert client.get(reverse("elections:election_detail", args=[999999])).status_code == 404
    vote = reverse("elections:election_vote", args=[999999])
    assert client.post(vote, {}).status_code == 404
