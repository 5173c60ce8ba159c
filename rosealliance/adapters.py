"""django-allauth adapter: closes open sign-up (applying is the only way in) and sends
allauth's own e-mails in the recipient's preferred language."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from members.languages import supported_language


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = context.get("user")
        member = getattr(user, "member", None) if user is not None else None
        language = (member and supported_language(member.preferred_language)) or (
            translation.get_language()
        )
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
