"""django-allauth adapter: closes open sign-up (applying is the only way in) and sends
allauth's own e-mails in the recipient's preferred language."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from members.languages import supported_language


class AccountAdapter(DefaultAccountAdapter):
    # The messages members can meet while logging in, in the site's own catalogues:
    # allauth ships no Icelandic translation of its own.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("This account cannot log in at the moment."),
        "email_password_mismatch": _("The e-mail address or the password is not correct."),
        "enter_current_password": _("Please enter your current password."),
        "incorrect_password": _("The password is not correct."),
        "incorrect_code": _("The code is not correct."),
        "invalid_login": _("The login could not be completed. Please try again."),
        "invalid_password_reset": _("This link no longer works. Please ask for a new one."),
        "rate_limited": _("Too many attempts. Please wait a moment and try again."),
        "too_many_login_attempts": _("Too many failed attempts. Please try again later."),
    }

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
