"""Two app servers, one database: nothing a member relies on may live in one process.

Each test starts two real gunicorn processes on their own loopback ports against the test
database; data is committed (transactional_db) so they can see it.
"""

import re

import pytest
from django.core.cache import cache

from tests.conftest import PASSWORD

from .servers import Client, database_url_of_tests, gunicorn_start

pytestmark = pytest.mark.gunicorn

WRONG_PASSWORD = "not-the-password-1"


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "rosealliance.test_settings"}
    env["DATABASE_URL"] = database_url_of_tests()
    # Rate-limit counters live in the shared cache table, which flushing between tests does
    # not empty: start and end with none.
    cache.clear()
    servers = []
    try:
        for name in ("a", "b"):
            servers.append(gunicorn_start(tmp_path / f"gunicorn-{name}.log", env))
        yield servers[0].port, servers[1].port
    finally:
        for server in servers:
            server.stop()
        cache.clear()


def test_member_logged_in_on_one_server_is_served_by_the_other(two_servers, make_member):
    port_a, port_b = two_servers
    member = make_member(pseudonym="Crossing")
    browser = Client(port_a)

    response = browser.post_form(
        "/accounts/login/", {"login": member.user.email, "password": PASSWORD}
    )
    assert response.status == 302
    assert response.headers["Location"] == "/dashboard/"
    assert "sessionid" in browser.cookies

    on_b = browser.on(port_b).get("/dashboard/")
    assert on_b.status == 200
    assert "Hello, Crossing" in on_b.body
    # Without the session cookie server B sends the visitor to the login page.
    assert Client(port_b).get("/dashboard/").status == 302


def test_failed_logins_count_across_servers(two_servers, make_member):
    port_a, port_b = two_servers
    member = make_member()
    browser = Client(port_a)
    wrong = {"login": member.user.email, "password": WRONG_PASSWORD}

    # allauth allows 5 failed logins per address: 3 here and 2 there stay under it on each
    # server alone, so only a shared counter can stop the next attempt.
    for port in (port_a, port_b, port_a, port_b, port_a):
        response = browser.on(port).post_form("/accounts/login/", wrong)
        assert response.status == 200
        assert "sessionid" not in browser.cookies

    right = {"login": member.user.email, "password": PASSWORD}
    refused = browser.on(port_b).post_form("/accounts/login/", right)
    assert refused.status == 200
    assert "Too many failed attempts" in refused.body
    assert "sessionid" not in browser.cookies


def test_votes_cast_through_both_servers_are_all_counted_once(
    two_servers, make_member, make_motion
):
    from concurrent.futures import ThreadPoolExecutor

    from governance import services
    from governance.models import SealedBallot, Voter

    ports = two_servers
    voters = [make_member() for _ in range(12)]
    motion = make_motion()

    # Read in this thread: the worker threads below must not open database connections.
    emails = [member.user.email for member in voters]

    def vote(index_and_email):
        index, email = index_and_email
        browser = Client(ports[index % 2])
        login = browser.post_form("/accounts/login/", {"login": email, "password": PASSWORD})
        assert login.status == 302
        # Read the motion on one server, vote on the other, then replay on the first.
        other = browser.on(ports[(index + 1) % 2])
        page = other.get(f"/motions/{motion.pk}/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
        form = {"choice": "yes", "step": "cast", "csrfmiddlewaretoken": token}
        cast = other.request("POST", f"/motions/{motion.pk}/vote/", form)
        replay = browser.request("POST", f"/motions/{motion.pk}/vote/", form)
        return cast.status, replay.status

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(vote, enumerate(emails)))
    assert results == [(200, 302)] * len(voters)
    assert SealedBallot.objects.filter(box_id=motion.box_id).count() == len(voters)
    voter_ids = Voter.objects.filter(box_id=motion.box_id).values_list("member_id", flat=True)
    assert sorted(voter_ids) == sorted(v.pk for v in voters)
    assert services.motion_close(motion_id=motion.pk).yes_count == len(voters)
