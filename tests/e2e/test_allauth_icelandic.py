"""allauth's pages in a real browser on an Icelandic page: the visible text of each is
compared with the same page in English, and any line the same in both (other than names,
addresses and codes) is English left untranslated. The Django-client version in
tests/i18n/test_allauth_pages.py covers more pages; this one reads what Chromium shows
(after CSS and scripts), for the pages a member meets most."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language_info

from tests.conftest import PASSWORD, give_second_factor

pytestmark = pytest.mark.e2e

LOGGED_OUT = ["account_login", "account_reset_password", "account_signup"]
MEMBER = [
    "mfa_index",
    "usersessions_list",
    "account_change_password",
    "account_email",
    "account_logout",
    "account_reauthenticate",
]


LANGUAGE_NAMES = {
    get_language_info(code)["name_local"].lower() for code, _name in settings.LANGUAGES
}
NOT_WORDS = re.compile(r"^[\W\d_]*$")  # numbers, dates, punctuation
ADDRESS = re.compile(r"\S+@\S+|^\d+\.\d+\.\d+\.\d+$")


def is_name_or_code(text: str, member_names: set[str]) -> bool:
    return bool(
        text.lower() in LANGUAGE_NAMES
        or text in member_names
        or NOT_WORDS.match(text)
        or ADDRESS.search(text)
    )


def visible_lines(page) -> set[str]:
    return {line.strip() for line in page.locator("body").inner_text().splitlines() if line.strip()}


def untranslated(english: set[str], icelandic: set[str], names: set[str]) -> set[str]:
    return {line for line in english & icelandic if not is_name_or_code(line, names)}


def test_allauth_pages_show_no_english_in_icelandic(open_page, log_in, guard, make_member):
    seen: dict[str, dict[str, set[str]]] = {}
    names = set()
    for language in ("en", "is"):
        page = open_page(language)
        for name in LOGGED_OUT:
            page.goto(reverse(name))
            assert page.locator("html").get_attribute("lang") == language
            seen.setdefault(name, {})[language] = visible_lines(page)
        member = make_member(language=language, pseudonym=f"Hrafn {language}")
        give_second_factor(member.user)
        names |= {member.pseudonym, member.user.email}
        # Logging in passes through the second-factor prompt.
        page.goto(reverse("account_login"))
        page.locator("input[name='login']").fill(member.user.email)
        page.locator("input[name='password']").fill(PASSWORD)
        page.locator("main form button[type='submit']").first.click()
        page.wait_for_url("**/2fa/authenticate/")
        seen.setdefault("mfa_authenticate", {})[language] = visible_lines(page)
        page.context.clear_cookies()
        page = log_in(open_page(language), member)
        for name in MEMBER:
            page.goto(reverse(name))
            assert page.locator("html").get_attribute("lang") == language
            seen.setdefault(name, {})[language] = visible_lines(page)
        guard.step(page, f"allauth-{language}")
    assert len(seen) == len(LOGGED_OUT) + len(MEMBER) + 1
    for name, by_language in seen.items():
        assert by_language["is"] and by_language["is"] != by_language["en"], name
    found = {
        name: left
        for name, by_language in seen.items()
        if (left := untranslated(by_language["en"], by_language["is"], names))
    }
    assert not found, found
