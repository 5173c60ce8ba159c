"""The authorization matrix: every URL of the project against every kind of user.

Each row is one request (method, URL, data) with the exact response expected for each
role, in the order of `ROLES`:

    anonymous, ally, sex worker, spokesperson, coordinator, committee, administrator

A cell is a status code, or `L` (302 to allauth's login) or `AL` (302 to the admin's login,
which sends on to allauth's). A plain 302 must lead somewhere else than a login or the
second-factor setup page, so a refusal by redirect is never mistaken for success. `writes`
names the roles whose request must change data; for every other role the database (all
tables but the volatile ones in tests/security/world.py) must be byte-for-byte unchanged.
Every request runs in a savepoint that is rolled back, so cells never see each other.

Besides the codes, every response to a role without `members.review_status` is searched
for the victims' pseudonyms (tests/security/world.py): a page naming one of them must not
carry a status label ("Sex worker", "Ally", or a translation), and no redirect may carry a
status in its URL.

**Adding a URL**: add its rows here. `test_every_url_pattern_is_covered` fails for any URL
pattern that no row reaches and that `EXCLUDED` does not list with a reason.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from members.models import Status
from tests.conftest import PASSWORD
from tests.security.world import (
    ROLES,
    ROLES_WITHOUT_STATUS_REVIEW,
    VICTIMS,
    World,
    changed_tables,
    rolled_back,
    write_counts,
)

LOGIN = "L"
ADMIN_LOGIN = "AL"

# Every way a status is written on a page: the labels in all five languages.
STATUS_LABELS = {
    Status.SEX_WORKER: ["Sex worker", "Sexarbetare", "Sexarbeider", "Seksityöntekijä"]
    + ["Kynlífsverkamanneskja", "Kynlífsverkafólk"],
    Status.ALLY: ["Ally", "Allierad", "Alliert", "Liittolainen", "Bandamanneskja"],
}
STATUS_LABEL_PATTERN = re.compile(
    r"\b("
    + "|".join(re.escape(label) for labels in STATUS_LABELS.values() for label in labels)
    + r")\b"
)

OTHER_LANGUAGES = ["sv", "nb", "fi", "is"]
STATUS_VALUE_PATTERN = re.compile(r"sex.?worker|\bally\b", re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    method: str
    target: str  # a URL name, or a literal path starting with "/"
    codes: tuple
    args: tuple = ()  # keys of World.ids (or literal values) for reverse()
    data: Callable[[World, str], dict] | None = None
    query: str = ""
    writes: frozenset = frozenset()

    @property
    def id(self) -> str:
        args = ",".join(str(a) for a in self.args)
        return f"{self.method.upper()} {self.target}({args}){self.query}"

    def url(self, world: World) -> str:
        if self.target.startswith("/"):
            path = self.target
            for key, value in world.ids.items():
                path = path.replace("{" + key + "}", str(value))
        else:
            path = reverse(self.target, args=[world.ids.get(a, a) for a in self.args])
        return path + self.query


def row(method, target, codes, *, args=(), data=None, query="", writes="") -> Row:
    parsed = tuple(int(code) if code.isdigit() else code for code in codes.split())
    assert len(parsed) == len(ROLES), (target, codes)
    assert set(writes.split()) <= set(ROLES), writes
    return Row(method, target, parsed, tuple(args), data, query, frozenset(writes.split()))


def staff(codes: str) -> str:
    """Admin pages: the four non-staff roles are sent to the admin's login."""
    return "AL AL AL AL " + codes


def get(target, codes, **kwargs) -> Row:
    return row("get", target, codes, **kwargs)


def post(target, codes, **kwargs) -> Row:
    return row("post", target, codes, **kwargs)


# --- POST payloads: valid input, so that the role alone decides -------------------------


def application_data(world, role):
    return {
        "pseudonym": "New Applicant",
        "email": "new-applicant@example.test",
        "password1": "a-new-password-77",
        "password2": "a-new-password-77",
        "country": "NO",
        "preferred_language": "nb",
        "status": Status.ALLY,
        "note": "",
    }


def profile_data(world, role):
    return {"pseudonym": f"Renamed {role}", "country": "FI", "preferred_language": "fi"}


