"""Receivers: after login, show the site in the member's preferred language."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation


@receiver(user_logged_in, dispatch_uid="members.use_preferred_language")
def use_preferred_language(sender, request, user, **kwargs) -> None:
    member = getattr(user, "member", None)
    if member is None or request is None:
        return
    translation.activate(member.preferred_language)
    # PreferredLanguageMiddleware turns this into the language cookie on the response.
    request.preferred_language = member.preferred_language
