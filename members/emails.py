"""Neutral e-mails to members, rendered in the recipient's language.

Subjects and bodies never name the organisation's purpose, a status, a motion, a vote or
the member's pseudonym: an e-mail may be read by someone the member lives with, and the
pseudonym is a name the member chose for the site, not for their mailbox.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core import deferred

from .languages import supported_language
from .models import Member


def render_member_mail(
    template_name: str, *, language: str, context: dict | None = None
) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"members/email/{template_name}_subject.txt", context or {})
        body = render_to_string(f"members/email/{template_name}_message.txt", context or {})
    return " ".join(subject.split()), body


def send_member_mail(member: Member, template_name: str, context: dict | None = None) -> None:
    """Send after the surrounding transaction commits, so a rolled-back decision never
    mails anybody, on a background thread (core.deferred), so no response waits for it."""
    subject, body = render_member_mail(
        template_name,
        language=supported_language(member.preferred_language) or settings.LANGUAGE_CODE,
        # Every member e-mail ends with a link to the site (settings.SITE_URL).
        context={"link": settings.SITE_URL + reverse("members:dashboard"), **(context or {})},
    )
    recipient = member.user.email
    transaction.on_commit(
        lambda: deferred.in_background(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        )
    )