def status_change_data(world, role):
    to = Status.SEX_WORKER if role == "ally" else Status.ALLY
    return {"to_status": to, "reason": "matrix"}


def approve(world, role):
    return {"decision": "approve", "reason": "matrix"}


def spokesperson_request_data(world, role):
    return {
        "topics": [world.ids["governance.topic"]],
        "countries": ["NO"],
        "languages": ["nb"],
        "starts_on": timezone.localdate().isoformat(),
    }


def vote(step):
    return lambda world, role: {"choice": "yes", "step": step}


def receipt_data(world, role):
    return {"code": "ABCD-EFGH-JKLM"}


def admin_action(action, key):
    def data(world, role):
        # Submitted through its confirmation page, with a reason (members.admin_actions).
        return {
            "action": action,
            "_selected_action": [world.ids[key]],
            "index": "0",
            "confirmed": "yes",
            "reason": "Access matrix",
        }

    return data


def stand_data(world, role):
    return {"consent": "yes", "statement": "matrix"}


def nominate_ally(world, role):
    # The same answer whoever is named; an ally is never nominated.
    return {"email": world.members["victim_ally"].user.email}


def ranking(world, role):
    return {f"rank_{world.ids['voting_candidacy']}": "1"}


def confirm_delete(world, role):
    return {"post": "yes"}


def password_change_data(world, role):
    return {"oldpassword": PASSWORD, "password1": "changed-pass-2026", "password2": "x"}


ALL_LOGGED_IN = "ally sex_worker spokesperson coordinator committee administrator"
MEMBERS = "ally sex_worker spokesperson coordinator committee"
ON_ROLL = "sex_worker spokesperson coordinator committee"

