"""Language selection in a real browser, and the browser tests' own guard."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.e2e


def test_member_sees_own_language_after_logging_in(open_page, guard, log_in, make_member):
    member = make_member(language="is", pseudonym="Sóley")
    page = log_in(open_page("en"), member)
    assert page.locator("html").get_attribute("lang") == "is"
    assert page.locator("h1").inner_text() == "Halló, Sóley"
    assert page.get_by_role("link", name="Prófíllinn þinn").is_visible()
    guard.step(page, "dashboard-in-icelandic")


def test_switcher_works_without_javascript(open_page, guard, db):
    page = open_page("en", javascript=False)
    page.goto(reverse("members:apply"))
    page.get_by_label("Language", exact=True).select_option("fi")
    page.get_by_role("button", name="Change").click()
    page.wait_for_url("**/apply/")
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.locator("h1").inner_text() == "Hae jäsenyyttä"
    guard.step(page, "apply-in-finnish-without-javascript")


def test_visitor_gets_browser_language_and_login_page_in_it(open_page, guard, db):
    page = open_page("sv")
    page.goto(reverse("account_login"))
    assert page.locator("h1").inner_text() == "Logga in"
    assert page.get_by_role("link", name="Glömt lösenordet?").is_visible()
    guard.step(page, "login-in-swedish")


def test_guard_collects_foreign_requests_and_console_errors(page, guard, db):
    page.goto(reverse("members:home"))
    page.evaluate("() => console.error('boom')")
    # An inline script without the nonce: the CSP blocks it and Chromium reports it.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.x = 1'; document.body.appendChild(s); }"
    )
    # A navigation elsewhere: CSP does not stop those, the guard must.
    page.evaluate("() => setTimeout(() => { location.href = 'http://elsewhere.invalid/t'; })")
    page.wait_for_timeout(500)
    problems = list(guard.problems)
    guard.problems.clear()  # caught on purpose: the test must not fail at teardown
    assert any("request to another host: http://elsewhere.invalid/t" in p for p in problems)
    assert "console error: boom" in problems
    assert any("Content Security Policy" in p for p in problems)
