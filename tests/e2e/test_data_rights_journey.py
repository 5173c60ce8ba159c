"""A member downloads their data and then leaves, in a real browser: the pages are in the
member's language, pass axe-core and reflow at 320 px, and re-authentication comes first."""

import json

import pytest
from django.urls import reverse

from members.models import Member, MembershipState
from tests.conftest import PASSWORD

from .test_accessibility import audit, listing

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("language", ["en", "is"])
def test_member_downloads_their_data_and_leaves(open_page, guard, log_in, make_member, language):
    member = make_member(language=language, pseudonym="Hrafnhildur")
    page = log_in(open_page(language), member)
    found = {}

    page.goto(reverse("members:profile"))
    page.locator(f"main a[href='{reverse('members:data_rights')}']").click()
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert page.locator("html").get_attribute("lang") == language
    found |= audit(page, guard, "reauthenticate")
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main form button[type='submit']").click()
    page.wait_for_url(f"**{reverse('members:data_rights')}")
    found |= audit(page, guard, "data-rights")

    with page.expect_download() as download_info:
        page.locator(f"form[action='{reverse('members:data_export')}'] button").first.click()
    download = download_info.value
    assert download.suggested_filename.startswith("personal-data-")
    with open(download.path(), encoding="utf-8") as file:
        assert json.load(file)["member"]["pseudonym"] == "Hrafnhildur"
    # The same data as a table, from the second form.
    with page.expect_download() as download_info:
        page.locator(f"form[action='{reverse('members:data_export')}'] button").last.click()
    table = download_info.value
    assert table.suggested_filename.endswith(".csv")
    with open(table.path(), encoding="utf-8") as file:
        assert "member.pseudonym,Hrafnhildur" in file.read()

    page.goto(reverse("members:leave"))
    found |= audit(page, guard, "leave")
    page.locator("main form button[type='submit']").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid='true']").count() == 1
    found |= audit(page, guard, "leave-with-errors")
    member.refresh_from_db()
    assert member.state == MembershipState.ACTIVE

    page.locator("input[name='confirm']").check()
    page.locator("main form button[type='submit']").click()
    page.wait_for_url(f"**{reverse('members:left')}")
    found |= audit(page, guard, "left")
    assert Member.objects.get(pk=member.pk).state == MembershipState.ERASED
    assert not found, listing(found)