# A table, one request a line with the codes in columns: the formatter leaves it alone.
# fmt: off
MATRIX = [
    # ---------------------------------------------------------------------------------
    #                                              anon ally  sw  spk coord comm admin
    # Public pages, the application and the language switch
    get("healthz", "                                200  200  200  200  200  200  200"),
    post("healthz", "                               405  405  405  405  405  405  405"),
    get("members:home", "                           200  302  302  302  302  302  302"),
    get("members:apply", "                          200  302  302  302  302  302  302"),
    post("members:apply", "                         302  302  302  302  302  302  302",
         data=application_data, writes="anonymous"),
    get("members:apply_done", "                     200  200  200  200  200  200  200"),
    get("members:apply_confirmed", "                200  200  200  200  200  200  200"),
    get("members:privacy", "                        200  200  200  200  200  200  200"),
    get("set_language", "                           302  302  302  302  302  302  302"),
    post("set_language", "                          302  302  302  302  302  302  302",
         data=lambda w, r: {"language": "is", "next": "/motions/"}),
    # Member pages
    get("members:dashboard", "                        L  200  200  200  200  200  200"),
    get("members:profile", "                          L  200  200  200  200  200  403"),
    post("members:profile", "                         L  302  302  302  302  302  403",
         data=profile_data, writes=MEMBERS),
    post("members:profile", "                         L  200  200  200  200  200  403",
         data=lambda w, r: {**profile_data(w, r), "status": Status.SEX_WORKER}),
    get("members:status_change", "                    L  200  200  200  200  200  403"),
    post("members:status_change", "                   L  302  302  302  302  302  403",
         data=status_change_data, writes=MEMBERS),
    post("members:notice_choices", "                  L  302  302  302  302  302  403",
         data=lambda w, r: {"wanted": ["motion_opened"]}, writes=MEMBERS),
    get("members:notice_choices", "                   L  405  405  405  405  405  405"),
    # Quick exit: GET only leaves; POST ends the session, then leaves (no CSRF token needed)
    get("members:quick_exit", "                     302  302  302  302  302  302  302"),
    post("members:quick_exit", "                    302  302  302  302  302  302  302"),
    # Data rights: re-authentication first (allauth sends every role to it), then the page
    get("members:data_rights", "                      L  302  302  302  302  302  302"),
    post("members:data_export", "                     L  302  302  302  302  302  302"),
    get("members:data_export", "                      L  405  405  405  405  405  405"),
    get("members:leave", "                            L  302  302  302  302  302  302"),
    post("members:leave", "                           L  302  302  302  302  302  302",
         data=lambda w, r: {"confirm": "on"}),
    get("members:left", "                           200  200  200  200  200  200  200"),
    # Confirming one's membership for the year (members.renewal), allowed any time.
    post("members:renew", "                            L  302  302  302  302  302  403",
         writes=MEMBERS),
    get("members:resign", "                           L  302  302  302  302  302  302"),
    post("members:resign", "                          L  302  302  302  302  302  302",
         data=lambda w, r: {"confirm": "on"}),
    get("members:resigned", "                       200  200  200  200  200  200  200"),
    # Coordinator pages (the administrator holds no membership record to decide with)
    get("members:coordinator_queue", "                L  403  403  403  200  403  403"),
    get("members:application_decide", "               L  405  405  405  405  405  405",
        args=["application"]),
    post("members:application_decide", "              L  403  403  403  302  403  403",
         args=["application"], data=approve, writes="coordinator"),
    post("members:application_decide", "              L  403  403  403  404  403  403",
         args=["missing"], data=approve),
    post("members:status_change_decide", "            L  403  403  403  302  403  403",
         args=["status_request"], data=approve, writes="coordinator"),
    post("members:status_change_decide", "            L  403  403  403  404  403  403",
         args=["missing"], data=approve),
    get("members:status_change_decide", "             L  405  405  405  405  405  405",
        args=["status_request"]),
    # Motions and voting: drafts are invisible; only those on the roll get a ballot
    get("governance:motion_list", "                   L  200  200  200  200  200  200"),
    get("governance:motion_detail", "                 L  200  200  200  200  200  200",
        args=["open_motion"]),
    get("governance:motion_detail", "                 L  200  200  200  200  200  200",
        args=["published_motion"]),
    get("governance:motion_detail", "                 L  404  404  404  404  404  404",
        args=["draft_motion"]),
    get("governance:motion_vote", "                   L  302  302  302  302  302  302",
        args=["open_motion"]),
    post("governance:motion_vote", "                  L  302  200  200  200  200  302",
         args=["open_motion"], data=vote("confirm")),
    post("governance:motion_vote", "                  L  302  200  200  200  200  302",
         args=["open_motion"], data=vote("cast"), writes=ON_ROLL),
    post("governance:motion_vote", "                  L  302  302  302  302  200  302",
         args=["committee_motion"], data=vote("cast"), writes="committee"),
    post("governance:motion_vote", "                  L  302  302  302  302  302  302",
         args=["published_motion"], data=vote("cast")),
    post("governance:motion_vote", "                  L  404  404  404  404  404  404",
         args=["draft_motion"], data=vote("cast")),
    get("governance:receipt_check", "                 L  302  200  200  200  200  302",
        args=["published_motion"]),
    post("governance:receipt_check", "                L  302  200  200  200  200  302",
         args=["published_motion"], data=receipt_data),
    get("governance:receipt_check", "                 L  302  302  302  302  302  302",
        args=["open_motion"]),
    # Elections
    get("elections:election_list", "                  L  200  200  200  200  200  200"),
    get("elections:election_detail", "                L  200  200  200  200  200  200",
        args=["nominating_election"]),
    get("elections:election_detail", "                L  200  200  200  200  200  200",
        args=["voting_election"]),
    get("elections:election_detail", "                L  404  404  404  404  404  404",
        args=["proposed_election"]),
    post("elections:election_stand", "                L  302  302  302  302  302  404",
         args=["nominating_election"], data=stand_data, writes=ON_ROLL),
    post("elections:election_nominate", "             L  302  302  302  302  302  404",
         args=["nominating_election"], data=nominate_ally),
    get("elections:election_vote", "                  L  405  405  405  405  405  405",
        args=["voting_election"]),
    post("elections:election_vote", "                 L  302  200  200  200  200  404",
         args=["voting_election"], data=ranking, writes=ON_ROLL),
    post("elections:election_vote", "                 L  404  404  404  404  404  404",
         args=["proposed_election"], data=ranking),
    get("elections:receipt_check", "                  L  302  302  302  302  302  302",
        args=["voting_election"]),
    # The receipt again (from the voter's cookie: without one, back to the motion)
    get("governance:motion_receipt", "                L  302  302  302  302  302  302",
        args=["open_motion"]),
    post("governance:motion_receipt", "               L  302  302  302  302  302  302",
         args=["open_motion"]),
    # The published list of counted receipts: with the result, never before
    get("governance:counted_receipts", "              L  200  200  200  200  200  200",
        args=["published_motion"]),
    get("governance:counted_receipts", "              L  404  404  404  404  404  404",
        args=["open_motion"]),
    # Steering Committee and spokespersons
    get("governance:committee", "                     L  200  200  200  200  200  200"),
    get("governance:spokespersons", "                 L  200  200  200  200  200  200"),
    get("governance:my_assignments", "                L  200  200  200  200  200  403"),
    post("governance:my_assignments", "               L  403  302  302  302  302  403",
         data=spokesperson_request_data, writes=ON_ROLL),
    get("governance:assignment_end", "                L  405  405  405  405  405  405",
        args=["own_assignment"]),
    post("governance:assignment_end", "               L  404  404  302  404  404  403",
         args=["own_assignment"], writes="spokesperson"),
    get("governance:coordinator_spokespersons", "     L  403  403  403  200  403  200"),
    get("governance:assignment_decide", "             L  405  405  405  405  405  405",
        args=["proposed_assignment"]),
    post("governance:assignment_decide", "            L  403  403  403  302  403  302",
         args=["proposed_assignment"], data=approve, writes="coordinator administrator"),
    post("governance:assignment_decide", "            L  403  403  403  404  403  404",
         args=["missing"], data=approve),
    get("governance:assignment_revoke", "             L  405  405  405  405  405  405",
        args=["own_assignment"]),
    post("governance:assignment_revoke", "            L  403  403  403  302  403  302",
         args=["own_assignment"], writes="coordinator administrator"),
    # Suspending and reinstating on the coordinators' page (an administrator acts as the
    # system: no membership record of their own).
    get("members:coordinator_members", "             L  403  403  403  200  403  200"),
    get("members:membership_state_decide", "         L  405  405  405  405  405  405",
        args=["members.member"]),
    post("members:membership_state_decide", "        L  403  403  403  302  403  302",
         args=["members.member"], data=lambda w, r: {"action": "suspend", "reason": "x"},
         writes="coordinator administrator"),
    post("members:membership_state_decide", "        L  403  403  403  404  403  404",
         args=["missing"], data=lambda w, r: {"action": "suspend", "reason": "x"}),
    # Seat changes the committee proposed, for coordinators (an administrator without a
    # membership record cannot decide: a message, nothing written).
    get("governance:coordinator_seats", "             L  403  403  403  200  403  200"),
    get("governance:seat_act_decide", "              L  405  405  405  405  405  405",
        args=["seat_act"]),
    post("governance:seat_act_decide", "             L  403  403  403  302  403  302",
         args=["seat_act"], data=lambda w, r: {"decision": "decline", "note": "No"},
         writes="coordinator"),
    post("governance:seat_act_decide", "             L  403  403  403  404  403  404",
         args=["missing"], data=lambda w, r: {"decision": "decline", "note": "No"}),
    # ---------------------------------------------------------------------------------
    # allauth: login, the member's own account pages, second factor, sessions
    get("account_login", "                          200  302  302  302  302  302  302"),
    post("account_login", "                         200  302  302  302  302  302  302",
         data=lambda w, r: {"login": "nobody@example.test", "password": "wrong-password"}),
    get("account_logout", "                         302  200  200  200  200  200  200"),
    post("account_logout", "                        302  302  302  302  302  302  302"),
    get("account_inactive", "                       200  200  200  200  200  200  200"),
    get("account_signup", "                         200  302  302  302  302  302  302"),
    post("account_signup", "                        200  302  302  302  302  302  302",
         data=lambda w, r: {"email": "x@example.test", "password1": "p-77-q", "password2": "p"}),
    get("account_reauthenticate", "                   L  200  200  200  200  200  200"),
    # Re-authentication by e-mail code is off (settings): the page refuses everyone.
    get("account_request_reauthentication_code", "    L  403  403  403  403  403  403"),
    get("account_confirm_reauthentication_code", "    L  403  403  403  403  403  403"),
    # allauth records the administrator's address (made by createsuperuser, not through an
    # application) the first time its e-mail page opens.
    get("account_email", "                            L  200  200  200  200  200  200",
        writes="administrator"),
    post("account_email", "                           L  302  302  302  302  302  302",
         writes="administrator"),
    get("account_email_verification_sent", "        200  200  200  200  200  200  200"),
    get("account_confirm_email", "                  200  200  200  200  200  200  200",
        args=["not-a-key"]),
    get("account_change_password", "                  L  200  200  200  200  200  200"),
    post("account_change_password", "                 L  200  200  200  200  200  200",
         data=password_change_data),
    get("account_set_password", "                     L  302  302  302  302  302  302"),
    get("account_reset_password", "                 200  200  200  200  200  200  200"),
    post("account_reset_password", "                302  302  302  302  302  302  302",
         data=lambda w, r: {"email": "unknown@example.test"}),
    get("account_reset_password_done", "            200  200  200  200  200  200  200"),
    get("account_reset_password_from_key", "        200  200  200  200  200  200  200",
        args=["1", "not-a-key"]),
    get("account_reset_password_from_key_done", "   200  200  200  200  200  200  200"),
    get("account_confirm_login_code", "               L  302  302  302  302  302  302"),
    get("mfa_index", "                                L  200  200  200  200  200  200"),
    get("mfa_authenticate", "                         L  302  302  302  302  302  302"),
    get("mfa_reauthenticate", "                       L  302  302  200  200  200  200"),
    get("mfa_activate_totp", "                        L  302  302  302  302  302  302"),
    get("mfa_deactivate_totp", "                      L  404  404  302  302  302  302"),
    get("mfa_view_recovery_codes", "                  L  404  404  404  404  404  404"),
    get("mfa_generate_recovery_codes", "              L  302  302  302  302  302  302"),
    get("mfa_download_recovery_codes", "              L  404  404  404  404  404  404"),
    get("mfa_list_webauthn", "                        L  200  200  200  200  200  200"),
    get("mfa_add_webauthn", "                         L  302  302  302  302  302  302"),
    get("mfa_reauthenticate_webauthn", "              L  302  302  302  302  302  302"),
    get("mfa_remove_webauthn", "                      L  302  302  302  302  302  302",
        args=["missing"]),
    get("mfa_edit_webauthn", "                        L  302  302  302  302  302  302",
        args=["missing"]),
    get("usersessions_list", "                        L  200  200  200  200  200  200"),
    post("usersessions_list", "                       L  302  302  302  302  302  302"),
    # ---------------------------------------------------------------------------------
    # The admin's own pages. Spokespersons are not staff; coordinators and committee are.
    get("admin:index", staff("                              200  200  200")),
    get("admin:login", "                              L  403  403  403  302  302  302"),
    get("admin:logout", "                           302  302  302  302  405  405  405"),
    get("admin:password_change", staff("                    200  200  200")),
    get("admin:password_change_done", staff("               200  200  200")),
    get("admin:autocomplete", staff("                       403  403  403")),
    get("admin:jsi18n", staff("                             200  200  200")),
    get("admin:view_on_site", staff("                       404  404  404"), args=["1", "1"]),
    get("admin:app_list", staff("                           200  200  200"), args=["members"]),
    get("admin:app_list", staff("                           200  200  200"), args=["governance"]),
    get("admin:app_list", staff("                           404  404  200"), args=["audit"]),
    get("admin:app_list", staff("                           404  404  200"), args=["auth"]),
    get("/admin/no-such-page/", staff("                     404  404  404")),
    get("/admin/members/member/{members.member}/", staff("  302  302  302")),
    # Status filters typed into the URL are refused (400: a disallowed lookup) to those who
    # may not see status, and on every model but the member for everyone.
    get("admin:members_member_changelist", staff("          200  400  200"),
        query="?status__exact=sex_worker"),
    get("admin:members_member_changelist", staff("          200  200  200"),
        query="?q=Zephyrine"),
    get("admin:governance_seat_propose", staff("             403  200  200")),
    get("admin:governance_seat_changelist", staff("         400  400  400"),
        query="?member__status=ally"),
    get("admin:governance_spokespersonassignment_changelist", staff("400  400  400"),
        query="?member__status__exact=sex_worker"),
]
# fmt: on

