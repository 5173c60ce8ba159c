"""A member stands in an election (with the consent the form asks for), ranks the
candidates on the ballot without JavaScript's help, keeps the receipt and reads the
published count, stage by stage: in Swedish on a phone and in Icelandic on a desktop,
axe-core finding nothing on any page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from elections import services
from elections.models import Candidacy

# The elections tests' fixtures, used here too.
from tests.elections.conftest import (  # noqa: F401
    coordinator_member,
    nominating_election,
    nominations_end,
)

from .conftest import DESKTOP, PHONE, check_page, say

pytestmark = pytest.mark.e2e

RECEIPT = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")


@pytest.mark.parametrize(
    ("language", "viewport"),
    [
        pytest.param("sv", PHONE, id="swedish-phone"),
        pytest.param("is", DESKTOP, id="icelandic-desktop"),
    ],
)
def test_member_stands_ranks_and_reads_the_count(
    open_page,
    guard,
    log_in,
    make_member,
    nominating_election,  # noqa: F811 (imported fixture)
    coordinator_member,  # noqa: F811 (imported fixture)
    language,
    viewport,
):
    election = nominating_election(seats=1)
    ann = make_member(pseudonym="Ann", language=language)
    bea = make_member(pseudonym="Bea")
    services.candidacy_nominate(election_id=election.pk, member_id=bea.pk, by=bea)
    page = open_page(language, viewport=viewport)
    log_in(page, ann)

    page.goto(reverse("elections:election_list"))
    check_page(page, guard, "list", axe=True)
    page.get_by_role("link", name=election.title).click()
    check_page(page, guard, "detail-nominations", axe=True)
    page.get_by_label(
        say(language, "Your statement to the members (optional, in the languages you choose)")
    ).fill("Hej")
    page.get_by_label(say(language, "I agree that the members know I stand.")).check()
    page.get_by_role("button", name=say(language, "Stand"), exact=True).click()
    expect(page.get_by_text(say(language, "You stand in this election."))).to_be_visible()
    check_page(page, guard, "stood", axe=True)

    services.voting_open(election_id=nominations_end(election).pk)
    page.reload()
    check_page(page, guard, "ballot", axe=True)
    page.get_by_label("Ann").select_option("1")
    page.get_by_label("Bea").select_option("2")
    page.get_by_role("button", name=say(language, "Cast my ballot")).click()
    expect(
        page.get_by_role("heading", name=say(language, "Your vote has been cast"))
    ).to_be_visible()
    code = page.locator(".receipt code").inner_text()
    assert RECEIPT.match(code)
    check_page(page, guard, "receipt", axe=True)

    services.election_close(election_id=election.pk)
    services.election_publish(election_id=election.pk, by=coordinator_member)
    page.goto(reverse("elections:election_detail", args=[election.pk]))
    table = page.get_by_role("table", name=say(language, "Votes at each stage of the count"))
    expect(table).to_be_visible()
    assert Candidacy.objects.get(member=ann).elected
    check_page(page, guard, "results", axe=True)
    # Printed: the results alone, without the site's header and forms.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(table).to_be_visible()
    guard.step(page, "results-printed")
