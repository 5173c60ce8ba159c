"""The fixtures' stand-in for the Steering Committee's four-eyes step on motions.

The database lets a motion open, close before its window ends or publish its result only
with an act a second person confirmed (`motion_acts_need_a_second_person`). Tests that are
about something else open, close and publish through these functions, which record such
an act by two stand-in members (former members, never on a roll) and then call the
service. The four-eyes step itself is tested through its services
(tests/governance/test_acts.py) and the admin (tests/governance/test_motion_admin.py).
"""

import datetime

from django.utils import timezone

from governance import services
from governance.models import ActKind, ActState, PendingAct
from members.models import Member, MembershipState, Status, User

_STAND_INS = ("Agreement Proposer", "Agreement Confirmer")


def _stand_ins() -> list[Member]:
    found = {m.pseudonym: m for m in Member.objects.filter(pseudonym__in=_STAND_INS)}
    for pseudonym in _STAND_INS:
        if pseudonym not in found:
            user = User.objects.create_user(
                email=f"{pseudonym.split()[1].lower()}@agreements.test", is_active=False
            )
            found[pseudonym] = Member.objects.create(
                user=user,
                pseudonym=pseudonym,
                country="SE",
                preferred_language="en",
                status=Status.ALLY,
                state=MembershipState.RESIGNED,
            )
    return [found[pseudonym] for pseudonym in _STAND_INS]


def agreed(kind: str, motion_id: int) -> None:
    """Record that two people agreed to `kind` (an ActKind) on the motion."""
    proposer, confirmer = _stand_ins()
    act = PendingAct.objects.create(
        kind=kind,
        motion_id=motion_id,
        proposed_by=proposer,
        reason="Agreed (test fixture)",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    PendingAct.objects.filter(pk=act.pk).update(
        state=ActState.CONFIRMED, decided_by=confirmer, decided_at=timezone.now()
    )


def motion_open(*, motion_id: int, by=None):
    agreed(ActKind.MOTION_OPEN, motion_id)
    return services.motion_open(motion_id=motion_id, by=by)


def motion_close(*, motion_id: int, by=None):
    agreed(ActKind.MOTION_CLOSE, motion_id)
    return services.motion_close(motion_id=motion_id, by=by)


def motion_publish(*, motion_id: int, by=None):
    agreed(ActKind.MOTION_PUBLISH, motion_id)
    return services.motion_publish(motion_id=motion_id, by=by)
