"""Privacy classification of governance fields (see core/privacy.py).

Holding a seat or an assignment shows a member is a sex worker, but those roles are public
to members by the organisation's own rules. Who is on a roll, who voted and how (in a
secret ballot) is sensitive: it reveals status and political choices."""

from core.privacy import Level, classify

P, M, S, X = Level.PUBLIC_TO_MEMBERS, Level.PRIVATE_TO_MEMBER, Level.SENSITIVE, Level.SECRET

_SEAT = {
    "id": P,
    "member": P,
    "position": P,
    "term_start": P,
    "term_end": P,
    "ended_on": P,
    # A reason may say why a member lost their rights (a status change).
    "end_reason": S,
    "created_at": M,
    "created_by": M,
}
_ASSIGNMENT = {
    "id": P,
    "member": P,
    "topics": P,
    "countries": P,
    "languages": P,
    "starts_on": P,
    "ends_on": P,
    "state": M,
    "proposed_at": M,
    "proposed_by": M,
    "decided_at": M,
    "decided_by": M,
    "decision_reason": S,
    "closed_at": M,
    "close_reason": S,
}
_HISTORY = {
    "pgh_id": S,
    "pgh_created_at": S,
    "pgh_label": S,
    "pgh_obj": S,
    "pgh_context": S,
}

classify("governance.seat", _SEAT)
classify("governance.spokespersonassignment", _ASSIGNMENT)
# The history is for administrators only: every column of it is sensitive.
classify("governance.seatevent", {**dict.fromkeys(_SEAT, S), **_HISTORY})
# Many-to-many fields are not copied into history rows.
classify(
    "governance.spokespersonassignmentevent",
    {**dict.fromkeys((k for k in _ASSIGNMENT if k != "topics"), S), **_HISTORY},
)
classify(
    "governance.topic",
    {"id": P, "slug": P, "name": P} | {f"name_{c}": P for c in ["en", "sv", "nb", "fi", "is"]},
)

_translated = {
    f"{base}_{code}": P for base in ("title", "text") for code in ["en", "sv", "nb", "fi", "is"]
}
classify(
    "governance.motion",
    {
        "id": P,
        "title": P,
        "text": P,
        **_translated,
        "proposer": M,
        "electorate": P,
        "ballot_kind": P,
        "majority": P,
        "quorum_percent": P,
        "opens_at": P,
        "closes_at": P,
        "allow_language_fallback": P,
        "state": P,
        "created_at": M,
        "opened_at": P,
        "closed_at": P,
        "published_at": P,
        "box": P,
        # Counted at the close; shown to members once published.
        "yes_count": P,
        "no_count": P,
        "abstain_count": P,
        "outcome": P,
    },
)
# A ballot box's public facts: its window, roll size and digest (the salt once closed).
classify(
    "governance.ballotbox",
    {
        "id": P,
        "state": P,
        "secret": P,
        "committee_only": P,
        "opens_at": P,
        "closes_at": P,
        "public_key": P,
        "content_size": P,
        "roll_size": P,
        "roll_digest": P,
        # The hash of a 32-byte random salt that is never published: it tells nothing.
        "roll_salt_sha256": P,
        "closed_at": P,
    },
)
# Who is on a roll reveals status; who voted is the "who voted" fact.
classify("governance.rollentry", {"box": S, "member": S})
classify("governance.voter", {"box": S, "member": S})
# Sealed, a ballot says nothing without the box's key, which never enters the database;
# opened, its content must never be tied to a person, and the receipt hash is a secret
# between the ballot and the voter.
classify("governance.sealedballot", {"id": S, "box": S, "sealed": S})
classify(
    "governance.countedballots",
    {"box": S, "chunk": S, "receipt_hashes": X, "contents": S, "voter_ids": S},
)
# Acts waiting for a second person: the committee's and coordinators' working records. A
# seat proposal names a member without saying anything about them, but its reasons, and
# whether a coordinator confirmed or declined it, can tell why (the eligibility rule).
classify(
    "governance.pendingact",
    {
        "id": M,
        "kind": M,
        "state": S,
        "reason": S,
        "proposed_by": M,
        "proposed_at": M,
        "expires_at": M,
        "decided_by": S,
        "decided_at": S,
        "decision_note": S,
        "motion": M,
        "seat": M,
        "member": S,
        "position": M,
        "term_start": M,
        "term_end": M,
    },
)
