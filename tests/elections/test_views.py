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

    code = receipt.context["code"]
    services.election_close(election_id=election.pk)
    assert "Stage" not in login(ann).get(detail(election)).content.decode()
    check = reverse("elections:receipt_check", args=[election.pk])
    assert "Your ballot was counted." in client.post(check, {"code": code}).content.decode()
    other = client.post(check, {"code": "AAAA-AAAA-AAAA"}).content.decode()
    assert "No counted ballot has this receipt code." in other
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


def test_the_list_makes_the_same_queries_at_any_size(make_member, login, nominating_election):
    client = login(make_member())
    url = reverse("elections:election_list")
    nominating_election()
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        nominating_election()
    with CaptureQueriesContext(connection) as four:
        assert client.get(url).content.decode().count("Steering Committee 2027") == 4
    assert len(four) == len(one)


def test_unknown_and_proposed_elections_are_not_found(login, make_member):
    client = login(make_member())
    assert client.get(reverse("elections:election_detail", args=[999999])).status_code == 404
    vote = reverse("elections:election_vote", args=[999999])
    assert client.post(vote, {}).status_code == 404


def test_nominating_another_says_the_same_whoever_they_are(
    make_member, ally, login, nominating_election, mailoutbox, django_capture_on_commit_callbacks
):
    election = nominating_election(seats=1)
    nominator, nominee = make_member(), make_member(language="sv")
    client = login(nominator)
    nominate = reverse("elections:election_nominate", args=[election.pk])
    mailoutbox.clear()  # the members' welcome e-mails
    answers = []
    for email in (ally.user.email, "nobody@example.test", nominee.user.email, nominee.user.email):
        with django_capture_on_commit_callbacks(execute=True):
            page = client.post(nominate, {"email": email}, follow=True).content.decode()
        answers.append("they stand only if they accept" in page)
    assert answers == [True] * 4
    # Only the eligible nominee was nominated, once, and told in a neutral e-mail.
    nominations = Candidacy.objects.filter(election=election)
    assert [(c.member_id, c.accepted_at) for c in nominations] == [(nominee.pk, None)]
    assert [m.to for m in mailoutbox] == [[nominee.user.email]]
    assert "election" not in (mailoutbox[0].subject + mailoutbox[0].body).lower()
    assert "nominated" not in login(make_member()).get(detail(election)).content.decode()

    page = login(nominee).get(detail(election)).content.decode()
    assert "Accept the nomination" in page
    client = login(nominee)
    client.post(
        reverse("elections:election_stand", args=[election.pk]),
        {"consent": "yes", "statement": "Jag"},
    )
    assert Candidacy.objects.get(member=nominee).accepted_at is not None


def test_an_ally_is_told_they_cannot_nominate(ally, make_member, login, nominating_election):
    election = nominating_election(seats=1)
    nominate = reverse("elections:election_nominate", args=[election.pk])
    page = login(ally).post(nominate, {"email": make_member().user.email}, follow=True)
    assert "Only sex workers" in page.content.decode()
    assert not Candidacy.objects.filter(election=election).exists()
