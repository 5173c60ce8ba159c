import pytest
from django.core.management import CommandError, call_command

from governance.models import Motion, MotionState, Seat
from members.models import Member, Status


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not Member.objects.exists()


def test_seed_demo_is_complete_and_idempotent(db, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "demo-password-2026" in output
    assert Member.objects.count() == 12
    for country in ("SE", "NO", "FI", "IS"):
        statuses = set(Member.objects.filter(country=country).values_list("status", flat=True))
        assert {Status.SEX_WORKER, Status.ALLY} <= statuses
    assert Seat.objects.filter(ended_on__isnull=True).count() == 2
    assert set(Motion.objects.values_list("state", flat=True)) == {
        MotionState.OPEN,
        MotionState.PUBLISHED,
    }
