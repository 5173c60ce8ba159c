"""Fuzzing every form and POST endpoint with hypothesis.

Each endpoint gets arbitrary and tampered input: random text (any unicode, NUL bytes,
huge values), wrong types, unknown choice values, other members' ids, missing fields and
extra fields (status, state, member, ...), and for URL ids anything the URL accepts. For
every example:

- the response is never a server error (5xx, or an exception in the test client);
- when the input is refused, no table changed at all (a digest of every row, the
  volatile tables of tests/security/world.py aside);
- when it is accepted, what changed is what that endpoint may change (say, a profile
  change leaves every status alone; a new seat belongs to an active sex worker).

Each example runs in a savepoint that is rolled back. Profiles (tests/security/conftest.py):
`ci` (the default: few examples, derandomised, so a run is reproducible) and `deep`
(`HYPOTHESIS_PROFILE=deep .venv/bin/pytest tests/security/test_fuzzing.py`).
"""

import string
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from governance.models import (
    AssignmentState,
    Motion,
    MotionState,
    Seat,
    SpokespersonAssignment,
)
from members.models import (
    ApplicationDecision,
    Member,
    MembershipState,
    Status,
    StatusChangeRequest,
    User,
)
from tests.security.world import World, changed_tables, database_digest, rolled_back

# --- Input ------------------------------------------------------------------------------

HUGE = "x" * 100_000
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "null",
    "None",
    "true",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "\u202eevil",
    "\ufeff",
    "𝕏" * 300,
    "é" * 61,
    "sex_worker",
    "ally",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "99999999999999999999",
    HUGE,
]
texts = st.one_of(st.sampled_from(NASTY), st.text(max_size=80), st.text(min_size=200))
integers_as_text = st.integers(min_value=-(2**70), max_value=2**70).map(str)
dates = st.one_of(st.dates().map(lambda d: d.isoformat()), texts)


def anything():
    return st.one_of(texts, integers_as_text, st.lists(texts, max_size=3))


def choice(values):
    """A valid choice most of the time, else anything."""
    return st.one_of(st.sampled_from(list(values)), anything())


def many(values):
    return st.one_of(st.lists(choice(values), max_size=4), anything())


def some_id(world: World, *keys: str):
    """Ids the attacker knows (theirs, the victims', missing ones) or any integer."""
    known = [world.ids[k] for k in keys] + [m.pk for m in world.members.values()]
    # Beyond bigint too: the URLs' <int:...> takes any number of digits.
    known += [0, 2**31, 2**63, 10**30]
    return st.one_of(st.sampled_from(known), st.integers(0, 2**63 - 1))


# Fields a tampered form adds, hoping something saves them.
TAMPERING = {
    "status": choice(Status.values),
    "state": choice(MembershipState.values + AssignmentState.values + MotionState.values),
    "member": anything(),
    "member_id": anything(),
    "user": anything(),
    "id": anything(),
    "pk": anything(),
    "is_staff": st.sampled_from(["on", "true", "1"]),
    "is_superuser": st.sampled_from(["on", "true", "1"]),
    "approved_by": anything(),
    "decided_by": anything(),
    "voter": anything(),
    "receipt_hash": texts,
}


def form(required: dict, tampering: bool = True):
    """Each field present or not; extra tampering fields maybe."""
    optional = dict(required)
    if tampering:
        optional.update(TAMPERING)
    return st.fixed_dictionaries({}, optional=optional)


# --- Endpoints ---------------------------------------------------------------------------


def success(response) -> bool:
    return any(m.level == message_levels.SUCCESS for m in get_messages(response.wsgi_request))


def redirected(response) -> bool:
    return response.status_code == 302


def never(response) -> bool:
    return False


def rendered(template: str) -> Callable:
    return lambda response: template in [t.name for t in response.templates or []]


@dataclass(frozen=True)
class Endpoint:
    name: str
    role: str
    url: Callable[[World], st.SearchStrategy]  # a strategy of URLs
    data: Callable[[World], st.SearchStrategy]
    accepted: Callable  # response -> bool: did the endpoint take the input?
    # (world, before, after, role's member) -> None; asserts what an accepted input did.
    check: Callable | None = None


