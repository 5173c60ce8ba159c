"""Every e-mail the site sends, in every language: written in the recipient's language, in
the project's neutral wording, naming neither the organisation's purpose, nor the host,
nor the member's pseudonym (an e-mail may be read by someone the member lives with).

The site's own e-mails (members/email/) and every e-mail template allauth has (account/
and mfa/, the project overrides each one) are rendered with a context that carries a
revealing host name and a pseudonym, so a template that printed them would be caught."""

import re
from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import get_adapter
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from members.emails import render_member_mail
from tests.conftest import PASSWORD

LANGUAGES = [code for code, _name in settings.LANGUAGES]
REVEALING_HOST = "sexworkers-union.example"
REVEALING_SITE_NAME = "Sex Workers Union"
PSEUDONYM = "Velvet Moon"
# Words an e-mail must never carry, in each language: the purpose, status, votes.
FORBIDDEN = {
    "en": ["sex", "vote", "ballot", "motion", "status", "union"],
    "sv": ["sex", "röst", "omröstning", "status"],
    "nb": ["sex", "stemme", "avstemning", "status"],
    "fi": ["seksi", "ääni", "äänestys", "status"],
    "is": ["kyn", "atkvæð", "staða"],
}

ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
# The e-mails of the allauth apps the site runs (base_* are the layouts they extend).
ALLAUTH_MAILS = sorted(
    f"{path.parent.parent.name}/email/{path.name.removesuffix('_message.txt')}"
    for path in ALLAUTH_TEMPLATES.glob("*/email/*_message.txt")
    if apps.is_installed(f"allauth.{path.parent.parent.name}") and not path.name.startswith("base_")
)
MEMBER_MAILS = sorted(
    path.name.removesuffix("_message.txt")
    for path in (Path(settings.BASE_DIR) / "templates/members/email").glob("*_message.txt")
)


class Site:
    name = REVEALING_SITE_NAME
    domain = REVEALING_HOST


class User:
    """Stands in for the account allauth names in its stock e-mails ({% user_display %})."""

    email = "someone@example.test"
    username = PSEUDONYM
    pk = 1

    def __str__(self):
        return PSEUDONYM


def allauth_context() -> dict:
    link = "https://members.example.test/accounts/link/abc/"
    return {
        "current_site": Site(),
        "user": User(),
        "user_display": PSEUDONYM,
        "username": PSEUDONYM,
        "email": "someone@example.test",
        "activate_url": link,
        "password_reset_url": link,
        "signup_url": link,
        "key": "abc",
        "code": "123456",
        "ip": "192.0.2.1",
        "user_agent": "Browser",
        "timestamp": "2026-12-03 10:00",
        "from_email": "old@example.test",
        "to_email": "new@example.test",
        "deleted_email": "old@example.test",
    }


def render_allauth_mail(prefix: str, language: str) -> tuple[str, str]:
    request = RequestFactory().get("/")
    with translation.override(language):
        message = get_adapter(request).render_mail(
            prefix, "someone@example.test", {"request": request, **allauth_context()}
        )
    return message.subject, message.body


def assert_neutral(subject: str, body: str, language: str) -> None:
    text = f"{subject}\n{body}".lower()
    for revealing in (REVEALING_HOST, REVEALING_SITE_NAME.lower(), PSEUDONYM.lower()):
        assert revealing not in text
    for word in FORBIDDEN[language]:
        assert not re.search(rf"\b{word}", text), word
    assert subject.strip() and body.strip()


def assert_in_language(subject: str, body: str, english: tuple[str, str], language: str):
    with translation.override(language):
        greeting = gettext("Hello,")
    assert body.lstrip().startswith(greeting)
    if language != "en":
        assert subject != english[0]
        assert body != english[1]


@pytest.mark.parametrize("prefix", ALLAUTH_MAILS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_allauth_mail_is_neutral_and_in_the_language(prefix, language):
    subject, body = render_allauth_mail(prefix, language)
    assert_neutral(subject, body, language)
    assert_in_language(subject, body, render_allauth_mail(prefix, "en"), language)


@pytest.mark.parametrize("name", MEMBER_MAILS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_member_mail_is_neutral_and_in_the_language(name, language):
    context = {"pseudonym": PSEUDONYM, "site": REVEALING_HOST}
    subject, body = render_member_mail(name, language=language, context=context)
    assert_neutral(subject, body, language)
    english = render_member_mail(name, language="en", context=context)
    assert_in_language(subject, body, english, language)


def test_the_lists_of_mails_are_complete():
    # Each list is read from the template folders: a new e-mail is checked without
    # anyone adding it here.
    assert "account/email/email_confirmation" in ALLAUTH_MAILS
    assert "mfa/email/totp_activated" in ALLAUTH_MAILS
    assert "application_approved" in MEMBER_MAILS


def test_the_check_catches_a_stock_allauth_mail():
    # allauth's own confirmation e-mail (not the project's override) names the host and
    # the person: the check above fails on it.
    stock = (ALLAUTH_TEMPLATES / "account/email/email_confirmation_message.txt").read_text()
    body = Template(stock).render(Context(allauth_context()))
    assert PSEUDONYM in body
    with pytest.raises(AssertionError):
        assert_neutral("Subject", body, "en")


@pytest.mark.parametrize("language", ["is", "fi"])
def test_a_real_password_reset_mail_is_in_the_members_language(client, make_member, language):
    member = make_member(language=language, pseudonym=PSEUDONYM)
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": member.user.email})
    [message] = mail.outbox
    assert_neutral(message.subject, message.body, language)
    english = render_allauth_mail("account/email/password_reset_key", "en")
    assert_in_language(message.subject, message.body, english, language)


def test_a_real_confirmation_mail_after_applying_is_in_the_chosen_language(client, db):
    mail.outbox.clear()
    response = client.post(
        reverse("members:apply"),
        {
            "email": "new@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "pseudonym": PSEUDONYM,
            "country": "IS",
            "preferred_language": "is",
            "status": "ally",
            "note": "",
        },
        HTTP_ACCEPT_LANGUAGE="is",
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert_neutral(message.subject, message.body, "is")
    english = render_allauth_mail("account/email/email_confirmation", "en")
    assert_in_language(message.subject, message.body, english, "is")


def test_member_mails_end_with_a_link_to_the_site():
    for name in MEMBER_MAILS:
        _subject, body = render_member_mail(
            name, language="en", context={"link": "https://members.example.test/dashboard/"}
        )
        assert "https://members.example.test/dashboard/" in body
