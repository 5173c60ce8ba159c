"""Journey 3, a coordinator approves a spokesperson: a sex-worker member asks, a coordinator
approves on the coordinator page, the member sets up the second factor a spokesperson must
have, sees the approved assignment, and the list of spokespersons shows their pseudonym. An
ally finds no way to ask: no form, and a hand-made request is refused. On a desktop and on
a phone."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from governance.models import AssignmentState, SpokespersonAssignment, Topic
from members import eligibility
from members.models import Status
from tests.conftest import PASSWORD

from .conftest import DESKTOP, PHONE, check_page, label, say, totp_code

pytestmark = pytest.mark.e2e

VARIANTS = [
    pytest.param("is", DESKTOP, id="icelandic-desktop"),
    pytest.param("sv", PHONE, id="swedish-phone"),
]


def policy_topic() -> Topic:
    """The topic from the data migration (transactional browser tests empty the tables,
    so it is made again when missing)."""
    topic, _ = Topic.objects.get_or_create(
        slug="policy",
        defaults={
            "name": "Policy",
            "name_en": "Policy",
            "name_sv": "Politik",
            "name_nb": "Politikk",
            "name_fi": "Politiikka",
            "name_is": "Stefnumál",
        },
    )
    return topic


@pytest.mark.parametrize(("language", "viewport"), VARIANTS)
def test_coordinator_approves_a_spokesperson(
    open_page, guard, log_in, make_member, coordinator, language, viewport
):
    topic = policy_topic()
    with translation.override(language):
        topic_name = topic.name
    member = make_member(status=Status.SEX_WORKER, pseudonym="Sólveig", language=language)
    coordinator.preferred_language = language
    coordinator.save(update_fields=["preferred_language"])

    # --- The member asks --------------------------------------------------------------------
    page = log_in(open_page(language, viewport=viewport), member)
    page.get_by_role("navigation").get_by_role("link", name=say(language, "Spokespersons")).click()
    expect(page.locator("h1")).to_have_text(say(language, "Spokespersons"))
    expect(page.locator("main")).to_contain_text(
        say(language, "There are no spokespersons at the moment.")
    )
    check_page(page, guard, "spokespersons-none", axe=True)
    page.get_by_role("link", name=say(language, "Your spokesperson assignments")).click()
    expect(page.locator("h1")).to_have_text(say(language, "Your spokesperson assignments"))
    ask = page.get_by_role("region", name=say(language, "Ask to be a spokesperson"))
    expect(ask).to_be_visible()
    check_page(page, guard, "ask-form", axe=True)
    # First without choosing anything: the form says what is missing.
    ask.get_by_role("button", name=say(language, "Send request")).click()
    expect(page.locator("main .errorlist").first).to_be_visible()
    check_page(page, guard, "ask-form-with-errors", axe=True)
    ask = page.get_by_role("region", name=say(language, "Ask to be a spokesperson"))
    ask.get_by_label(topic_name, exact=True).check()
    ask.locator("input[name='countries'][value='SE']").check()
    ask.locator("input[name='countries'][value='IS']").check()
    ask.locator("input[name='languages'][value='sv']").check()
    ask.locator("input[name='languages'][value='en']").check()
    ask.get_by_role("button", name=say(language, "Send request")).click()
    expect(page.locator(".messages")).to_contain_text(
        say(language, "Your request has been sent to the coordinators.")
    )
    request_card = page.locator("main li.card")
    expect(request_card).to_contain_text(say(language, "Proposed"))
    expect(request_card).to_contain_text(topic_name)
    check_page(page, guard, "request-sent", axe=True)

    # --- A coordinator approves it (logging in with their second factor) -------------------
    staff = log_in(open_page(language, viewport=viewport), coordinator)
    staff.get_by_role("navigation").get_by_role(
        "link", name=say(language, "Spokesperson requests")
    ).click()
    expect(staff.locator("h1")).to_have_text(say(language, "Spokesperson requests"))
    pending = staff.locator("main li.card").filter(
        has=staff.get_by_role("heading", name=member.pseudonym)
    )
    expect(pending).to_contain_text(topic_name)
    check_page(staff, guard, "coordinator-requests", axe=True)
    pending.get_by_role(
        "button", name=say(language, "Approve: %(label)s", label=member.pseudonym)
    ).click()
    expect(staff.locator(".messages")).to_contain_text(say(language, "Decision saved."))
    expect(staff.locator("main")).to_contain_text(say(language, "No requests are waiting."))
    current = staff.get_by_role("heading", name=say(language, "Current spokespersons"))
    expect(current).to_be_visible()
    expect(
        staff.get_by_role("button", name=say(language, "Revoke: %(label)s", label=member.pseudonym))
    ).to_be_visible()
    check_page(staff, guard, "coordinator-approved", axe=True)

    # --- The member, now a spokesperson, must set up a second factor first ------------------
    page.reload()
    page.wait_for_url("**/accounts/2fa/")
    check_page(page, guard, "second-factor-required")
    page.locator("main").get_by_role(
        "link", name=re.compile("Activate|Aktivera|Virkja")
    ).first.click()
    # allauth asks for the password again before a second factor can be added.
    page.wait_for_url("**/accounts/reauthenticate/**")
    check_page(page, guard, "confirm-password")
    page.get_by_label(label(language, "Password")).fill(PASSWORD)
    page.locator("main form button[type='submit']").first.click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    secret = page.locator("#authenticator_secret").input_value()
    check_page(page, guard, "authenticator-setup")
    page.locator("main input[name='code']").fill(totp_code(secret))
    page.locator("main form button[type='submit']").first.click()
    page.wait_for_load_state()
    check_page(page, guard, "authenticator-active")

    # --- ... and sees the approved assignment ------------------------------------------------
    page.goto(reverse("governance:my_assignments"))
    expect(page.locator("h1")).to_have_text(say(language, "Your spokesperson assignments"))
    card = page.locator("main li.card")
    expect(card).to_contain_text(say(language, "Approved"))
    expect(card).to_contain_text(topic_name)
    expect(card.get_by_role("button", name=say(language, "End this assignment"))).to_be_visible()
    check_page(page, guard, "assignment-approved", axe=True)

    # --- The list of spokespersons shows the pseudonym (and no status) ----------------------
    page.get_by_role("navigation").get_by_role("link", name=say(language, "Spokespersons")).click()
    listed = page.locator("main li.card").filter(
        has=page.get_by_role("heading", name=member.pseudonym)
    )
    expect(listed).to_contain_text(topic_name)
    expect(page.locator("main")).not_to_contain_text(say(language, "Sex worker"))
    check_page(page, guard, "spokespersons-listed", axe=True)


@pytest.mark.parametrize(("language", "viewport"), VARIANTS)
def test_ally_finds_no_way_to_ask_to_be_a_spokesperson(
    open_page, guard, log_in, make_member, language, viewport
):
    topic = policy_topic()
    ally = make_member(status=Status.ALLY, pseudonym="Vinur", language=language)
    page = log_in(open_page(language, viewport=viewport), ally)
    page.get_by_role("navigation").get_by_role("link", name=say(language, "Spokespersons")).click()
    page.get_by_role("link", name=say(language, "Your spokesperson assignments")).click()
    expect(page.locator("h1")).to_have_text(say(language, "Your spokesperson assignments"))
    expect(page.locator("main")).to_contain_text(
        say(language, "You have no spokesperson assignments.")
    )
    expect(
        page.get_by_role("region", name=say(language, "Ask to be a spokesperson"))
    ).to_have_count(0)
    expect(page.locator("main form")).to_have_count(0)
    check_page(page, guard, "ally-no-form", axe=True)

    # A request made by hand, with the session and a valid CSRF token, is refused.
    token = page.locator("input[name='csrfmiddlewaretoken']").first.input_value()
    response = page.request.post(
        reverse("governance:my_assignments"),
        form={
            "csrfmiddlewaretoken": token,
            "topics": str(topic.pk),
            "countries": "SE",
            "languages": "sv",
            "starts_on": timezone.localdate().isoformat(),
        },
        headers={"Referer": page.url},
    )
    assert response.status == 403
    with translation.override(language):
        refusal = eligibility.eligibility_error(ally).messages[0]
    assert refusal in response.text()
    assert not SpokespersonAssignment.objects.filter(member=ally).exists()
    assert not SpokespersonAssignment.objects.exclude(state=AssignmentState.REJECTED).exists()
