"""Second factor made mandatory for the powerful roles.

allauth offers multi-factor login but never requires it. This middleware does: a user
for whom `members.permissions.requires_second_factor` is true and who has no TOTP or
security key yet is sent to allauth's MFA page from every URL except the few needed to set
one up (and to leave). Deny by default: a new coordinator or governance page is covered
without anyone remembering to add it here.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from members.permissions import requires_second_factor

# A second factor proper; recovery codes alone are a fallback, not a factor.
SECOND_FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]

# URL names reachable without a second factor, besides allauth's own "mfa_*" pages.
ALLOWED_URL_NAMES = frozenset(
    {
        "account_logout",
        "account_login",
        # Setting up a factor asks for the password again first.
        "account_reauthenticate",
        # allauth refuses a TOTP for an unverified address: verifying must stay possible.
        "account_email",
        "account_email_verification_sent",
        "account_confirm_email",
        # Ending one's own sessions is itself a security measure.
        "usersessions_list",
        "set_language",
    }
)


def is_allowed_without_second_factor(path: str) -> bool:
    if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        # Unknown URLs give their normal 404; there is nothing behind them.
        return True
    name = match.url_name or ""
    return name.startswith("mfa_") or name in ALLOWED_URL_NAMES


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # Cheapest test first: most members have no role that needs a second factor, and
        # their requests then resolve no URL here.
        if (
            user is not None
            and user.is_authenticated
            and requires_second_factor(user)
            and not is_allowed_without_second_factor(request.path_info)
            and not is_mfa_enabled(user, types=SECOND_FACTOR_TYPES)
        ):
            messages.warning(
                request,
                _(
                    "Your role requires two-factor authentication. Set up an authenticator "
                    "app or a security key to continue."
                ),
            )
            return redirect("mfa_index")
        return self.get_response(request)