# The admin's pages for each registered model: GET changelist, add, change, history and
# delete; POST the add and change forms empty, confirm a deletion, and run an action.
# Only the staff roles' codes are given: the others are always sent to the admin's login.
ADMIN_MODELS = {
    #                         changelist  add       change    history   delete
    "members.user": dict(
        get=["403 403 200", "403 403 403", "403 403 200", "403 403 200", "403 403 200"],
        post_add="403 403 403",
        post_change=("403 403 302", "administrator"),  # the account's boxes, unticked
        post_delete=("403 403 200", ""),  # its member row protects it
    ),
    "members.member": dict(
        get=["200 200 200", "403 403 403", "200 200 200", "200 200 200", "403 403 403"],
        post_add="403 403 403",
        post_change=("403 403 200", ""),
        post_delete=("403 403 403", ""),
        action=("suspend", "302 200 302", "coordinator administrator"),
    ),
    "members.membershipapplication": dict(
        get=["200 403 200", "403 403 403", "200 403 200", "200 403 200", "403 403 403"],
        post_add="403 403 403",
        post_change=("403 403 403", ""),
        post_delete=("403 403 403", ""),
        action=("approve", "302 403 302", "coordinator administrator"),
    ),
    "members.statuschangerequest": dict(
        get=["200 403 200", "403 403 403", "200 403 200", "200 403 200", "403 403 403"],
        post_add="403 403 403",
        post_change=("403 403 403", ""),
        post_delete=("403 403 403", ""),
        action=("approve", "302 403 302", "coordinator administrator"),
    ),
    "governance.seat": dict(
        # Coordinators read seats (they confirm the committee's proposals); nobody adds one
        # here: the committee proposes (admin:governance_seat_propose).
        get=["200 200 200", "403 403 403", "200 200 200", "200 200 200", "403 403 403"],
        post_add="403 403 403",
        post_change=("403 403 403", ""),
        post_delete=("403 403 403", ""),
        # A proposal only (a pending act); an administrator without a membership cannot.
        action=("propose_ending", "200 302 302", "committee"),
    ),
    # The committee sees approved assignments and its own proposals only; the world's
    # assignment is a member's own pending request, so it is "not found" (302) for them.
    "governance.spokespersonassignment": dict(
        # Only those who may see status use the add form (its refusal of an ally tells).
        get=["200 200 200", "200 403 200", "200 302 200", "200 302 200", "403 403 403"],
        post_add="200 403 200",
        post_change=("403 302 403", ""),
        post_delete=("403 403 403", ""),
        action=("approve", "302 200 302", "coordinator administrator"),
    ),
    "governance.topic": dict(
        get=["403 200 200", "403 200 200", "403 200 200", "403 200 200", "403 403 200"],
        post_add="403 200 200",
        post_change=("403 200 200", ""),
        post_delete=("403 403 302", "administrator"),
    ),
    "governance.seatevent": dict(
        get=["403 403 200", "403 403 403", "403 403 200", "403 403 200", "403 403 403"],
        post_add="403 403 403",
        post_change=("403 403 403", ""),
        post_delete=("403 403 403", ""),
    ),
    "governance.spokespersonassignmentevent": dict(
        get=["403 403 200", "403 403 403", "403 403 200", "403 403 200", "403 403 403"],
        post_add="403 403 403",
        post_change=("403 403 403", ""),
        post_delete=("403 403 403", ""),
    ),
    "governance.motion": dict(
        get=["403 200 200", "403 200 200", "403 200 200", "403 200 200", "403 200 200"],
        post_add="403 200 200",
        post_change=("403 200 200", ""),
        post_delete=("403 302 302", "committee administrator"),  # a draft
        action=("propose_opening", "403 302 302", "committee"),
    ),
    # Acts waiting for a second person: read-only rows; the world's act is the committee's
    # own, so confirming it is refused to the committee (and to everyone else here).
    "governance.pendingact": dict(
        get=["200 200 200", "403 403 403", "200 200 200", "200 200 200", "403 403 403"],
        post_add="403 403 403",
        post_change=("403 403 403", ""),
        post_delete=("403 403 403", ""),
        action=("confirm", "302 302 302", ""),
    ),
    # Coordinators run elections, the committee also proposes them; nobody edits or
    # deletes one that is confirmed (the fixture's is taking nominations).
    "elections.election": dict(
        get=["200 200 200", "403 200 200", "200 200 200", "200 200 200", "403 403 403"],
        post_add="403 200 200",
        post_change=("403 403 403", ""),
        post_delete=("403 403 403", ""),
        action=("confirm", "302 302 302", "coordinator"),
    ),
    "audit.auditevent": dict(
        get=["403 403 200", "403 403 403", "403 403 200", "403 403 200", "403 403 403"],
        post_add="403 403 403",
        post_change=("403 403 403", ""),
        post_delete=("403 403 403", ""),
    ),
    "auth.group": dict(
        get=["403 403 200", "403 403 200", "403 403 200", "403 403 200", "403 403 200"],
        post_add="403 403 200",
        post_change=("403 403 200", ""),
        post_delete=("403 403 302", "administrator"),
    ),
    "account.emailaddress": dict(
        get=["403 403 200", "403 403 200", "403 403 200", "403 403 200", "403 403 200"],
        post_add="403 403 200",
        post_change=("403 403 200", ""),
        post_delete=("403 403 302", "administrator"),
    ),
    "mfa.authenticator": dict(
        get=["403 403 200", "403 403 200", "403 403 200", "403 403 200", "403 403 200"],
        post_add="403 403 200",
        post_change=("403 403 200", ""),
        post_delete=("403 403 302", "administrator"),
    ),
    "usersessions.usersession": dict(
        get=["403 403 200", "403 403 200", "403 403 200", "403 403 200", "403 403 200"],
        post_add="403 403 200",
        post_change=("403 403 200", ""),
        post_delete=("403 403 302", "administrator"),
    ),
}

