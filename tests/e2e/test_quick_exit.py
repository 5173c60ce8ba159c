"""Quick exit ends the session: with and without JavaScript, the member lands on the
neutral page, and Back shows no member page (member pages are never stored; the session
is gone, so the server answers with the login page)."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_quick_exit_then_back_shows_no_member_page(
    open_page, log_in, make_member, settings, live_server, javascript
):
    # The harmless site is played by a local page, so that the test needs no network and
    # the guard's no-other-host rule holds.
    settings.QUICK_EXIT_URL = live_server.url + "/?left"
    member = make_member(pseudonym="Sóley")
    page = log_in(open_page("en", javascript=javascript), member)
    page.goto(reverse("members:profile"))
    assert "Sóley" in page.content()

    if javascript:
        # Escape twice, as a person in a hurry might.
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
    else:
        page.get_by_role("button", name="Quick exit").click()
    page.wait_for_url("**/?left")
    page.go_back()
    page.wait_for_load_state()
    assert reverse("members:profile") not in page.url or "/accounts/login/" in page.url
    assert "Sóley" not in page.content()
    # And the session is over: the dashboard asks for a login.
    page.goto(reverse("members:dashboard"))
    assert "/accounts/login/" in page.url
