"""The shared header (rosealliance/templatetags/page_chrome.py): rendered once per language
and variant, it must show every member exactly what a fresh rendering would, with their own
CSRF token and return path, and nothing of anyone else's."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from rosealliance.templatetags import page_chrome

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def page(client: Client, path: str, language: str = "en") -> str:
    client.cookies["django_language"] = language
    return client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()


@pytest.mark.parametrize("language", ["en", "is"])
def test_cached_header_is_the_fresh_one_with_the_visitors_own_token(
    make_member, coordinator, language
):
    members = [make_member(pseudonym="Aurora"), make_member(pseudonym="Borealis")]
    clients = []
    for who in [*members, coordinator]:
        client = Client()
        client.force_login(who.user)
        clients.append(client)
    page_chrome._rendered.clear()
    fresh = [header(page(c, reverse("members:dashboard"), language)) for c in clients]
    cached = [header(page(c, reverse("members:dashboard"), language)) for c in clients]
    for before, after in zip(fresh, cached, strict=True):
        assert TOKEN.sub("", before) == TOKEN.sub("", after)
    # Two members see one header but for their own tokens; the coordinator sees more.
    assert TOKEN.sub("", cached[0]) == TOKEN.sub("", cached[1])
    assert "Aurora" not in cached[1] and "Borealis" not in cached[0]
    assert reverse("members:coordinator_queue") in cached[2]
    assert reverse("members:coordinator_queue") not in cached[0]
    for client, html in zip(clients, cached, strict=True):
        tokens = set(TOKEN.findall(html))
        assert tokens and "\x00" not in html
        # The token works: the header's logout form logs this member out.
        form = {"csrfmiddlewaretoken": tokens.pop()}
        client_csrf = Client(enforce_csrf_checks=True)
        client_csrf.cookies = client.cookies
        assert client_csrf.post(reverse("account_logout"), form).status_code == 302


def test_the_language_switcher_returns_to_this_page_escaped(make_member):
    client = Client()
    client.force_login(make_member().user)
    html = page(client, reverse("governance:motion_list") + "?x=1&y=2")
    assert 'name="next" value="/motions/?x=1&amp;y=2"' in header(html)
    html = page(client, reverse("governance:motion_list") + '?x="><script>')
    assert "<script>" not in header(html) and '"><' not in header(html).split("next")[1][:40]
