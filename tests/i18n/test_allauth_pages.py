"""Every allauth page a member meets is in the member's language, Icelandic included
(allauth ships no Icelandic catalogue: the project's catalogue carries its strings).

The test renders each page in English and in every other language and compares the
visible text: a piece of English text that appears unchanged on the translated page is
a string nobody translated."""

from html.parser import HTMLParser

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_info, gettext

from rosealliance.allauth_strings import ALLAUTH_STRINGS
from tests.conftest import PASSWORD, give_second_factor

COOKIE = settings.LANGUAGE_COOKIE_NAME
# Text that is the same in every language: the names of the languages in the switcher,
# each in its own language.
SAME_EVERYWHERE = {get_language_info(code)["name_local"] for code, _name in settings.LANGUAGES}


class VisibleText(HTMLParser):
    """The pieces of text a reader sees or hears: text nodes outside <script>/<style>,
    and the attributes read aloud or shown (placeholder, title, aria-label, alt, button
    values)."""

    SPOKEN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")

    def __init__(self):
        super().__init__()
        self.pieces: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        attributes = dict(attrs)
        for name in self.SPOKEN_ATTRIBUTES:
            if attributes.get(name):
                self.pieces.append(attributes[name].strip())
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.pieces.append((attributes.get("value") or "").strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.pieces.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return [piece for piece in parser.pieces if any(c.isalpha() for c in piece)]


def untranslated(english: str, translated: str, *, own_words: set[str]) -> set[str]:
    translated_pieces = set(visible_text(translated))
    return {
        piece
        for piece in visible_text(english)
        if piece in translated_pieces and piece not in SAME_EVERYWHERE | own_words
    }


# Pages of a logged-in member (URL name, arguments).
MEMBER_PAGES = [
    ("account_logout", ()),
    ("account_change_password", ()),
    ("account_email", ()),
    ("account_reauthenticate", ()),
    ("mfa_index", ()),
    ("mfa_activate_totp", ()),
    ("mfa_list_webauthn", ()),
    ("mfa_add_webauthn", ()),
    ("usersessions_list", ()),
]
# Pages of a member with an authenticator app (recovery codes, turning it off).
SECOND_FACTOR_PAGES = [
    ("mfa_index", ()),
    ("mfa_deactivate_totp", ()),
    ("mfa_view_recovery_codes", ()),
    ("mfa_generate_recovery_codes", ()),
    ("mfa_reauthenticate", ()),
]
# Pages of a visitor who is not logged in.
VISITOR_PAGES = [
    ("account_login", ()),
    ("account_reset_password", ()),
    ("account_reset_password_done", ()),
    ("account_reset_password_from_key", ("0", "not-a-key")),
    ("account_confirm_email", ("not-a-key",)),
]


def page(client: Client, language: str, name: str, args: tuple) -> str:
    client.cookies[COOKIE] = language
    response = client.get(reverse(name, args=args), follow=True)
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


def logged_in(member) -> Client:
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": member.user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def own_words_of(member) -> set[str]:
    return {member.user.email, member.pseudonym}


def assert_translated(client, pages, own_words):
    failures = {}
    for name, args in pages:
        english = page(client, "en", name, args)
        for language in ("sv", "nb", "fi", "is"):
            left = untranslated(english, page(client, language, name, args), own_words=own_words)
            if left:
                failures[(name, language)] = sorted(left)
    assert not failures, failures


@pytest.mark.django_db
def test_visitor_pages_have_no_english_left(client):
    assert_translated(client, VISITOR_PAGES, own_words=set())


def test_member_pages_have_no_english_left(make_member):
    member = make_member(language="en")
    assert_translated(logged_in(member), MEMBER_PAGES, own_words_of(member))


def test_second_factor_pages_have_no_english_left(make_member):
    member = make_member(language="en")
    client = logged_in(member)
    give_second_factor(member.user)
    RecoveryCodes.activate(member.user)
    assert_translated(client, SECOND_FACTOR_PAGES, own_words_of(member))


def test_the_comparison_finds_english_left_on_a_page():
    # The check itself can fail: an English sentence left on a translated page is found.
    english = "<main><h1>Sessions</h1><p>Sign out</p></main>"
    icelandic = "<main><h1>Setur</h1><p>Sign out</p></main>"
    assert untranslated(english, icelandic, own_words=set()) == {"Sign out"}


@pytest.mark.parametrize("language", ["sv", "nb", "fi", "is"])
def test_every_listed_allauth_string_is_translated(language):
    with translation.override(language):
        untranslated_strings = [
            text for text in ALLAUTH_STRINGS if isinstance(text, str) and gettext(text) == text
        ]
    assert not untranslated_strings


def test_second_step_of_login_has_no_english_left(make_member):
    # A member with an authenticator app is asked for a code after the password.
    member = make_member(language="en", second_factor=True)
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": member.user.email, "password": PASSWORD}
    )
    assert response.url == reverse("mfa_authenticate")
    assert_translated(client, [("mfa_authenticate", ())], own_words_of(member))


def test_session_times_are_icelandic_too():
    # The session list shows "a second ago" and the like (Django humanize, which has no
    # Icelandic translation of them): the project's catalogue carries them.
    import datetime

    from django.contrib.humanize.templatetags.humanize import naturaltime
    from django.utils import timezone

    with translation.override("is"):
        for delta in (datetime.timedelta(seconds=1), datetime.timedelta(minutes=5)):
            assert naturaltime(timezone.now() - delta).startswith("fyrir ")
        assert (
            naturaltime(timezone.now() - datetime.timedelta(hours=3)) == "fyrir 3\xa0klukkustundum"
        )