# Which object each action runs on (a key of World.ids).
ACTION_TARGETS = {
    "members.member": "members.member",
    "members.membershipapplication": "application",
    "members.statuschangerequest": "status_request",
    "governance.seat": "governance.seat",
    "governance.spokespersonassignment": "proposed_assignment",
    "governance.motion": "draft_motion",
    "elections.election": "proposed_election",
    "governance.pendingact": "governance.pendingact",
}


def admin_rows() -> list[Row]:
    rows = []
    for label, spec in ADMIN_MODELS.items():
        prefix = "admin:" + label.replace(".", "_")
        views = ["changelist", "add", "change", "history", "delete"]
        for view, codes in zip(views, spec["get"], strict=True):
            args = [label] if view in ("change", "history", "delete") else []
            rows.append(get(f"{prefix}_{view}", staff(codes), args=args))
        rows.append(post(f"{prefix}_add", staff(spec["post_add"]), data=lambda w, r: {}))
        codes, writes = spec["post_change"]
        rows.append(
            post(
                f"{prefix}_change", staff(codes), args=[label], data=lambda w, r: {}, writes=writes
            )
        )
        codes, writes = spec["post_delete"]
        rows.append(
            post(f"{prefix}_delete", staff(codes), args=[label], data=confirm_delete, writes=writes)
        )
        if "action" in spec:
            action, codes, writes = spec["action"]
            rows.append(
                post(
                    f"{prefix}_changelist",
                    staff(codes),
                    data=admin_action(action, ACTION_TARGETS[label]),
                    writes=writes,
                )
            )
    return rows


