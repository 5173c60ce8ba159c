"""`/apply/` says nothing about whether an address already belongs to a member: the same
answer, the same expensive work, mail sent outside the request, and rate limits per client
and per address that treat both cases alike."""

import time

from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from core import deferred
from members.models import Member
from tests.conftest import PASSWORD

from .mail_backends import SLOW_SECONDS

APPLY = {
    "pseudonym": "Rosa",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "country": "NO",
    "preferred_language": "nb",
    "status": "sex_worker",
    "note": "",
}


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting how often a password is hashed."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


def apply(client, email, ip="10.1.0.1"):
    return client.post(reverse("members:apply"), dict(APPLY, email=email), REMOTE_ADDR=ip)


def test_new_and_known_addresses_get_the_same_answer_and_the_same_work(client, sex_worker):
    answers = []
    with override_settings(PASSWORD_HASHERS=[f"{__name__}.CountingHasher"]):
        for email in ("new-person@example.test", sex_worker.user.email):
            CountingHasher.calls = 0
            mail.outbox.clear()
            response = apply(client, email)
            followed = client.get(response["Location"])
            answers.append(
                (
                    response.status_code,
                    response["Location"],
                    followed.status_code,
                    len(followed.content),
                    CountingHasher.calls,  # the password is hashed in both cases
                    len(mail.outbox),  # one mail to the address either way
                )
            )
    assert answers[0] == answers[1]
    assert answers[0][4] == 1


@override_settings(
    DEFERRED_WORK_INLINE=False,
    MAILERS={"default": {"BACKEND": "tests.members.mail_backends.SlowEmailBackend"}},
)
def test_the_mail_server_is_not_timed_by_the_request(client, sex_worker):
    mail.outbox.clear()
    for email in ("another-person@example.test", sex_worker.user.email):
        started = time.perf_counter()
        response = apply(client, email)
        assert response.status_code == 302
        assert time.perf_counter() - started < SLOW_SECONDS / 2
    deferred.drain()
    assert len(mail.outbox) == 2


def test_applications_are_limited_per_address_alike_for_known_and_new(client, sex_worker):
    for email in ("fresh@example.test", sex_worker.user.email):
        for n in range(3):  # three tries for one address, from three clients
            assert apply(client, email, ip=f"10.2.0.{n}").status_code == 302
        refused = apply(client, email, ip="10.2.0.99")
        assert refused.status_code == 429
        assert "Too many applications" in refused.content.decode()
    assert Member.objects.filter(user__email="fresh@example.test").count() == 1


def test_applications_are_limited_per_client(client, db):
    for n in range(10):
        assert apply(client, f"person{n}@example.test", ip="10.3.0.1").status_code == 302
    assert apply(client, "person10@example.test", ip="10.3.0.1").status_code == 429
    assert apply(client, "person10@example.test", ip="10.3.0.2").status_code == 302
