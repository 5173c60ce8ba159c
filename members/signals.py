"""Receivers: after login, show the site in the member's preferred language."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

from .languages import supported_language


@receiver(user_logged_in, dispatch_uid="members.use_preferred_language")
def use_preferred_language(sender, request, user, **kwargs) -> None:
    member = getattr(user, "member", None)
    if member is None or request is None:
        return
    # An unset or no longer offered language leaves the visitor's current choice alone.
    language = supported_language(member.preferred_language)
    if language is None:
        return
    translation.activate(language)
    # PreferredLanguageMiddleware turns this into the language cookie on the response.
    request.preferred_language = language