ALL_ROWS = MATRIX + admin_rows()

# URL patterns that no row requests, each with the reason: by URL name...
EXCLUDED: dict[str, str] = {}
# ... and, for unnamed patterns, by the view behind them.
EXCLUDED_VIEWS = {
    "django.views.generic.base.RedirectView": (
        "the admin's `<model>/<id>/` redirect to `<model>/<id>/change/`, which is covered; "
        "one instance is requested (/admin/members/member/<id>/)"
    ),
}


# --- Running a cell ----------------------------------------------------------------------


def request(world: World, role: str, row: Row, language: str | None = None):
    client = world.client(role, language)
    data = row.data(world, role) if row.data else {}
    return getattr(client, row.method)(row.url(world), data)


def cell_problems(world: World, role: str, row: Row, response, before, after) -> list[str]:
    problems = []
    expected = row.codes[ROLES.index(role)]
    got = response.status_code
    location = response.get("Location", "")
    path = location.split("?")[0]
    if expected == LOGIN:
        if got != 302 or path != reverse("account_login"):
            problems.append(f"expected a redirect to the login, got {got} {location}")
    elif expected == ADMIN_LOGIN:
        if got != 302 or path != reverse("admin:login"):
            problems.append(f"expected a redirect to the admin's login, got {got} {location}")
    elif got != expected:
        problems.append(f"expected {expected}, got {got} {location}")
    elif got == 302 and path in (reverse("account_login"), reverse("mfa_index")):
        problems.append(f"302 to {location}: a refusal, not the expected redirect")
    changed = changed_tables(before, after)
    if role in row.writes and not changed:
        problems.append("expected a change in the database, found none")
    if role not in row.writes and changed:
        problems.append(f"changed {changed}")
    problems += leak_problems(role, response, row.url(world))
    return problems


