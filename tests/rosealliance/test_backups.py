"""`make backup` / `make restore`: a dump of a database with members in it, restored into
a fresh database, holds every member; restoring again over it replaces, not duplicates."""

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command

from members.models import MembershipState, Status

from .servers import ROOT, database_url_of_tests, owner_url_of


def members_in(database_url: str) -> set[tuple[str, str, str, str]]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT u.email, m.pseudonym, m.status, m.state"
            " FROM members_member m JOIN members_user u ON u.id = m.user_id"
        ).fetchall()
    return set(rows)


def restore(file, database_url: str, **env: str) -> subprocess.CompletedProcess:
    """What `make restore FILE=...` runs, in its own process against `database_url`."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "db_restore", str(file), "--no-input"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "DATABASE_OWNER_URL": owner_url_of(database_url),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_backup_round_trip_restores_every_member(make_member, fresh_database, tmp_path):
    make_member(status=Status.SEX_WORKER, pseudonym="Alpha")
    make_member(status=Status.ALLY, pseudonym="Beta")
    make_member(state=MembershipState.APPLIED, pseudonym="Gamma")
    make_member(state=MembershipState.SUSPENDED, pseudonym="Delta")
    expected = members_in(database_url_of_tests())
    assert len(expected) == 4

    out = io.StringIO()
    call_command("db_backup", directory=tmp_path / "backups", stdout=out)
    dump = Path(out.getvalue().strip())
    assert dump.parent == tmp_path / "backups"
    assert dump.is_file() and dump.suffix == ".dump"
    # The dump holds every member's status: only its owner may read it.
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert stat.S_IMODE(dump.parent.stat().st_mode) == 0o700

    restore(dump, fresh_database)
    assert members_in(fresh_database) == expected

    # Restoring over a database that already has the data replaces it.
    restore(dump, fresh_database)
    assert members_in(fresh_database) == expected


def test_restore_of_a_missing_file_fails_cleanly(db, tmp_path):
    with pytest.raises(CommandError, match="No such backup file"):
        call_command("db_restore", str(tmp_path / "missing.dump"), interactive=False)


def test_erasures_made_after_a_backup_are_replayed_on_restore(
    make_member, fresh_database, tmp_path, settings
):
    from members.data_rights import member_erase

    settings.ERASURE_LEDGER = tmp_path / "backups" / "erasures.ledger"
    leaving = make_member(pseudonym="Leaving Person")
    make_member(pseudonym="Staying Person")
    out = io.StringIO()
    call_command("db_backup", directory=tmp_path / "backups", stdout=out)
    dump = Path(out.getvalue().strip())

    member_erase(member_id=leaving.pk, requested_by=leaving.user)
    assert settings.ERASURE_LEDGER.read_text() == f"{leaving.pk}\n"
    assert stat.S_IMODE(settings.ERASURE_LEDGER.stat().st_mode) == 0o600

    # The backup predates the erasure; the restore must not bring the person back.
    result = restore(dump, fresh_database, ERASURE_LEDGER=str(settings.ERASURE_LEDGER))
    assert "Erased again from the erasure ledger: 1." in result.stdout
    pseudonyms = {row[1] for row in members_in(fresh_database)}
    assert "Staying Person" in pseudonyms
    assert "Leaving Person" not in pseudonyms
    with psycopg.connect(fresh_database) as conn:
        state, email = conn.execute(
            "SELECT m.state, u.email FROM members_member m"
            " JOIN members_user u ON u.id = m.user_id WHERE m.id = %s",
            [leaving.pk],
        ).fetchone()
    assert state == "erased"
    assert email != leaving.user.email
