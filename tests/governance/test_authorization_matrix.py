"""Every governance URL against every kind of user. A row lists the expected status code
for anonymous, ally, sex worker, coordinator, Steering Committee member, administrator."""

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Topic
from members.models import Status

ROLES = ["anonymous", "ally", "sex_worker", "coordinator", "committee", "administrator"]

LOGIN = 302  # anonymous users are sent to the login page
MATRIX = [
    # (method, url name, needs an assignment id, expected codes in ROLES order)
    ("get", "governance:committee", False, [LOGIN, 200, 200, 200, 200, 200]),
    ("get", "governance:spokespersons", False, [LOGIN, 200, 200, 200, 200, 200]),
    ("get", "governance:my_assignments", False, [LOGIN, 200, 200, 200, 200, 403]),
    ("post", "governance:my_assignments", False, [LOGIN, 403, 302, 302, 302, 403]),
    ("get", "governance:coordinator_spokespersons", False, [LOGIN, 403, 403, 200, 403, 200]),
    ("post", "governance:assignment_decide", True, [LOGIN, 403, 403, 302, 403, 302]),
    ("post", "governance:assignment_revoke", True, [LOGIN, 403, 403, 302, 403, 302]),
    # Coordinators read the seats (they confirm the committee's seat proposals).
    ("get", "admin:governance_seat_changelist", False, [302, 302, 302, 200, 200, 200]),
    ("get", "admin:governance_seat_add", False, [302, 302, 302, 403, 403, 403]),
    ("get", "admin:governance_seat_propose", False, [302, 302, 302, 403, 200, 200]),
    ("get", "admin:governance_pendingact_changelist", False, [302, 302, 302, 200, 200, 200]),
    (
        "get",
        "admin:governance_spokespersonassignment_changelist",
        False,
        [302, 302, 302, 200, 200, 200],
    ),
    ("get", "admin:governance_seatevent_changelist", False, [302, 302, 302, 403, 403, 200]),
]


@pytest.fixture
def user_for(make_member, seat_member, administrator):
    def make(role):
        if role == "anonymous":
            return None
        if role == "administrator":
            return administrator
        if role == "ally":
            return make_member(status=Status.ALLY).user
        if role == "sex_worker":
            return make_member().user
        if role == "coordinator":
            return make_member(groups=("Coordinators",)).user
        member = make_member()
        seat_member(member)
        return member.user

    return make


@pytest.fixture
def proposed_assignment(make_member, propose_spokesperson):
    return propose_spokesperson(make_member(pseudonym="Candidate"))


@pytest.mark.parametrize("method,name,needs_id,expected", MATRIX)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_authorization_matrix(
    client, user_for, proposed_assignment, method, name, needs_id, expected, role_index
):
    user = user_for(ROLES[role_index])
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=[proposed_assignment.pk] if needs_id else [])
    if method == "get":
        response = client.get(url)
    else:
        data = {
            "decision": "reject",
            "reason": "matrix",
            "topics": [Topic.objects.first().pk],
            "countries": ["SE"],
            "languages": ["sv"],
            "starts_on": timezone.localdate().isoformat(),
        }
        response = client.post(url, data)
    assert response.status_code == expected[role_index], (ROLES[role_index], name)
