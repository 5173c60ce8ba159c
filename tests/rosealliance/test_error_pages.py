"""Custom 400/403/404/500 pages: the site's own, in the visitor's language, never echoing
the URL, with every visible word marked for translation."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

ERROR_TEMPLATES = ["400.html", "403.html", "404.html", "500.html"]


@pytest.mark.urls("tests.rosealliance.urls_failing")
@pytest.mark.parametrize(
    ("path", "status"),
    [("/test-bad/", 400), ("/test-forbidden/", 403), ("/nowhere/secret-word/", 404)],
)
def test_error_pages_render_in_the_requested_language(db, path, status):
    response = Client().get(path, headers={"accept-language": "sv"})
    assert response.status_code == status
    body = response.content.decode()
    assert f'data-error="{status}"' in body
    assert '<html lang="sv">' in body
    # The message does not repeat the URL (base.html's language form keeps it as `next`).
    section = re.search(r'<section class="error-page".*?</section>', body, flags=re.S)
    assert "secret-word" not in section.group(0)


@pytest.mark.urls("tests.rosealliance.urls_failing")
def test_server_error_page_needs_no_request_context(make_member):
    member = make_member()
    client = Client(raise_request_exception=False)
    client.force_login(member.user)
    response = client.get("/test-crash/", headers={"accept-language": "fi"})
    assert response.status_code == 500
    body = response.content.decode()
    assert 'data-error="500"' in body
    assert '<html lang="fi">' in body
    assert member.pseudonym not in body


@pytest.mark.parametrize("name", ERROR_TEMPLATES)
def test_every_visible_word_is_marked_for_translation(name):
    source = (Path(settings.BASE_DIR) / "templates" / name).read_text()
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", source, flags=re.S)
    # What is left after template tags, variables, comments and HTML tags is shown as is.
    for pattern in (r"{%.*?%}", r"{{.*?}}", r"{#.*?#}", r"<[^>]*>"):
        source = re.sub(pattern, "", source, flags=re.S)
    assert not re.search(r"[A-Za-z]", source), f"untranslated text in {name}: {source.strip()}"
