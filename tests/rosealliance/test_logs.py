"""Logs never hold a member's e-mail address, pseudonym or status, whatever happens in a
request, and they are JSON lines."""

import io
import json
import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from core.log_format import JsonLinesFormatter, redact
from members.models import Status


@pytest.fixture
def log_output():
    """What the configured log handler writes, captured while the test runs."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, JsonLinesFormatter)
    ]
    # Exactly one: settings.LOGGING routes every record through the JSON formatter.
    assert len(handlers) == 1
    handler = handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def forbidden_text(member) -> list[str]:
    label = Status(member.status).label
    return [member.user.email, member.pseudonym, member.status, str(label)]


@pytest.mark.urls("tests.rosealliance.urls_failing")
def test_request_logs_hold_no_email_pseudonym_or_status(log_output, make_member):
    member = make_member(status=Status.SEX_WORKER, pseudonym="Nightingale")
    email = member.user.email
    client = Client(raise_request_exception=False)

    client.post(reverse("account_login"), {"login": email, "password": "wrong-password-1"})
    client.get(f"/nowhere/{email}/?q={member.pseudonym}")
    client.force_login(member.user)
    client.get("/coordinator/")
    client.get("/test-forbidden/")
    client.get("/test-bad/")
    assert client.get("/test-crash/").status_code == 500

    lines = log_output.getvalue().splitlines()
    records = [json.loads(line) for line in lines]
    statuses = {record.get("status") for record in records}
    # The log did record the failures; it just left the person out.
    assert {400, 403, 404, 500} <= statuses
    crash = next(record for record in records if record.get("status") == 500)
    assert crash["exception"] == "RuntimeError"
    assert any("in crash" in frame for frame in crash["stack"])
    text = log_output.getvalue().lower()
    for value in forbidden_text(member):
        assert value.lower() not in text
    assert not re.search(r"sex.?worker|\bally\b", text)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Not Found: /x/rosa@example.test/", "Not Found: /x/[redacted]/"),
        ("GET /admin/members/member/?q=rosa 200", "GET /admin/members/member/?[redacted] 200"),
        ("/accounts/confirm-email/MTI:1u2:abc/", "/accounts/confirm-email/[redacted]/"),
        ("/accounts/password/reset/key/1-abc/", "/accounts/password/reset/key/[redacted]/"),
    ],
)
def test_redact_blanks_addresses_queries_and_url_secrets(raw, clean):
    assert redact(raw) == clean