def fixed(name, *keys):
    return lambda world: st.just(reverse(name, args=[world.ids[k] for k in keys]))


def with_id(name, *keys):
    return lambda world: some_id(world, *keys).map(lambda pk: reverse(name, args=[pk]))


def members_state():
    return {
        m.pk: (m.status, m.state, m.user.is_staff, m.user.is_superuser)
        for m in Member.objects.select_related("user")
    }


def members_unchanged(world, before, after, actor):
    """Nobody's status, membership state or admin rights moved."""
    assert after == before


def only_the_applicant_decided(world, before, after, actor):
    applicant = world.members["applicant"].pk
    assert {k: v for k, v in after.items() if k != applicant} == {
        k: v for k, v in before.items() if k != applicant
    }
    status, state, is_staff, is_superuser = after[applicant]
    assert status == before[applicant][0] and not is_staff and not is_superuser
    assert state in (MembershipState.ACTIVE, MembershipState.REJECTED)


def only_the_requester_changed(world, before, after, actor):
    victim = world.members["victim"]
    assert {k: v for k, v in after.items() if k != victim.pk} == {
        k: v for k, v in before.items() if k != victim.pk
    }
    if after[victim.pk][0] != before[victim.pk][0]:
        # Approved: now an ally, and their spokesperson request is gone with the status.
        assert after[victim.pk][0] == Status.ALLY
        assert not SpokespersonAssignment.objects.filter(
            member=victim, state__in=[AssignmentState.PROPOSED, AssignmentState.APPROVED]
        ).exists()


def one_new_applicant(world, before, after, actor):
    new = set(after) - set(before)
    assert len(new) <= 1
    assert {k: after[k] for k in before} == before
    for pk in new:
        status, state, is_staff, is_superuser = after[pk]
        assert state == MembershipState.APPLIED and not is_staff and not is_superuser
        assert status in Status.values
        assert not User.objects.get(member__pk=pk).is_staff


def own_pending_status_request(world, before, after, actor):
    assert after == before
    request = StatusChangeRequest.objects.get(member=actor, decision=ApplicationDecision.PENDING)
    assert request.from_status == actor.status != request.to_status


def own_proposed_assignment(world, before, after, actor):
    assert after == before
    newest = SpokespersonAssignment.objects.order_by("-pk").first()
    assert newest.member_id == actor.pk and newest.state == AssignmentState.PROPOSED


def seat_for_an_eligible_member(world, before, after, actor):
    assert after == before
    seat = Seat.objects.order_by("-pk").first()
    assert seat.member.status == Status.SEX_WORKER
    assert seat.member.state == MembershipState.ACTIVE


def assignment_for_an_eligible_member(world, before, after, actor):
    assert after == before
    assignment = SpokespersonAssignment.objects.order_by("-pk").first()
    assert assignment.member.status == Status.SEX_WORKER
    assert assignment.state == AssignmentState.PROPOSED


def a_draft_motion(world, before, after, actor):
    assert after == before
    motion = Motion.objects.order_by("-pk").first()
    assert motion.state == MotionState.DRAFT and motion.box_id is None


def one_ballot_on_the_open_motion(world, before, after, actor):
    assert after == before
    assert actor.status == Status.SEX_WORKER


LANGUAGES = ["en", "sv", "nb", "fi", "is"]
COUNTRIES = ["SE", "NO", "FI", "IS", "XX"]
CHOICES = ["yes", "no", "abstain"]
DECISIONS = ["approve", "reject"]
POSITIONS = ["chair", "vice_chair", "treasurer", "member"]

