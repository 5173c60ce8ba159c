"""Headers and cookies, the production configuration (`check --deploy`), and pages that
work under the Content Security Policy (no inline code without the nonce)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

REPO = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}
        and not key.startswith(("SECURE_", "SESSION_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="rosealliance.settings",
        SECRET_KEY="prod-" + "k3y-w1th-3nough-ent40py-" * 3,
        ALLOWED_HOSTS="members.example.org",
        EMAIL_HOST="smtp.example.org",
        STATIC_ROOT=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_defaults_are_strict():
    # test_settings relaxes only the HTTPS redirect and cookie flags, for the test client.
    assert settings.SECURE_HSTS_SECONDS >= 31536000
    assert settings.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.SECURE_REFERRER_POLICY == "same-origin"
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF


def test_response_headers(client, db):
    response = client.get(reverse("members:home"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert re.search(r"script-src 'self' 'nonce-[^']+'", csp)


def test_session_cookie_is_http_only_and_secure_in_production(client, sex_worker, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client.post(
        reverse("account_login"),
        {"login": sex_worker.user.email, "password": "correct-horse-battery-9"},
        secure=True,
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["secure"]
    assert cookie["samesite"] == "Lax"


INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style(?P<attrs>[^>]*)>", re.I)


def assert_runs_under_csp(response) -> None:
    """Every script that executes is external (same origin) or carries the response's
    nonce; no inline style attributes or event handlers (CSP forbids them without
    'unsafe-inline', so the page would silently break)."""
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    for match in INLINE_SCRIPT.finditer(html):
        attrs, body = match.group("attrs"), match.group("body").strip()
        if "src=" in attrs or not body or re.search(r'type="application/(ld\+)?json"', attrs):
            continue
        assert nonce and f'nonce="{nonce.group(1)}"' in attrs, f"inline script: {match[0][:200]}"
    assert not STYLE_ATTRIBUTE.search(html), STYLE_ATTRIBUTE.search(html)[0]
    assert not EVENT_HANDLER.search(html), EVENT_HANDLER.search(html)[0]
    for match in STYLE_ELEMENT.finditer(html):
        assert nonce and nonce.group(1) in match.group("attrs"), match[0]
    # Loads (not navigations such as the quick-exit link) stay on this host.
    remote = re.search(r'(?:\ssrc=|<link[^>]*\shref=)"(?:https?:)?//[^"]+"', html)
    assert not remote, f"resource from another host: {remote[0]}"


ADMIN_PAGES = [
    ("admin:index", []),
    ("admin:members_member_changelist", []),
    ("admin:members_member_change", ["member"]),
    ("admin:members_user_changelist", []),
    ("admin:members_user_change", ["user"]),
    ("admin:members_membershipapplication_changelist", []),
    ("admin:members_statuschangerequest_changelist", []),
    ("admin:audit_auditevent_changelist", []),
    ("admin:auth_group_changelist", []),
    ("admin:auth_group_add", []),
    ("admin:password_change", []),
    ("admin:jsi18n", []),
]


@pytest.mark.parametrize(("name", "args"), ADMIN_PAGES)
def test_admin_pages_work_under_the_csp(client, administrator, make_member, name, args):
    member = make_member()
    objects = {"member": member.pk, "user": member.user.pk}
    client.force_login(administrator)
    response = client.get(reverse(name, args=[objects[a] for a in args]))
    assert response.status_code == 200
    if response["Content-Type"].startswith("text/html"):
        assert_runs_under_csp(response)


SITE_PAGES = [
    "members:home",
    "members:apply",
    "account_login",
    "account_reset_password",
    "members:dashboard",
    "members:profile",
    "members:status_change",
    "members:coordinator_queue",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_list_webauthn",
    "usersessions_list",
    "account_email",
    "account_change_password",
]


@pytest.mark.parametrize("name", SITE_PAGES)
def test_site_pages_work_under_the_csp(client, coordinator, name):
    if name not in {"members:home", "members:apply", "account_login", "account_reset_password"}:
        client.force_login(coordinator.user)
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200
    assert_runs_under_csp(response)


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<div style="color:red">x</div>',
        '<button onclick="go()">x</button>',
        "<style>p{}</style>",
        '<script src="https://cdn.example.com/x.js"></script>',
        '<link rel="stylesheet" href="//fonts.example.com/f.css">',
    ],
)
def test_csp_check_catches_inline_and_remote_code(html):
    from django.http import HttpResponse

    response = HttpResponse(f"<html><body>{html}</body></html>")
    response["Content-Security-Policy"] = "script-src 'self' 'nonce-abc'"
    with pytest.raises(AssertionError):
        assert_runs_under_csp(response)
