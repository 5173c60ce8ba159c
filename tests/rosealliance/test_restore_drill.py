"""The restore drill of docs/deployment.md, as a volunteer runs it on the worst day: the
latest backup into a fresh database, erasures replayed from the ledger, then
`restore_verify` (audit chain, erasure ledger, tallies) with the output the guide shows."""

import io
import os
import subprocess
import sys

from django.core.management import call_command
from django.urls import reverse

from members.data_rights import member_erase
from tests import agreements

from .servers import ROOT
from .test_backups import restore


def verify(database_url: str, ledger) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "restore_verify"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "ERASURE_LEDGER": str(ledger)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_restore_drill(make_member, make_motion, fresh_database, tmp_path, settings, client):
    settings.ERASURE_LEDGER = ledger = tmp_path / "shared" / "erasures.ledger"
    voters = [make_member() for _ in range(3)]
    motion = make_motion()
    vote_url = reverse("governance:motion_vote", args=[motion.pk])
    for member, choice in zip(voters, ("yes", "yes", "no"), strict=True):
        client.force_login(member.user)
        assert client.post(vote_url, {"choice": choice, "step": "cast"}).status_code == 200
    agreements.motion_close(motion_id=motion.pk)
    out = io.StringIO()
    call_command("db_backup", directory=tmp_path / "backups", stdout=out)
    member_erase(member_id=voters[0].pk, requested_by=voters[0].user)

    restored = restore(out.getvalue().strip(), fresh_database, ERASURE_LEDGER=str(ledger))
    assert "Erased again from the erasure ledger: 1." in restored.stdout

    checked = verify(fresh_database, ledger)
    assert checked.returncode == 0, checked.stderr
    lines = checked.stdout.splitlines()
    assert lines[0].startswith("audit chain: intact (")
    assert lines[1:] == [
        "erasure ledger: 1 entries, every erased member listed, none pending",
        "tallies: 1 closed motions recounted, all match",
        "restore verified",
    ]

    # Verifying with the wrong ledger (not the shared one) fails, and says so.
    wrong = verify(fresh_database, tmp_path / "elsewhere" / "erasures.ledger")
    assert wrong.returncode == 1
    assert "1 erased but not listed" in wrong.stdout
    assert "Restore verification failed: erasure ledger." in wrong.stderr