ENDPOINTS = [
    Endpoint(
        "apply",
        "anonymous",
        fixed("members:apply"),
        lambda w: form(
            {
                "pseudonym": texts,
                "email": st.one_of(st.emails().map(str), texts),
                "password1": st.one_of(st.just("long-enough-pass-77"), texts),
                "password2": st.one_of(st.just("long-enough-pass-77"), texts),
                "country": choice(COUNTRIES),
                "preferred_language": choice(LANGUAGES),
                "status": choice(Status.values),
                "note": texts,
            }
        ),
        redirected,
        one_new_applicant,
    ),
    Endpoint(
        "profile",
        "sex_worker",
        fixed("members:profile"),
        lambda w: form(
            {
                "pseudonym": texts,
                "country": choice(COUNTRIES),
                "preferred_language": choice(LANGUAGES),
            }
        ),
        success,
        members_unchanged,
    ),
    Endpoint(
        "status change request",
        "ally",
        fixed("members:status_change"),
        lambda w: form({"to_status": choice(Status.values), "reason": texts}),
        success,
        own_pending_status_request,
    ),
    Endpoint(
        "application decision",
        "coordinator",
        with_id("members:application_decide", "application", "decided_application"),
        lambda w: form({"decision": choice(DECISIONS), "reason": texts}),
        success,
        only_the_applicant_decided,
    ),
    Endpoint(
        "status change decision",
        "coordinator",
        with_id("members:status_change_decide", "status_request"),
        lambda w: form({"decision": choice(DECISIONS), "reason": texts}),
        success,
        only_the_requester_changed,
    ),
    Endpoint(
        "spokesperson request",
        "sex_worker",
        fixed("governance:my_assignments"),
        lambda w: form(
            {
                "topics": many([w.ids["governance.topic"], 0, 2**40]),
                "countries": many(COUNTRIES),
                "languages": many(LANGUAGES),
                "starts_on": dates,
                "ends_on": dates,
            }
        ),
        success,
        own_proposed_assignment,
    ),
    Endpoint(
        "spokesperson request by an ally",
        "ally",
        fixed("governance:my_assignments"),
        lambda w: form({"topics": many([w.ids["governance.topic"]]), "countries": many(COUNTRIES)}),
        never,
    ),
    Endpoint(
        "spokesperson decision",
        "coordinator",
        with_id("governance:assignment_decide", "proposed_assignment", "own_assignment"),
        lambda w: form({"decision": choice(DECISIONS), "reason": texts}),
        success,
        members_unchanged,
    ),
    Endpoint(
        "spokesperson revocation",
        "coordinator",
        with_id("governance:assignment_revoke", "own_assignment", "proposed_assignment"),
        lambda w: form({"reason": texts}),
        success,
        members_unchanged,
    ),
    Endpoint(
        "spokesperson ends an assignment",
        "spokesperson",
        with_id("governance:assignment_end", "own_assignment", "proposed_assignment"),
        lambda w: form({"reason": texts}),
        success,
        members_unchanged,
    ),
    Endpoint(
        "vote: confirm",
        "sex_worker",
        with_id("governance:motion_vote", "open_motion", "published_motion", "draft_motion"),
        lambda w: form({"choice": choice(CHOICES), "step": st.just("confirm")}),
        never,
    ),
    Endpoint(
        "vote: cast",
        "sex_worker",
        with_id(
            "governance:motion_vote",
            "open_motion",
            "committee_motion",
            "published_motion",
            "draft_motion",
        ),
        lambda w: form({"choice": choice(CHOICES), "step": choice(["cast", "confirm"])}),
        rendered("governance/motion_receipt.html"),
        one_ballot_on_the_open_motion,
    ),
    Endpoint(
        "vote by an ally",
        "ally",
        with_id("governance:motion_vote", "open_motion", "published_motion"),
        lambda w: form({"choice": choice(CHOICES), "step": choice(["cast", "confirm"])}),
        never,
    ),
    Endpoint(
        "receipt check",
        "sex_worker",
        with_id("governance:receipt_check", "published_motion", "open_motion"),
        lambda w: form({"code": st.one_of(st.text(alphabet=string.ascii_uppercase + "-"), texts)}),
        never,
    ),
    Endpoint(
        "language switch",
        "sex_worker",
        fixed("set_language"),
        lambda w: form(
            {
                "language": choice(LANGUAGES),
                "next": st.one_of(
                    st.sampled_from(
                        [
                            "https://elsewhere.example/",
                            "//elsewhere.example/",
                            "/\\elsewhere.example",
                            "javascript:alert(1)",
                            "/motions/",
                        ]
                    ),
                    texts,
                ),
            }
        ),
        never,
    ),
    Endpoint(
        "admin: add a seat",
        "committee",
        fixed("admin:governance_seat_add"),
        lambda w: form(
            {
                "member": some_id(w, "members.member").map(str),
                "position": choice(POSITIONS),
                "term_start": dates,
                "term_end": dates,
            }
        ),
        redirected,
        seat_for_an_eligible_member,
    ),
    Endpoint(
        "admin: add a spokesperson assignment",
        "administrator",
        fixed("admin:governance_spokespersonassignment_add"),
        lambda w: form(
            {
                "member": some_id(w, "members.member").map(str),
                "topics": many([w.ids["governance.topic"], 0]),
                "countries": many(COUNTRIES),
                "languages": many(LANGUAGES),
                "starts_on": dates,
                "ends_on": dates,
            }
        ),
        redirected,
        assignment_for_an_eligible_member,
    ),
    Endpoint(
        "admin: add a motion",
        "committee",
        fixed("admin:governance_motion_add"),
        lambda w: form(
            {
                **{f"title_{code}": texts for code in LANGUAGES},
                **{f"text_{code}": texts for code in LANGUAGES},
                "electorate": choice(["voting_members", "steering_committee"]),
                "ballot_kind": choice(["roll_call", "secret"]),
                "majority": choice(["simple", "two_thirds", "absolute"]),
                "quorum_percent": st.one_of(st.integers(-5, 200).map(str), texts),
                "opens_at_0": dates,
                "opens_at_1": st.one_of(st.just("12:00"), texts),
                "closes_at_0": dates,
                "closes_at_1": st.one_of(st.just("13:00"), texts),
                "allow_language_fallback": st.sampled_from(["on", ""]),
                "roll_size": integers_as_text,
                "yes_count": integers_as_text,
            }
        ),
        redirected,
        a_draft_motion,
    ),
]