def leak_problems(role: str, response, request_url: str) -> list[str]:
    problems = []
    location = response.get("Location", "")
    if STATUS_VALUE_PATTERN.search(location) and not STATUS_VALUE_PATTERN.search(request_url):
        problems.append(f"a status in a redirect URL: {location}")
    if role not in ROLES_WITHOUT_STATUS_REVIEW:
        return problems
    if getattr(response, "streaming", False):
        return problems
    content = response.content.decode(errors="replace")
    for pseudonym in VICTIMS:
        if pseudonym in content:
            labels = sorted(set(STATUS_LABEL_PATTERN.findall(content)))
            if labels:
                problems.append(f"{pseudonym!r} appears on a page showing {labels}")
    return problems


def shows_a_victim(response) -> bool:
    if getattr(response, "streaming", False):
        return False
    content = response.content.decode(errors="replace")
    return any(pseudonym in content for pseudonym in VICTIMS)


def run_cell(world: World, role: str, row: Row) -> list[str]:
    with rolled_back():
        before = write_counts()
        response = request(world, role, row)
        after = write_counts()
        problems = cell_problems(world, role, row, response, before, after)
    # A page that names a victim is read again in every other language: a translated
    # label must not appear beside them either.
    if row.method == "get" and role in ROLES_WITHOUT_STATUS_REVIEW and shows_a_victim(response):
        for language in OTHER_LANGUAGES:
            with rolled_back():
                translated = request(world, role, row, language)
            if translated.get("Content-Language") != language:
                problems.append(f"{language}: not rendered in that language")
            problems += [f"{language}: {p}" for p in leak_problems(role, translated, "")]
    return problems


