"""Casting under real concurrency, through the HTTP views, against real Postgres."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from governance.models import SealedBallot, Voter, counted_ballots
from members.models import Status
from tests import agreements

pytestmark = pytest.mark.django_db(transaction=True)


def post_vote(member, motion, choice) -> int:
    """One member's browser: its own client (session), through the real view."""
    try:
        client = Client()
        client.force_login(member.user)
        response = client.post(
            reverse("governance:motion_vote", args=[motion.pk]),
            {"choice": choice, "step": "cast"},
        )
        return response.status_code
    finally:
        connection.close()


def test_sixteen_concurrent_requests_from_one_member_give_one_ballot(make_member, make_motion):
    member = make_member()
    motion = make_motion()
    barrier = threading.Barrier(16)

    def attempt(_):
        barrier.wait()
        return post_vote(member, motion, "yes")

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(attempt, range(16)))
    # One receipt page (200); every other request is sent back with "already voted".
    assert sorted(codes) == [200] + [302] * 15
    assert SealedBallot.objects.filter(box_id=motion.box_id).count() == 1
    assert list(Voter.objects.filter(box_id=motion.box_id).values_list("member", flat=True)) == [
        member.pk
    ]


def test_two_hundred_members_voting_at_once_are_each_counted_once(make_member, make_motion):
    voters = [make_member() for _ in range(200)]
    allies = [make_member(status=Status.ALLY) for _ in range(10)]
    motion = make_motion(quorum_percent=50)
    choices = {m.pk: ("yes", "no", "abstain")[i % 3] for i, m in enumerate(voters)}
    jobs = [(m, choices[m.pk]) for m in voters] + [(a, "yes") for a in allies]
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda job: post_vote(job[0], motion, job[1]), jobs))
    assert codes.count(200) == 200  # every eligible member got a receipt
    assert codes.count(302) == 10  # every ally was refused
    closed = agreements.motion_close(motion_id=motion.pk)
    expected = {c: list(choices.values()).count(c) for c in ("yes", "no", "abstain")}
    assert (closed.yes_count, closed.no_count, closed.abstain_count) == (
        expected["yes"],
        expected["no"],
        expected["abstain"],
    )
    voter_ids = Voter.objects.filter(box_id=motion.box_id).values_list("member", flat=True)
    assert sorted(voter_ids) == sorted(m.pk for m in voters)  # nobody twice, no ally
    assert len(counted_ballots(closed.box_id)) == 200


def test_close_racing_with_votes_counts_exactly_what_was_accepted(make_member, make_motion):
    voters = [make_member() for _ in range(40)]
    motion = make_motion()
    start = threading.Barrier(9)

    def voter_thread(chunk):
        start.wait()
        return [post_vote(m, motion, "yes") for m in chunk]

    def closer():
        start.wait()
        try:
            agreements.motion_close(motion_id=motion.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=9) as pool:
        futures = [pool.submit(voter_thread, voters[i::8]) for i in range(8)]
        close_future = pool.submit(closer)
        codes = [code for future in futures for code in future.result()]
        close_future.result()
    motion.refresh_from_db()
    accepted = codes.count(200)
    assert motion.yes_count == accepted
    assert len(counted_ballots(motion.box_id)) == accepted
    assert Voter.objects.filter(box_id=motion.box_id).count() == accepted