def post_once(world: World, endpoint: Endpoint, url: str, data: dict) -> None:
    with rolled_back():
        actor = world.member(endpoint.role)
        before, before_members = database_digest(), members_state()
        client = world.client(endpoint.role)
        try:
            response = client.post(url, data)
        except Exception as error:  # the test client re-raises what became a 500
            pytest.fail(f"{endpoint.name}: {type(error).__name__}: {error} for {data!r:.300}")
        assert response.status_code < 500, (endpoint.name, response.status_code)
        if endpoint.name == "language switch":
            # Never off this site, however the browser reads it (backslashes as slashes).
            location = urlsplit(response.get("Location", "").strip().replace("\\", "/"))
            assert location.scheme in ("", "http", "https"), location
            assert location.netloc in ("", "testserver"), location
        after, after_members = database_digest(), members_state()
        if endpoint.accepted(response):
            if endpoint.check is not None:
                endpoint.check(world, before_members, after_members, actor)
        else:
            changed = changed_tables(before, after)
            assert not changed, f"{endpoint.name}: refused input changed {changed}: {data!r:.300}"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_fuzzed_input_never_fails_and_refused_input_changes_nothing(db, world, endpoint):
    @given(url=endpoint.url(world), data=endpoint.data(world))
    def run(url, data):
        post_once(world, endpoint, url, data)

    run()


def test_the_fuzzer_reaches_acceptance(db, world):
    """Valid input is accepted, so the checks above see both outcomes (a broken payload
    would make every example a refusal and prove nothing)."""
    valid = {
        "profile": {"pseudonym": "Fine", "country": "SE", "preferred_language": "sv"},
        "status change request": {"to_status": Status.SEX_WORKER},
        "vote: cast": {"choice": "yes", "step": "cast"},
        "spokesperson request": {
            "topics": [world.ids["governance.topic"]],
            "countries": ["SE"],
            "languages": ["sv"],
            "starts_on": "2030-01-01",
        },
    }
    urls = {
        "profile": reverse("members:profile"),
        "status change request": reverse("members:status_change"),
        "vote: cast": reverse("governance:motion_vote", args=[world.ids["open_motion"]]),
        "spokesperson request": reverse("governance:my_assignments"),
    }
    for endpoint in ENDPOINTS:
        if endpoint.name in valid:
            with rolled_back():
                response = world.client(endpoint.role).post(
                    urls[endpoint.name], valid[endpoint.name]
                )
                assert endpoint.accepted(response), endpoint.name
