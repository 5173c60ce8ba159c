"""Which language a person sees: the member's preference after login, the switcher on
every page, the browser's language for visitors, and sensible fallbacks for bad input."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from members.models import Member, User
from members.signals import use_preferred_language
from tests.conftest import PASSWORD

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response) -> str:
    """The `lang` of the page's <html> element, i.e. the language it was rendered in."""
    content = response.content.decode()
    start = content.index("<html lang=") + len('<html lang="')
    return content[start : content.index('"', start)]


def log_in_through_form(client, member, **headers):
    return client.post(
        reverse("account_login"),
        {"login": member.user.email, "password": PASSWORD},
        **headers,
    )


# --- After login: the member's preferred language ------------------------------------


@pytest.mark.parametrize("language", ["sv", "nb", "fi", "is"])
def test_login_switches_to_preferred_language(client, make_member, language):
    member = make_member(language=language)
    response = log_in_through_form(client, member, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == language
    dashboard = client.get(reverse("members:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(dashboard) == language


def test_login_overrides_an_earlier_switcher_choice(client, make_member):
    member = make_member(language="is")
    client.post(reverse("set_language"), {"language": "fi", "next": "/"})
    assert client.cookies[COOKIE].value == "fi"
    log_in_through_form(client, member)
    assert client.cookies[COOKIE].value == "is"
    assert html_lang(client.get(reverse("members:dashboard"))) == "is"


def test_switcher_still_works_after_login(client, make_member):
    member = make_member(language="is")
    log_in_through_form(client, member)
    client.post(reverse("set_language"), {"language": "sv", "next": "/dashboard/"})
    assert html_lang(client.get(reverse("members:dashboard"))) == "sv"


def test_profile_change_of_language_takes_effect_at_once(client, make_member):
    member = make_member(language="en", country="FI")
    log_in_through_form(client, member)
    response = client.post(
        reverse("members:profile"),
        {"pseudonym": member.pseudonym, "country": "FI", "preferred_language": "fi"},
        follow=True,
    )
    assert client.cookies[COOKIE].value == "fi"
    assert html_lang(response) == "fi"
    member.refresh_from_db()
    assert member.preferred_language == "fi"
    # The confirmation message is in the new language too.
    assert "Profiilisi on tallennettu." in response.content.decode()


def test_account_without_member_record_logs_in_without_language_cookie(client, db):
    User.objects.create_user(email="root@example.test", password=PASSWORD)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=User.objects.get(email="root@example.test"),
        email="root@example.test",
        primary=True,
        verified=True,
    )
    response = client.post(
        reverse("account_login"),
        {"login": "root@example.test", "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert response.status_code == 302
    assert COOKIE not in response.cookies
    assert html_lang(client.get(reverse("members:dashboard"), HTTP_ACCEPT_LANGUAGE="sv")) == "sv"


@pytest.mark.parametrize("stored", ["", "xx", None])
def test_unset_or_unknown_preferred_language_is_ignored(make_member, stored):
    # The database refuses such values (member_language_is_known); the receiver must still
    # not break a login should one ever reach it.
    member = make_member(language="sv")
    member.preferred_language = stored
    request = RequestFactory().get("/")
    use_preferred_language(sender=User, request=request, user=member.user)
    assert not hasattr(request, "preferred_language")


def test_login_without_request_is_ignored(make_member):
    member = make_member(language="sv")
    use_preferred_language(sender=User, request=None, user=member.user)


# --- The switcher --------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["members:home", "members:apply", "account_login"])
def test_switcher_is_on_pages_before_login(client, db, url_name):
    content = client.get(reverse(url_name)).content.decode()
    assert f'action="{reverse("set_language")}"' in content
    for code, _name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in content


def test_switcher_is_on_pages_after_login(client, make_member):
    client.force_login(make_member().user)
    for url_name in ["members:dashboard", "members:profile", "members:status_change"]:
        content = client.get(reverse(url_name)).content.decode()
        assert f'action="{reverse("set_language")}"' in content


def test_switcher_marks_current_language_selected(client, db):
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    content = client.get(reverse("members:home")).content.decode()
    assert '<option value="nb" lang="nb" selected>' in content


def test_switcher_returns_to_the_same_page(client, db):
    response = client.post(reverse("set_language"), {"language": "sv", "next": "/apply/"})
    assert response.status_code == 302
    assert response["Location"] == "/apply/"
    assert response.cookies[COOKIE].value == "sv"
    assert html_lang(client.get("/apply/")) == "sv"


@pytest.mark.parametrize("bad", ["xx", "", "en-zz-<script>", "../../etc/passwd", "sv" * 200])
def test_switcher_with_unknown_language_keeps_current_one(client, db, bad):
    client.post(reverse("set_language"), {"language": "fi", "next": "/"})
    response = client.post(reverse("set_language"), {"language": bad, "next": "/apply/"})
    assert response.status_code == 302
    assert client.cookies[COOKIE].value == "fi"
    assert html_lang(client.get("/apply/")) == "fi"


def test_switcher_does_not_redirect_to_another_host(client, db):
    response = client.post(
        reverse("set_language"), {"language": "sv", "next": "https://attacker.example/"}
    )
    assert response.status_code == 302
    assert "attacker.example" not in response["Location"]


def test_switcher_without_post_changes_nothing(client, db):
    response = client.get(reverse("set_language"), {"language": "sv"})
    assert response.status_code in (302, 405)
    assert COOKIE not in response.cookies


# --- Visitors: the browser's language ------------------------------------------------


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("sv-SE,sv;q=0.9,en;q=0.5", "sv"),
        ("nb-NO,nb;q=0.9", "nb"),
        ("fi", "fi"),
        ("is-IS", "is"),
        ("de-DE,fi;q=0.5", "fi"),
        ("en-GB", "en"),
    ],
)
def test_visitor_sees_browser_language(client, db, accept_language, expected):
    response = client.get(reverse("members:home"), HTTP_ACCEPT_LANGUAGE=accept_language)
    assert html_lang(response) == expected


@pytest.mark.parametrize(
    "accept_language", ["xx-YY", "de", "*", "", ";;;q=abc,", "sv;q=nonsense", "a" * 500]
)
def test_unknown_browser_language_falls_back_to_english(client, db, accept_language):
    response = client.get(reverse("members:home"), HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 200
    assert html_lang(response) == "en"


def test_unknown_language_cookie_falls_back_to_browser_language(client, db):
    client.cookies[COOKIE] = "xx"
    response = client.get(reverse("members:home"), HTTP_ACCEPT_LANGUAGE="is")
    assert response.status_code == 200
    assert html_lang(response) == "is"


def test_pages_are_translated_not_only_tagged(client, db):
    """The lang attribute alone proves nothing: the visible text changes too."""
    texts = {
        "en": "Apply for membership",
        "sv": "Ansök om medlemskap",
        "nb": "Søk om medlemskap",
        "fi": "Hae jäsenyyttä",
        "is": "Sækja um aðild",
    }
    for code, text in texts.items():
        content = client.get(reverse("members:home"), HTTP_ACCEPT_LANGUAGE=code).content
        assert text in content.decode(), code


# --- E-mails in the recipient's language ---------------------------------------------


def test_approval_mail_is_in_member_language(
    make_member, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    from members import services

    member = make_member(language="is", state="applied")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application_id=member.application.pk, by=coordinator)
    message = mailoutbox[-1]
    assert message.subject == "Aðgangurinn þinn er tilbúinn"
    assert member.pseudonym not in message.body


def test_member_model_default_language_is_a_site_language():
    default = Member._meta.get_field("preferred_language").default
    assert default in dict(settings.LANGUAGES)


# --- allauth's pages and messages, which allauth itself does not translate to Icelandic --


def test_login_error_is_in_visitor_language(client, db):
    response = client.post(
        reverse("account_login"),
        {"login": "nobody@example.test", "password": "wrong-password-123"},
        HTTP_ACCEPT_LANGUAGE="is",
    )
    content = response.content.decode()
    assert "Netfangið eða lykilorðið er rangt." in content
    assert "Gleymdirðu lykilorðinu?" in content


@pytest.mark.parametrize(
    ("url_name", "icelandic"),
    [
        ("account_login", "Ekki enn í félaginu?"),
        ("account_reset_password", "Veldu nýtt lykilorð"),
        ("account_reset_password_done", "Athugaðu tölvupóstinn þinn"),
    ],
)
def test_account_pages_are_in_icelandic(client, db, url_name, icelandic):
    content = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="is").content.decode()
    assert icelandic in content
    assert "Sign In" not in content and "sign up" not in content
