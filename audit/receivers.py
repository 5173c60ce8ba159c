"""Signal receivers that put logins, failed logins, password changes and second-factor
changes on the audit log. They store the user's id, never the address typed in."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from .services import record

# Django's signals cover every login path (allauth, admin, the test client); allauth's
# cover what only it knows about (passwords and second factors).


@receiver(auth_signals.user_logged_in, dispatch_uid="audit.login")
def on_login(sender, request, user, **kwargs) -> None:
    record("auth.login", actor=user, target=user)


@receiver(auth_signals.user_logged_out, dispatch_uid="audit.logout")
def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record("auth.logout", actor=user, target=user)


@receiver(auth_signals.user_login_failed, dispatch_uid="audit.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The attempted address is not stored (it may be a typo of someone else's); when it
    # names an existing account, that account's id is the target, so a burst of failures
    # against one member shows up.
    login = credentials.get("email") or credentials.get("username") or ""
    User = get_user_model()
    user_id = (
        User._default_manager.filter(**{f"{User.EMAIL_FIELD}__iexact": login})
        .values_list("pk", flat=True)
        .first()
        if login
        else None
    )
    record(
        "auth.login_failed",
        actor=None,
        target=(User._meta.label_lower, user_id) if user_id else None,
    )


def _on_password(action: str):
    def handler(sender, request, user, **kwargs) -> None:
        record(action, actor=user, target=user)

    return handler


on_password_changed = _on_password("auth.password_changed")
on_password_set = _on_password("auth.password_set")
on_password_reset = _on_password("auth.password_reset")
account_signals.password_changed.connect(on_password_changed, dispatch_uid="audit.pw_changed")
account_signals.password_set.connect(on_password_set, dispatch_uid="audit.pw_set")
account_signals.password_reset.connect(on_password_reset, dispatch_uid="audit.pw_reset")


def _on_authenticator(verb: str):
    def handler(sender, request, user, authenticator, **kwargs) -> None:
        record(f"mfa.{authenticator.type}.{verb}", actor=user, target=authenticator)

    return handler


on_authenticator_added = _on_authenticator("added")
on_authenticator_removed = _on_authenticator("removed")
on_authenticator_reset = _on_authenticator("reset")
on_authentication_failed = _on_authenticator("failed")
mfa_signals.authenticator_added.connect(on_authenticator_added, dispatch_uid="audit.mfa_added")
mfa_signals.authenticator_removed.connect(
    on_authenticator_removed, dispatch_uid="audit.mfa_removed"
)
mfa_signals.authenticator_reset.connect(on_authenticator_reset, dispatch_uid="audit.mfa_reset")
mfa_signals.authentication_failed.connect(on_authentication_failed, dispatch_uid="audit.mfa_failed")