@pytest.mark.parametrize("row", ALL_ROWS, ids=[r.id for r in ALL_ROWS])
def test_access_matrix(db, world, row):
    failures = {}
    for role in ROLES:
        problems = run_cell(world, role, row)
        if problems:
            failures[role] = problems
    assert not failures, failures


# --- Completeness: no URL pattern escapes the matrix ------------------------------------


def _join_route(first: str, second: str) -> str:
    # As django.urls.URLResolver joins them, so that the routes compare equal.
    return first + second.removeprefix("^") if first else second


def url_patterns(patterns=None, prefix="", namespace=None):
    """(route, name, view) for every URL pattern of the project, included ones too."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = _join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield route, name, pattern.lookup_str


def test_every_url_pattern_is_covered(db, world):
    covered = {resolve(r.url(world).split("?")[0]).route for r in ALL_ROWS}
    patterns = list(url_patterns())
    missing = [
        f"{name or '(unnamed)'}: /{route} ({view})"
        for route, name, view in patterns
        if route not in covered and name not in EXCLUDED and view not in EXCLUDED_VIEWS
    ]
    assert not missing, (
        "URL patterns with no row in the access matrix (add rows to MATRIX or "
        "ADMIN_MODELS in tests/security/test_access_matrix.py, or list them in EXCLUDED "
        "with the reason):\n" + "\n".join(missing)
    )
    names = {name for _route, name, _view in patterns}
    assert not set(EXCLUDED) - names, "EXCLUDED lists URL names that no longer exist"


def test_every_role_is_exercised_by_the_matrix():
    """Each role reaches at least one page (a broken fixture would otherwise turn every
    cell of a role into the same refusal)."""
    for index, role in enumerate(ROLES[1:], start=1):
        assert any(r.codes[index] == 200 for r in ALL_ROWS), role
