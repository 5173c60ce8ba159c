"""Privacy: every stored field is classified, and a member's status never shows up in
logs, e-mails, URLs or page titles during the flows that handle it."""

import logging
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from core import privacy
from members.models import Member, Status
from tests.conftest import PASSWORD

# --- the registry ---------------------------------------------------------------------


def test_every_field_of_every_model_is_classified():
    missing = privacy.unclassified_fields()
    if missing:
        lines = []
        for label, names in sorted(missing.items()):
            app_label = label.split(".")[0]
            body = "".join(f'        "{name}": Level.<LEVEL>,\n' for name in names)
            lines.append(
                f"# in {app_label}/privacy.py (or core/privacy.py for a "
                f"third-party app):\nclassify(\n    {label!r},\n    {{\n{body}    }},\n)"
            )
        pytest.fail(
            "These fields have no privacy level. Add them (levels: PUBLIC_TO_MEMBERS, "
            "PRIVATE_TO_MEMBER, SENSITIVE, SECRET; see core/privacy.py), starting "
            "the module with `from core.privacy import Level, classify`:\n\n" + "\n\n".join(lines)
        )


def test_no_classification_names_a_field_that_does_not_exist():
    assert privacy.stale_entries() == {}, "remove or rename these entries"


def test_the_registry_check_notices_a_new_field(monkeypatch):
    from django.db import models

    field = models.CharField(name="shoe_size", max_length=3)
    field.set_attributes_from_name("shoe_size")
    field.model = Member
    monkeypatch.setattr(Member._meta, "concrete_fields", (*Member._meta.concrete_fields, field))
    assert privacy.unclassified_fields().get("members.member") == ["shoe_size"]


def test_status_and_secrets_have_the_strictest_levels():
    registry = privacy.registry()
    assert registry["members.member"]["status"] == privacy.Level.SENSITIVE
    assert registry["members.statuschangerequest"]["to_status"] == privacy.Level.SENSITIVE
    assert registry["members.user"]["password"] == privacy.Level.SECRET
    assert registry["mfa.authenticator"]["data"] == privacy.Level.SECRET
    assert registry["usersessions.usersession"]["session_key"] == privacy.Level.SECRET


# --- no status in logs, e-mails, URLs, titles -------------------------------------------

# Words that say what the organisation is about, beyond the status labels themselves.
PURPOSE_WORDS = [r"\bsex", r"\bseks", r"kynl[íi]f", r"prostitu", r"escort", r"advocacy"]


def revealing_patterns() -> list[re.Pattern]:
    """The status values and their labels in every language, as whole words, plus the
    words naming the organisation's purpose."""
    words = set()
    for value, label in Status.choices:
        words.add(value)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                words.add(str(label))
    patterns = [re.compile(rf"\b{re.escape(word)}\b", re.I) for word in words]
    patterns += [re.compile(word, re.I) for word in PURPOSE_WORDS]
    return patterns


def leaks(text: str) -> list[str]:
    return [p.pattern for p in revealing_patterns() if p.search(text)]


