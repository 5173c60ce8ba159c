"""Privacy classification of the members app's fields (see core/privacy.py)."""

from core.privacy import Level, classify

P, M, S, X = Level.PUBLIC_TO_MEMBERS, Level.PRIVATE_TO_MEMBER, Level.SENSITIVE, Level.SECRET

classify(
    "members.user",
    {
        "id": M,
        "password": X,
        "last_login": M,
        "is_superuser": M,
        "email": M,
        "is_staff": M,
        "is_active": M,
        "date_joined": M,
        # Role groups can imply status: every Steering Committee member is a sex worker.
        "groups": S,
        "user_permissions": M,
    },
)
classify(
    "members.member",
    {
        "id": P,
        "user": M,
        "pseudonym": P,
        "country": M,
        "preferred_language": M,
        "status": S,
        "state": M,
        "applied_at": M,
        "approved_at": M,
        "approved_by": M,
        "state_changed_at": M,
        "renewed_on": M,
        "state_reason": S,
        "renewal_notice_sent_on": M,
    },
)
# pghistory's trigger-written history of Member (see members.models).
classify(
    "members.memberstateevent",
    {
        "pgh_id": M,
        "pgh_created_at": M,
        "pgh_label": M,
        "pgh_obj": M,
        "state": M,
        # A coordinator's words about why: they may say more than the state does.
        "state_reason": S,
    },
)
# That a member's status changed, and when, reveals their status history.
classify(
    "members.memberstatusevent",
    {"pgh_id": M, "pgh_created_at": S, "pgh_label": S, "pgh_obj": S},
)
classify(
    "members.membershipapplication",
    {
        "id": M,
        "member": M,
        # Free text in which applicants often describe themselves.
        "note": S,
        "submitted_at": M,
        "decision": M,
        "decided_at": M,
        "decided_by": M,
        "decision_reason": S,
    },
)
# A status change request names both statuses: all of it is sensitive.
classify(
    "members.statuschangerequest",
    {
        "id": S,
        "member": S,
        "from_status": S,
        "to_status": S,
        "reason": S,
        "requested_at": S,
        "decision": S,
        "decided_at": S,
        "decided_by": S,
        "decision_reason": S,
    },
)
# Which notices a member wants: their own choice, no one else's business.
classify("members.noticeoptout", {"id": M, "member": M, "kind": M})
# A waiting notice about a vote tells that its member is on a roll (eligible, so their
# status): sensitive, and deleted as soon as it is sent.
classify("members.notice", {"id": S, "member": S, "kind": S, "due_at": S, "attempts": S})
