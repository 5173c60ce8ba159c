"""Query counts of the hot paths of a general assembly, pinned, and shown not to grow with
the number of members or motions (issue 8; bench/ measures the time).

Counted as the database sees them in production: transactional tests, so there is no outer
test transaction adding savepoints; BEGIN and COMMIT are left out of the count (a cast is
one statement, and the session and user reads around it)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import services
from governance.models import Motion, SealedBallot, Voter
from members.models import Status
from tests import agreements

pytestmark = pytest.mark.django_db(transaction=True)

TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)", re.I)

# session + user (with member, permissions, second-factor need) + the page's one read
PAGE_QUERIES = 3
# session + user + the cast (one statement: services.ballot_box.box_cast); the first vote
# on a motion in each app process also reads the motion's ballot box (kept: it never
# changes once the motion is open)
VOTE_QUERIES = 3
FIRST_VOTE_IN_A_PROCESS_QUERIES = VOTE_QUERIES + 1


def queries_of(request) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = request()
    statements = [q["sql"] for q in captured.captured_queries]
    work = [s for s in statements if not TRANSACTION_CONTROL.match(s)]
    return response, len(work), work


def organisation(make_member, make_motion, size: int):
    """`size` members (one in five an ally) and `size` motions: half open, a quarter
    closed, a quarter published, with ballots."""
    members = [
        make_member(status=Status.ALLY if n % 5 == 0 else Status.SEX_WORKER) for n in range(size)
    ]
    voters = [m for m in members if m.status == Status.SEX_WORKER]
    motions = [make_motion() for _ in range(size)]
    for n, motion in enumerate(motions[size // 2 :]):
        for voter in voters[:3]:
            services.ballot_cast(motion_id=motion.pk, voter=voter, choice="yes")
        agreements.motion_close(motion_id=motion.pk)
        if n % 2:
            agreements.motion_publish(motion_id=motion.pk, by=None)
    return members, motions


@pytest.fixture
def member_client(make_member):
    def logged_in(member) -> Client:
        client = Client()
        client.force_login(member.user)
        return client

    return logged_in


@pytest.mark.parametrize("size", [2, 20])
def test_hot_pages_and_the_vote_make_the_same_few_queries_at_any_size(
    make_member, make_motion, member_client, size
):
    members, motions = organisation(make_member, make_motion, size)
    worker = next(m for m in members if m.status == Status.SEX_WORKER)
    client = member_client(worker)
    open_motion, published = motions[0], motions[-1]
    for url in (
        reverse("members:dashboard"),
        reverse("governance:motion_list"),
        reverse("governance:motion_detail", args=[open_motion.pk]),
        reverse("governance:motion_detail", args=[published.pk]),
    ):
        response, count, work = queries_of(lambda u=url: client.get(u))
        assert response.status_code == 200
        assert count == PAGE_QUERIES, (url, work)

    second_voter = make_member()
    motion = make_motion()
    url = reverse("governance:motion_vote", args=[motion.pk])
    cast = {"choice": "yes", "step": "cast"}
    response, count, work = queries_of(lambda: client.post(url, cast))
    assert response.status_code == 200
    assert b'class="receipt"' in response.content
    assert count == FIRST_VOTE_IN_A_PROCESS_QUERIES, work
    other = member_client(second_voter)
    response, count, work = queries_of(lambda: other.post(url, cast))
    assert response.status_code == 200
    assert count == VOTE_QUERIES, work
    assert SealedBallot.objects.filter(box_id=motion.box_id).count() == 2
    assert Voter.objects.filter(box_id=motion.box_id).count() == 2


def test_refused_votes_still_give_the_same_messages(make_member, make_motion, member_client):
    """The fast path falls back to the ordinary one for every refusal."""
    worker, ally = make_member(), make_member(status=Status.ALLY)
    motion = make_motion()
    url = reverse("governance:motion_vote", args=[motion.pk])
    cast = {"choice": "yes", "step": "cast"}
    worker_client, ally_client = member_client(worker), member_client(ally)
    assert worker_client.post(url, cast).status_code == 200
    worker_client.cookies.pop("receipt")
    again = worker_client.post(url, cast, follow=True)
    assert "already voted" in again.content.decode()
    refused = ally_client.post(url, cast, follow=True)
    assert "Only sex workers" in refused.content.decode()
    draft = make_motion(open=False)
    assert (
        worker_client.post(reverse("governance:motion_vote", args=[draft.pk]), cast).status_code
        == 404
    )
    assert (
        worker_client.post(reverse("governance:motion_vote", args=[9999]), cast).status_code == 404
    )
    assert SealedBallot.objects.filter(box_id=motion.box_id).count() == 1


def test_a_motion_past_its_window_is_closed_by_the_next_page_that_shows_it(
    make_member, make_motion, member_client
):
    import datetime
    import time

    from django.utils import timezone

    worker = make_member()
    motion = make_motion(closes_at=timezone.now() + datetime.timedelta(seconds=1))
    time.sleep(1.1)
    response = member_client(worker).get(reverse("governance:motion_list"))
    assert response.status_code == 200
    assert Motion.objects.get(pk=motion.pk).state == "closed"
