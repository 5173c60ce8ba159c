"""Privacy classification of election fields (see rosealliance/privacy.py).

Standing discloses a member's status to the electorate, with their consent: a candidacy
they accepted is public to members. A nomination not (yet) accepted discloses the
nominee's status without it, so it is sensitive. Who voted and how is in the ballot box
(governance/privacy.py)."""

from core.privacy import Level, classify

P, M, S = Level.PUBLIC_TO_MEMBERS, Level.PRIVATE_TO_MEMBER, Level.SENSITIVE

classify(
    "elections.election",
    {
        "id": P,
        "title": P,
        "seats": P,
        "position": P,
        "term_start": P,
        "term_end": P,
        "nominations_open_at": P,
        "nominations_close_at": P,
        "opens_at": P,
        "closes_at": P,
        "state": P,
        "proposed_by": M,
        "confirmed_by": M,
        "box": P,
        # The count: public to members once published, hidden until then.
        "result": P,
        "created_at": M,
        "confirmed_at": M,
        "counted_at": P,
        "published_at": P,
        "seated_at": P,
    },
)
classify(
    "elections.candidacy",
    {
        "id": S,
        "election": S,
        "member": S,
        "nominated_by": S,
        "statement": S,
        "nominated_at": S,
        "accepted_at": S,
        "ballot_number": P,
        "count_rank": P,
        "elected": P,
        # "Skipped" says the winner lost their rights: for the committee, not the members.
        "seat_outcome": S,
    },
)
