"""django-allauth adapters: the account adapter closes open sign-up (applying is the only
way in) and sends allauth's own e-mails in the recipient's preferred language; the MFA
adapter encrypts second-factor secrets at rest."""

import base64

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core import deferred
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

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth counts failed logins per address: five wrong passwords from anywhere lock
        # the address out, so anyone knowing a member's address could keep them from a
        # vote. Counted per address and client instead, a stranger locks out only
        # themselves (the per-client limit still slows them across addresses).
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Rendered now, in the recipient's language; sent on a background thread
        (core.deferred), so the mail server's time never shows in a response."""
        user = context.get("user")
        member = getattr(user, "member", None) if user is not None else None
        language = (member and supported_language(member.preferred_language)) or (
            translation.get_language()
        )
        request = allauth_context.request
        with translation.override(language):
            message = self.render_mail(
                template_prefix,
                email,
                {
                    "request": request,
                    "email": email,
                    "current_site": get_current_site(request),
                    **context,
                },
            )
        deferred.in_background(message.send)


class MFAAdapter(DefaultMFAAdapter):
    """Encrypts the secrets allauth stores for second factors (the TOTP key, the seed of
    the recovery codes), and keeps the host name out of passkey prompts."""

    def encrypt(self, text: str) -> str:
        return secret_box().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return secret_box().decrypt(encrypted_text.encode()).decode()

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        # allauth names the relying party after the host, which may reveal what the
        # organisation is on a shared device; use the same neutral name as for TOTP.
        entity = super().get_public_key_credential_rp_entity()
        entity["name"] = self.get_totp_issuer()
        return entity


def _fernet_key_from_secret(secret: str) -> bytes:
    digest = salted_hmac(
        "rosealliance.mfa.encryption", "fernet-key", secret=secret, algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest)


def secret_box() -> MultiFernet:
    """The cipher for second-factor secrets. `MFA_ENCRYPTION_KEY` (a Fernet key) is used
    when set, so the database and SECRET_KEY can be rotated apart; otherwise a key is
    derived from SECRET_KEY. Keys derived from SECRET_KEY_FALLBACKS still decrypt, so
    rotating SECRET_KEY does not lock anyone out of their second factor."""
    if settings.MFA_ENCRYPTION_KEY:
        keys = [settings.MFA_ENCRYPTION_KEY.encode()]
    else:
        keys = [
            _fernet_key_from_secret(secret)
            for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        ]
    return MultiFernet([Fernet(key) for key in keys])