class RecordingClient(Client):
    """A test client that remembers every URL it asked for or was sent to, and every
    page title it received."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.urls: list[str] = []
        self.titles: list[str] = []

    def request(self, **request):
        response = super().request(**request)
        self.urls.append(request["PATH_INFO"] + "?" + request.get("QUERY_STRING", ""))
        if "Location" in response:
            self.urls.append(response["Location"])
        if response.get("Content-Type", "").startswith("text/html"):
            self.titles += re.findall(r"<title>(.*?)</title>", response.content.decode(), re.S)
        return response


def confirmation_link(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def run_membership_flows(language: str, coordinator) -> list[RecordingClient]:
    """Apply (a sex worker and an ally), confirm the address, get approved or rejected,
    log in, ask for a status change, have it approved, log in again."""
    applicant = RecordingClient()
    applicant.get(reverse("members:apply"))
    form = {
        "pseudonym": "Rain",
        "email": "rain@example.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "country": "NO",
        "preferred_language": language,
        "note": "",
    }
    assert (
        applicant.post(reverse("members:apply"), {**form, "status": "sex_worker"}).status_code
        == 302
    )
    applicant.post(confirmation_link(mail.outbox[-1]))
    rejected = RecordingClient()
    rejected.post(
        reverse("members:apply"),
        {**form, "pseudonym": "Snow", "email": "snow@example.test", "status": "ally"},
        follow=True,
    )

    staff = RecordingClient()
    staff.force_login(coordinator.user)
    staff.get(reverse("members:coordinator_queue"))
    rain = Member.objects.get(user__email="rain@example.test")
    snow = Member.objects.get(user__email="snow@example.test")
    staff.post(
        reverse("members:application_decide", args=[rain.application.pk]),
        {"decision": "approve", "reason": ""},
    )
    staff.post(
        reverse("members:application_decide", args=[snow.application.pk]),
        {"decision": "reject", "reason": "Not now"},
    )

    login = {"login": "rain@example.test", "password": PASSWORD}
    assert applicant.post(reverse("account_login"), login).status_code == 302
    for name in ("members:dashboard", "members:profile", "members:status_change"):
        assert applicant.get(reverse(name)).status_code == 200
    # Refusals are logged (403, 404): those log lines must not leak either.
    assert applicant.get(reverse("members:coordinator_queue")).status_code == 403
    missing = reverse("members:status_change_decide", args=[999999])
    assert staff.post(missing, {"decision": "approve", "reason": ""}).status_code == 404
    applicant.post(reverse("members:status_change"), {"to_status": "ally", "reason": ""})
    staff.get(reverse("members:coordinator_queue"))
    change = rain.status_change_requests.get()
    staff.post(
        reverse("members:status_change_decide", args=[change.pk]),
        {"decision": "approve", "reason": ""},
    )
    staff.get(reverse("admin:members_member_changelist"))
    staff.get(reverse("admin:members_member_change", args=[rain.pk]))
    staff.get(reverse("admin:members_statuschangerequest_changelist"))
    assert applicant.post(reverse("account_login"), login).status_code == 302
    applicant.get(reverse("members:profile"))
    rain.refresh_from_db()
    assert rain.status == Status.ALLY  # the flow really happened
    return [applicant, rejected, staff]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_status_never_reaches_logs_mails_urls_or_titles(
    caplog, coordinator, language, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    # Decisions mail on commit; run those callbacks as a real commit would.
    with django_capture_on_commit_callbacks(execute=True):
        clients = run_membership_flows(language, coordinator)

    assert caplog.records  # the refusals in the flow are logged by django.request
    for record in caplog.records:
        assert not leaks(record.getMessage()), record.getMessage()

    # two address confirmations, approval, rejection, decided request
    assert len(mail.outbox) >= 5, [m.subject for m in mail.outbox]
    for message in mail.outbox:
        assert not leaks(message.subject), message.subject
        assert not leaks(message.body), message.body
        assert message.from_email == settings.DEFAULT_FROM_EMAIL
        assert not leaks(message.from_email)

    for client in clients:
        assert client.urls and client.titles
        for url in client.urls:
            assert not leaks(url), url
        for title in client.titles:
            assert not leaks(title), title

    # The audit log recorded the flow by codes and ids only.
    assert AuditEvent.objects.filter(action="status_change.approved").exists()
    for event in AuditEvent.objects.all():
        assert not leaks(f"{event.action} {event.target_type}"), event


def test_leak_check_would_notice_a_status_word():
    assert leaks("Your status is now: Sex worker")
    assert leaks("/members/?status=ally")
    assert not leaks("Your request has been answered. Finally, really usually.")


def test_sender_name_and_totp_issuer_are_neutral():
    assert not leaks(settings.DEFAULT_FROM_EMAIL)
    assert not leaks(settings.MFA_TOTP_ISSUER)


# --- quick exit ---------------------------------------------------------------------------


@pytest.mark.parametrize("logged_in", [False, True])
def test_every_page_has_a_quick_exit_that_works_without_javascript(client, ally, logged_in):
    if logged_in:
        client.force_login(ally.user)
    pages = ["members:home", "members:apply", "account_login"]
    if logged_in:
        pages = ["members:dashboard", "members:profile", "mfa_index", "usersessions_list"]
    exit_url = reverse("members:quick_exit")
    for name in pages:
        html = client.get(reverse(name)).content.decode()
        if logged_in:
            # A form: the POST ends the session before leaving.
            control = re.search(
                rf'<form method="post" action="{exit_url}" id="quick-exit-form"[^>]*>\s*'
                r'<button type="submit" class="quick-exit" id="quick-exit">([^<]+)</button>',
                html,
            )
        else:
            control = re.search(
                rf'<a class="quick-exit" id="quick-exit" href="{exit_url}"[^>]*>([^<]+)</a>',
                html,
            )
        assert control, name
        assert control.group(1).strip() == "Quick exit"
        assert re.search(r'<script src="/static/js/quick-exit.js" nonce="[^"]+"', html)


def test_quick_exit_by_post_ends_the_session_and_leaves(client, ally):
    client.force_login(ally.user)
    client.handler.enforce_csrf_checks = True  # no token: it must still work
    response = client.post(reverse("members:quick_exit"))
    assert response.status_code == 302
    assert response["Location"] == settings.QUICK_EXIT_URL
    assert response["Clear-Site-Data"] == '"cache"'
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("members:dashboard")).status_code == 302


def test_quick_exit_by_get_only_leaves(client, ally):
    client.force_login(ally.user)
    response = client.get(reverse("members:quick_exit"))
    assert response["Location"] == settings.QUICK_EXIT_URL
    # A link (or an image on another site) can never log a member out.
    assert client.get(reverse("members:dashboard")).status_code == 200


def test_member_pages_are_never_stored_by_the_browser(client, ally):
    assert "no-store" not in client.get(reverse("members:home")).get("Cache-Control", "")
    client.force_login(ally.user)
    for name in ("members:dashboard", "members:profile", "governance:motion_list"):
        assert "no-store" in client.get(reverse(name))["Cache-Control"]
