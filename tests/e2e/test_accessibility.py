"""axe-core over every member-facing page, in English and Icelandic, with zero violations;
every page reflows at 320 CSS pixels; the keyboard reaches the content."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from governance import services as governance_services
from members import services
from members.models import Member, Status

from .conftest import DESKTOP, NARROW, axe_violations, horizontal_overflow

pytestmark = pytest.mark.e2e

LANGUAGES = ["en", "is"]


def audit(page, guard, name: str) -> dict[str, list[str]]:
    """axe at desktop width, then the reflow check at 320 px; a screenshot of each."""
    found = {}
    page.set_viewport_size(DESKTOP)
    guard.step(page, name)
    if violations := axe_violations(page):
        found[name] = violations
    page.set_viewport_size(NARROW)
    guard.step(page, f"{name}-320px")
    if overflow := horizontal_overflow(page):
        found[f"{name} at 320px"] = [f"{overflow}px wider than the window"]
    page.set_viewport_size(DESKTOP)
    return found


def audit_pages(page, guard, language: str, url_names: dict[str, str]) -> dict:
    """Visit each named URL, check it is in `language`, and audit it."""
    found = {}
    for name, url_name in url_names.items():
        page.goto(reverse(url_name))
        assert page.locator("html").get_attribute("lang") == language, name
        found |= audit(page, guard, name)
    return found


def listing(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in found.items())


def submit_first_form(page) -> None:
    page.locator("main form button[type='submit']").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", LANGUAGES)
def test_visitor_pages_have_no_violations(open_page, guard, language, db):
    page = open_page(language)
    found = audit_pages(
        page,
        guard,
        language,
        {
            "home": "members:home",
            "apply": "members:apply",
            "apply-sent": "members:apply_done",
            "privacy": "members:privacy",
            "login": "account_login",
            "password-reset": "account_reset_password",
            "password-reset-sent": "account_reset_password_done",
            "account-inactive": "account_inactive",
            "resigned": "members:resigned",
        },
    )
    # Forms showing their errors.
    page.goto(reverse("members:apply"))
    submit_first_form(page)
    assert page.locator("[aria-invalid='true']").count() > 0
    found |= audit(page, guard, "apply-with-errors")
    page.goto(reverse("account_login"))
    page.locator("input[name='login']").fill("nobody@example.test")
    page.locator("input[name='password']").fill("wrong-password-123")
    submit_first_form(page)
    found |= audit(page, guard, "login-with-errors")
    assert not found, listing(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_pages_have_no_violations(
    open_page, guard, log_in, make_member, make_motion, language
):
    member = make_member(language=language, pseudonym="Sóley")
    page = log_in(open_page(language), member)
    found = audit_pages(
        page,
        guard,
        language,
        {
            "dashboard": "members:dashboard",
            "profile": "members:profile",
            "status-change": "members:status_change",
            "data-rights": "members:data_rights",
            "resign": "members:resign",
        },
    )
    # A profile saved: the success message.
    page.goto(reverse("members:profile"))
    page.locator("#details-heading + form button[type='submit']").click()
    page.wait_for_load_state()
    assert page.locator(".messages").count() == 1
    found |= audit(page, guard, "profile-saved")
    # The choice of notices saved.
    page.locator("#notices-heading ~ form button[type='submit']").click()
    page.wait_for_load_state()
    assert page.locator(".messages").count() == 1
    found |= audit(page, guard, "profile-notices-saved")
    # The status change form with an error (no new status chosen).
    page.goto(reverse("members:status_change"))
    submit_first_form(page)
    found |= audit(page, guard, "status-change-with-errors")
    # A roll-call ballot, with its warning.
    roll_call = make_motion(ballot_kind="roll_call")
    page.goto(reverse("governance:motion_detail", args=[roll_call.pk]))
    assert page.locator("#roll-call-notice").count() == 1
    found |= audit(page, guard, "roll-call-ballot")
    # The dashboard asking to confirm the membership (the annual renewal).
    Member.objects.filter(pk=member.pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=400)
    )
    with override_settings(MEMBERSHIP_RENEWAL_MONTH=timezone.localdate().month):
        page.goto(reverse("members:dashboard"))
        assert page.locator("#renewal-heading").count() == 1
        found |= audit(page, guard, "dashboard-renewal")
    # A pending request listed on the profile.
    page.goto(reverse("members:status_change"))
    page.locator("input[name='to_status']").first.check()
    submit_first_form(page)
    found |= audit(page, guard, "profile-with-request")
    assert not found, listing(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_coordinator_page_has_no_violations(
    open_page, guard, log_in, make_member, seat_member, coordinator, language
):
    coordinator.preferred_language = language
    coordinator.save(update_fields=["preferred_language"])
    make_member(state="applied", pseudonym="Applicant")
    member = make_member(status=Status.ALLY, pseudonym="Changer")
    services.status_change_request(member=member, to_status=Status.SEX_WORKER, reason="Now.")
    page = log_in(open_page(language), coordinator)
    page.goto(reverse("members:coordinator_queue"))
    assert page.locator("table").count() == 2
    found = audit(page, guard, "coordinator")
    # Seat changes the committee proposed, waiting for the coordinator.
    committee = make_member(pseudonym="Proposer")
    seat_member(committee)
    today = timezone.localdate()
    governance_services.act_propose(
        kind="seat_assign",
        member_id=make_member(pseudonym="Candidate").pk,
        position="member",
        term_start=today,
        term_end=today + datetime.timedelta(days=365),
        by=committee,
        reason="Co-opted",
    )
    page.goto(reverse("governance:coordinator_seats"))
    assert page.locator("main li.card").count() == 1
    found |= audit(page, guard, "coordinator-seats")
    page.goto(reverse("members:coordinator_members"))
    assert page.locator("main li.card").count() >= 3
    found |= audit(page, guard, "coordinator-members")
    # The dashboard with the counts of what waits.
    page.goto(reverse("members:dashboard"))
    assert page.locator("#coordination-heading").count() == 1
    found |= audit(page, guard, "coordinator-dashboard")
    assert not found, listing(found)


def test_skip_link_is_first_and_visibly_focused(page, guard, db):
    page.goto(reverse("members:home"))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const el = document.activeElement, style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {href: el.getAttribute('href'), outline: style.outlineStyle,
                    width: parseFloat(style.outlineWidth), top: box.top};
        }"""
    )
    assert focused["href"] == "#main"
    assert focused["outline"] != "none" and focused["width"] >= 2
    assert focused["top"] >= 0, "the focused skip link must be on screen"
    guard.step(page, "skip-link-focused")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_every_control_is_reachable_by_keyboard(page, db):
    """Tabbing through the login page visits the switcher and the whole form."""
    page.goto(reverse("account_login"))
    visited = set()
    for _ in range(30):
        page.keyboard.press("Tab")
        visited.add(page.evaluate("() => document.activeElement.name || document.activeElement.id"))
    assert {"language", "login", "password"} <= visited
