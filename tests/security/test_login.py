"""Login hardening: rate limits in the shared cache, no enumeration, no login by code,
short sessions, and every session of a member ended when their status, membership state
or password changes."""

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from members import services
from members.models import MembershipState
from tests.conftest import PASSWORD


def logged_in_client(user) -> Client:
    """A client logged in the way a person logs in (allauth's form), so allauth.usersessions
    records the session as it does in real use; staff (who would be asked for a second
    factor) are logged in directly."""
    client = Client()
    if user.is_staff:
        client.force_login(user)
    else:
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}
        )
        assert response.status_code == 302
    assert client.get(reverse("members:dashboard")).status_code == 200
    return client


def is_logged_in(client: Client) -> bool:
    response = client.get(reverse("members:dashboard"))
    return response.status_code == 200


def test_failed_logins_are_rate_limited_in_the_shared_database_cache(client, sex_worker):
    assert settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    email = sex_worker.user.email
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": email, "password": "wrong"})
        assert response.status_code == 200
    # The right password no longer helps: the account is locked for a while.
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed attempts" in response.content.decode()
    # The counters are rows of the cache table every server process reads.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {settings.CACHES['default']['LOCATION']}")
        assert cursor.fetchone()[0] > 0


def test_a_stranger_cannot_lock_a_member_out(client, sex_worker):
    """Failed logins count per address and client: a stranger who knows the address locks
    out only their own attempts; the member, from their own device, still logs in."""
    email = sex_worker.user.email
    for _ in range(6):
        response = client.post(
            reverse("account_login"), {"login": email, "password": "wrong"}, REMOTE_ADDR="10.9.0.66"
        )
    assert "Too many failed attempts" in response.content.decode()
    response = client.post(
        reverse("account_login"), {"login": email, "password": PASSWORD}, REMOTE_ADDR="10.9.0.1"
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(sex_worker.user.pk)


def test_login_page_does_not_tell_whether_an_address_exists(client, sex_worker):
    known = client.post(
        reverse("account_login"), {"login": sex_worker.user.email, "password": "wrong-1"}
    )
    unknown = client.post(
        reverse("account_login"), {"login": "nobody@example.test", "password": "wrong-1"}
    )
    assert known.context["form"].errors == unknown.context["form"].errors


def test_password_reset_for_unknown_address_sends_nothing(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_no_login_by_code():
    assert settings.ACCOUNT_LOGIN_BY_CODE_ENABLED is False
    with pytest.raises(NoReverseMatch):
        reverse("account_request_login_code")


def test_sessions_are_short_and_end_with_the_browser():
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_status_change_ends_every_session_of_the_member(sex_worker, coordinator):
    phone, laptop = logged_in_client(sex_worker.user), logged_in_client(sex_worker.user)
    bystander = logged_in_client(coordinator.user)
    assert UserSession.objects.filter(user=sex_worker.user).count() == 2
    change = services.status_change_request(member=sex_worker, to_status="ally", reason="")
    services.status_change_approve(request_id=change.pk, by=coordinator)
    assert not is_logged_in(phone)
    assert not is_logged_in(laptop)
    assert is_logged_in(bystander)
    assert not UserSession.objects.filter(user=sex_worker.user).exists()


def test_rejected_status_change_keeps_sessions(sex_worker, coordinator):
    phone = logged_in_client(sex_worker.user)
    change = services.status_change_request(member=sex_worker, to_status="ally", reason="")
    services.status_change_reject(request_id=change.pk, by=coordinator)
    assert is_logged_in(phone)


@pytest.mark.parametrize(
    "state", [MembershipState.SUSPENDED, MembershipState.LAPSED, MembershipState.RESIGNED]
)
def test_membership_state_change_ends_every_session(sex_worker, coordinator, state):
    phone = logged_in_client(sex_worker.user)
    services.membership_state_set(member_id=sex_worker.pk, state=state, by=coordinator, reason="")
    assert not is_logged_in(phone)
    assert not UserSession.objects.filter(user=sex_worker.user).exists()


def test_password_change_ends_the_other_sessions(sex_worker):
    other_device = logged_in_client(sex_worker.user)
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": sex_worker.user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-brand-new-passphrase-7",
            "password2": "a-brand-new-passphrase-7",
        },
    )
    assert response.status_code == 302
    assert not is_logged_in(other_device)
    assert not is_logged_in(client)  # ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE


def test_member_sees_and_ends_their_own_sessions(sex_worker, ally):
    lost_phone = logged_in_client(sex_worker.user)
    logged_in_client(ally.user)
    client = logged_in_client(sex_worker.user)
    response = client.get(reverse("usersessions_list"))
    assert response.status_code == 200
    assert len(response.context["sessions"]) == 2  # their own two, not the ally's
    response = client.post(reverse("usersessions_list"))  # "sign out other sessions"
    assert response.status_code == 302
    assert not is_logged_in(lost_phone)
    assert is_logged_in(client)
