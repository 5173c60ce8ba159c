"""Second factor: mandatory for the powerful roles, encrypted at rest, not replayable,
and the admin's login goes through allauth."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.urls import reverse

from members import hooks, permissions
from members.models import Status, User
from members.roles import COORDINATORS
from tests.conftest import PASSWORD, give_second_factor

PROTECTED_PAGES = [
    reverse("members:coordinator_queue"),
    reverse("admin:index"),
    reverse("admin:members_member_changelist"),
    reverse("members:dashboard"),
    reverse("members:profile"),
]


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def coordinator_without_mfa(make_member):
    return make_member(groups=(COORDINATORS,), second_factor=False)


@pytest.fixture
def committee_member_without_mfa(make_member, seat_member):
    """Seated (which needs a second factor), then without one: as after a reset."""
    from allauth.mfa.models import Authenticator

    member = make_member(second_factor=False)
    seat_member(member)
    Authenticator.objects.filter(user=member.user).delete()
    return member


@pytest.fixture
def staff_without_mfa(make_member):
    member = make_member(second_factor=False)
    member.user.is_staff = True
    member.user.save(update_fields=["is_staff"])
    return member.user


@pytest.fixture
def superuser_without_mfa(db):
    return User.objects.create_superuser(email="root@example.test", password=PASSWORD)


@pytest.mark.parametrize(
    "who",
    [
        "coordinator_without_mfa",
        "committee_member_without_mfa",
        "staff_without_mfa",
        "superuser_without_mfa",
    ],
)
@pytest.mark.parametrize("path", PROTECTED_PAGES)
def test_protected_role_without_second_factor_is_sent_to_mfa_setup(client, request, who, path):
    client.force_login(getattr(request.getfixturevalue(who), "user", request.getfixturevalue(who)))
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")


def test_blocked_post_changes_nothing(client, coordinator_without_mfa, make_member):
    applicant = make_member(state="applied")
    client.force_login(coordinator_without_mfa.user)
    response = client.post(
        reverse("members:application_decide", args=[applicant.application.pk]),
        {"decision": "approve", "reason": ""},
    )
    assert response["Location"] == reverse("mfa_index")
    applicant.refresh_from_db()
    assert applicant.state == "applied"


def test_redirect_explains_why(client, coordinator_without_mfa):
    client.force_login(coordinator_without_mfa.user)
    response = client.get(reverse("members:coordinator_queue"), follow=True)
    assert response.status_code == 200
    assert "requires two-factor authentication" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["mfa_index", "mfa_activate_totp", "usersessions_list", "account_email"]
)
def test_setup_pages_stay_reachable(client, coordinator_without_mfa, name):
    client.force_login(coordinator_without_mfa.user)
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200
    # Activating TOTP may first ask for the password again; both pages are allowed.
    assert response.request["PATH_INFO"] in {reverse(name), reverse("account_reauthenticate")}


def test_logout_and_language_switch_stay_reachable(client, coordinator_without_mfa):
    client.force_login(coordinator_without_mfa.user)
    response = client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert response["Location"] == "/"
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_with_second_factor_the_pages_open(client, coordinator_without_mfa):
    give_second_factor(coordinator_without_mfa.user)
    client.force_login(coordinator_without_mfa.user)
    assert client.get(reverse("members:coordinator_queue")).status_code == 200


def test_recovery_codes_alone_are_not_a_second_factor(client, coordinator_without_mfa):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(coordinator_without_mfa.user)
    client.force_login(coordinator_without_mfa.user)
    assert client.get(reverse("members:coordinator_queue"))["Location"] == reverse("mfa_index")


def test_ordinary_members_need_no_second_factor(client, make_member):
    for status in (Status.SEX_WORKER, Status.ALLY):
        member = make_member(status=status)
        assert not permissions.requires_second_factor(member.user)
        client.force_login(member.user)
        assert client.get(reverse("members:profile")).status_code == 200


def test_registered_rule_extends_who_needs_a_second_factor(client, make_member):
    """The hook governance uses for spokespersons."""
    member = make_member()
    chosen = {member.user.pk}

    def rule(user):
        return user.pk in chosen

    hooks.register_second_factor_rule(rule)
    try:
        assert permissions.requires_second_factor(member.user)
        client.force_login(member.user)
        assert client.get(reverse("members:profile"))["Location"] == reverse("mfa_index")
    finally:
        hooks._second_factor_rules.remove(rule)
    assert not permissions.requires_second_factor(member.user)


def test_admin_login_goes_through_allauth(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # The admin's own password form is never served, so it cannot skip the second factor.
    response = client.post(
        reverse("admin:login"), {"username": "admin@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_totp_secret_is_encrypted_at_rest(coordinator_without_mfa):
    secret = give_second_factor(coordinator_without_mfa.user)
    authenticator = Authenticator.objects.get(
        user=coordinator_without_mfa.user, type=Authenticator.Type.TOTP
    )
    stored = authenticator.data["secret"]
    assert secret not in stored
    assert stored != secret
    # ... and allauth still validates codes through the adapter's decrypt().
    assert authenticator.wrap().validate_code(current_code(secret))


def test_encryption_key_from_environment_is_used(coordinator_without_mfa, settings):
    from cryptography.fernet import Fernet, InvalidToken

    from rosealliance.adapters import MFAAdapter

    settings.MFA_ENCRYPTION_KEY = Fernet.generate_key().decode()
    token = MFAAdapter().encrypt("JBSWY3DPEHPK3PXP")
    assert MFAAdapter().decrypt(token) == "JBSWY3DPEHPK3PXP"
    settings.MFA_ENCRYPTION_KEY = ""
    with pytest.raises(InvalidToken):
        MFAAdapter().decrypt(token)


def test_rotated_secret_key_still_decrypts(settings):
    from rosealliance.adapters import MFAAdapter

    token = MFAAdapter().encrypt("JBSWY3DPEHPK3PXP")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-" + "x" * 40
    assert MFAAdapter().decrypt(token) == "JBSWY3DPEHPK3PXP"


def _login_with_code(client, email: str, code: str):
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    return client.post(reverse("mfa_authenticate"), {"code": code})


def test_full_login_asks_for_the_code_and_refuses_a_replayed_one(
    client, coordinator_without_mfa, django_user_model
):
    from django.test import Client

    email = coordinator_without_mfa.user.email
    secret = give_second_factor(coordinator_without_mfa.user)
    code = current_code(secret)

    response = _login_with_code(client, email, code)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == coordinator_without_mfa.user.pk

    # Someone who watched the code being typed tries it within the same 30 seconds.
    other = Client()
    response = _login_with_code(other, email, code)
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert "_auth_user_id" not in other.session


def test_totp_issuer_and_passkey_name_are_neutral(rf):
    from allauth.core.context import request_context

    from rosealliance.adapters import MFAAdapter

    request = rf.get("/", HTTP_HOST="localhost")
    with request_context(request):
        assert MFAAdapter().get_totp_issuer() == settings.MFA_TOTP_ISSUER == "Member login"
        assert MFAAdapter().get_public_key_credential_rp_entity()["name"] == "Member login"
