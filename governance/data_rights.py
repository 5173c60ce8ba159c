"""Governance's part of members' data rights (see members/data_rights.py), registered
with `members.hooks` from GovernanceConfig.ready().

Export: the member's seats, spokesperson assignments, and the motions they were on the
roll of, with whether they voted; for roll-call motions their choice, which members see
anyway. A secret ballot's choice is never included: nothing links it to the voter.

Erasure (after the member row has become the tombstone): seats and assignments stay (they
are the committee's record, and `Seat.member` protects the tombstone), but their free-text
reasons are blanked and their trigger-written history is deleted, along with pghistory
contexts left with no event. Rolls, roll-call ballots, secret ballots and the voters rows
are not touched at all, so tallies, roll sizes and digests stay exactly as they were.
"""

from typing import Any

from django.apps import apps
from django.db import models

from members.data_rights import admin_log_scrub
from members.hooks import PersonalDataPart
from members.models import Member

from .models import (
    CHOICE_OF_CONTENT,
    BallotKind,
    CountedBallots,
    Motion,
    RollEntry,
    Seat,
    SpokespersonAssignment,
    Voter,
)


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def member_data_export_part(*, member: Member) -> PersonalDataPart:
    seats = list(Seat.objects.filter(member=member).order_by("term_start", "pk"))
    assignments = list(
        SpokespersonAssignment.objects.filter(member=member)
        .prefetch_related("topics")
        .order_by("proposed_at", "pk")
    )
    box_ids = RollEntry.objects.filter(member=member).values("box_id")
    motions = list(Motion.objects.filter(box_id__in=box_ids).order_by("pk"))
    voted = set(Voter.objects.filter(member=member).values_list("box_id", flat=True))
    # Only roll-call ballots carry a voter, once counted; a secret ballot cannot be found.
    roll_call_choices = {
        pack.box_id: CHOICE_OF_CONTENT[ballot.content]
        for pack in CountedBallots.objects.filter(voter_ids__contains=[member.pk])
        for ballot in pack.ballots()
        if ballot.voter_id == member.pk
    }
    sections: dict[str, Any] = {
        "steering_committee_seats": [
            {
                "position": seat.position,
                "term_start": _when(seat.term_start),
                "term_end": _when(seat.term_end),
                "ended_on": _when(seat.ended_on),
                "end_reason": seat.end_reason,
                "created_at": _when(seat.created_at),
            }
            for seat in seats
        ],
        "spokesperson_assignments": [
            {
                "topics": sorted(topic.slug for topic in a.topics.all()),
                "countries": a.countries,
                "languages": a.languages,
                "starts_on": _when(a.starts_on),
                "ends_on": _when(a.ends_on),
                "state": a.state,
                "proposed_at": _when(a.proposed_at),
                "decided_at": _when(a.decided_at),
                "decision_reason": a.decision_reason,
                "closed_at": _when(a.closed_at),
                "close_reason": a.close_reason,
            }
            for a in assignments
        ],
        "motions_on_your_roll": [
            {
                "motion": motion.pk,
                "title": motion.title,
                "state": motion.state,
                "ballot_kind": motion.ballot_kind,
                "opened_at": _when(motion.opened_at),
                "closes_at": _when(motion.closes_at),
                "voted": motion.box_id in voted,
                **(
                    {"choice": roll_call_choices.get(motion.box_id)}
                    if motion.ballot_kind == BallotKind.ROLL_CALL
                    else {}
                ),
            }
            for motion in motions
        ],
    }
    targets = [(seat._meta.label_lower, seat.pk) for seat in seats] + [
        (a._meta.label_lower, a.pk) for a in assignments
    ]
    return PersonalDataPart(sections=sections, audit_targets=targets)


def _context_holders() -> list[type[models.Model]]:
    """Every event model whose rows point at a pghistory context."""
    return [
        model
        for model in apps.get_models()
        if any(f.name == "pgh_context" for f in model._meta.concrete_fields)
    ]


def _history_delete(event_model: type[models.Model], object_ids: list[int]) -> set:
    events = event_model.objects.filter(pgh_obj_id__in=object_ids)
    context_ids = set(events.exclude(pgh_context_id=None).values_list("pgh_context_id", flat=True))
    events.delete()
    return context_ids


def member_personal_data_erase(*, member: Member) -> None:
    """Registered with members.hooks: runs in the erasure transaction, after the
    member's roles have ended."""
    seats = list(Seat.objects.select_for_update().filter(member=member))
    assignments = list(SpokespersonAssignment.objects.select_for_update().filter(member=member))
    admin_log_scrub([*seats, *assignments])
    Seat.objects.filter(member=member).update(end_reason="")
    SpokespersonAssignment.objects.filter(member=member).update(decision_reason="", close_reason="")
    # The updates above wrote history rows too; all of it goes (the history's guards
    # allow it because the member is erased by now: see members.data_rights._erase).
    contexts = _history_delete(
        apps.get_model("governance", "SeatEvent"), [s.pk for s in seats]
    ) | _history_delete(
        apps.get_model("governance", "SpokespersonAssignmentEvent"),
        [a.pk for a in assignments],
    )
    # A context holds who acted and why (the reason may be about this member); drop the
    # ones no remaining event uses. Shared ones ("the term ended") stay for the others.
    if contexts:
        still_used = set()
        for model in _context_holders():
            still_used |= set(
                model.objects.filter(pgh_context_id__in=contexts).values_list(
                    "pgh_context_id", flat=True
                )
            )
        apps.get_model("pghistory", "Context").objects.filter(pk__in=contexts - still_used).delete()
