"""Checks of the recorded results, for the restore drill (`manage.py restore_verify`,
docs/deployment.md): after a restore, every closed motion's stored result must still be
what its counted ballots and its rules give."""

from collections import Counter

from . import tally
from .models import CHOICE_OF_CONTENT, Choice, CountedBallots, Motion, MotionState


def tallies_check() -> tuple[int, list[str]]:
    """(motions checked, problems): for each closed or published motion, the counted
    ballots per choice equal the stored counts, and the stored outcome is what the
    majority rule and quorum give for them. Problems name motion ids, never voters."""
    motions = Motion.objects.filter(
        state__in=[MotionState.CLOSED, MotionState.PUBLISHED]
    ).select_related("box")
    counts: dict[int, Counter] = {}
    # One counted ballot per ballot in each motion's closed box (packed, one byte each).
    for box_id, contents in CountedBallots.objects.filter(box__motion__in=motions).values_list(
        "box_id", "contents"
    ):
        counts.setdefault(box_id, Counter()).update(
            CHOICE_OF_CONTENT.get(bytes([byte]), "?") for byte in bytes(contents)
        )
    problems, checked = [], 0
    for motion in motions.order_by("pk"):
        checked += 1
        counted = counts.get(motion.box_id, {})
        stored = (motion.yes_count, motion.no_count, motion.abstain_count)
        recounted = tuple(counted.get(c, 0) for c in (Choice.YES, Choice.NO, Choice.ABSTAIN))
        if stored != recounted:
            problems.append(f"motion {motion.pk}: stored {stored}, ballots give {recounted}")
            continue
        result = tally.decide(
            yes=recounted[0],
            no=recounted[1],
            abstain=recounted[2],
            roll_size=motion.roll_size or 0,
            rule=motion.majority,
            quorum_percent=motion.quorum_percent,
        )
        if result.outcome != motion.outcome:
            problems.append(
                f"motion {motion.pk}: outcome {motion.outcome!r}, rules give {result.outcome!r}"
            )
    return checked, problems
