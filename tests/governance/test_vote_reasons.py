"""An open motion whose window has not started is "upcoming"; a member who cannot vote is
told why in plain words, on their own page only."""

import datetime

from django.urls import reverse
from django.utils import timezone

from governance.models import Electorate
from members.models import Status


def detail(client, motion) -> str:
    return client.get(reverse("governance:motion_detail", args=[motion.pk])).content.decode()


def test_a_motion_before_its_window_is_upcoming_with_the_reason(client, make_member, make_motion):
    member = make_member()
    starts = timezone.now() + datetime.timedelta(days=1)
    motion = make_motion(opens_at=starts, closes_at=starts + datetime.timedelta(days=1))
    client.force_login(member.user)
    listing = client.get(reverse("governance:motion_list")).content.decode()
    upcoming = listing[listing.index('id="upcoming-heading"') : listing.index('id="past-heading"')]
    open_part = listing[listing.index('id="open-heading"') : listing.index('id="upcoming-heading"')]
    assert motion.title in upcoming
    assert motion.title not in open_part
    assert "Voting has not started yet: it starts" in upcoming
    page = detail(client, motion)
    assert "Voting has not started yet. It starts" in page
    assert 'name="choice"' not in page


def test_a_member_approved_after_the_roll_was_drawn_is_told_so(client, make_member, make_motion):
    motion = make_motion()
    newcomer = make_member()  # approved after the motion opened
    client.force_login(newcomer.user)
    page = detail(client, motion)
    assert "before your membership began" in page
    assert "Only sex workers" not in page


def test_an_ally_is_told_that_voting_is_for_sex_workers(client, make_member, make_motion):
    ally = make_member(status=Status.ALLY)
    motion = make_motion()
    client.force_login(ally.user)
    page = detail(client, motion)
    assert "You are not voting on this motion. Only sex workers can sit" in page


def test_committee_only_motion_says_so(client, make_member, make_motion):
    member = make_member()
    motion = make_motion(electorate=Electorate.STEERING_COMMITTEE)
    client.force_login(member.user)
    assert "Only the members of the Steering Committee vote on this motion." in detail(
        client, motion
    )


def test_a_voter_on_the_roll_sees_the_ballot_and_no_reason(client, make_member, make_motion):
    voter = make_member()
    make_member(status=Status.ALLY)
    motion = make_motion()
    client.force_login(voter.user)
    page = detail(client, motion)
    assert 'name="choice"' in page
    for reason in ("not voting", "electoral roll:", "has not started"):
        assert reason not in page
