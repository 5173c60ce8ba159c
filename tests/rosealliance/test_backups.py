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


def test_a_member_erased_after_the_backup_keeps_their_id_unused_after_a_restore(
    make_member, fresh_database, tmp_path, settings
):
    """Someone who applied after the backup and was erased is not in it: the replay
    skips them, and a newcomer must not be given their id (the next restore's replay
    would erase the newcomer)."""
    from members.data_rights import member_erase

    settings.ERASURE_LEDGER = tmp_path / "backups" / "erasures.ledger"
    make_member(pseudonym="Before")
    out = io.StringIO()
    call_command("db_backup", directory=tmp_path / "backups", stdout=out)
    dump = Path(out.getvalue().strip())
    late = [make_member(pseudonym=f"Late {n}") for n in range(3)]
    member_erase(member_id=late[0].pk, requested_by=late[0].user)

    result = restore(dump, fresh_database, ERASURE_LEDGER=str(settings.ERASURE_LEDGER))
    assert "Erased again from the erasure ledger: 0." in result.stdout
    with psycopg.connect(fresh_database) as conn:
        (next_id,) = conn.execute(
            "SELECT nextval(pg_get_serial_sequence('members_member', 'id'))"
        ).fetchone()
    assert next_id > late[0].pk


def test_restore_records_erasures_the_ledger_missed(make_member, fresh_database, tmp_path):
    """A member erased in the backup but absent from the ledger (a ledger started late,
    or restored from an older copy) goes into the ledger: the database says it happened."""
    from members.data_rights import member_erase

    ledger = tmp_path / "ledger" / "erasures.ledger"
    gone = make_member()
    member_erase(member_id=gone.pk, requested_by=gone.user)
    out = io.StringIO()
    call_command("db_backup", directory=tmp_path / "backups", stdout=out)

    result = restore(out.getvalue().strip(), fresh_database, ERASURE_LEDGER=str(ledger))
    assert "Recorded in the ledger from the backup: 1." in result.stdout
    assert ledger.read_text() == f"{gone.pk}\n"


def test_an_erasure_the_ledger_cannot_record_is_refused_and_changes_nothing(
    make_member, tmp_path, settings
):
    from django.core.exceptions import ValidationError

    from members.data_rights import member_erase

    (tmp_path / "not-a-folder").write_text("")
    settings.ERASURE_LEDGER = tmp_path / "not-a-folder" / "erasures.ledger"
    member = make_member(pseudonym="Still Here")
    with pytest.raises(ValidationError) as refused:
        member_erase(member_id=member.pk, requested_by=member.user)
    assert refused.value.code == "not_erasable"
    member.refresh_from_db()
    assert (member.pseudonym, member.state) == ("Still Here", MembershipState.ACTIVE)


def test_check_refuses_a_ledger_that_lacks_an_erased_member(make_member, tmp_path, settings):
    """What every app server runs as it starts (rosealliance/wsgi.py)."""
    from django.core.management.base import SystemCheckError

    from members.data_rights import member_erase

    settings.ERASURE_LEDGER = tmp_path / "one" / "erasures.ledger"
    gone = make_member()
    member_erase(member_id=gone.pk, requested_by=gone.user)
    call_command("check", "--database", "default")

    settings.ERASURE_LEDGER = tmp_path / "another" / "erasures.ledger"
    with pytest.raises(SystemCheckError, match=rf"members.E014.*lacks 1 .*ids {gone.pk}\)"):
        call_command("check", "--database", "default")
    settings.ERASURE_LEDGER = tmp_path
    with pytest.raises(SystemCheckError, match="members.E010"):
        call_command("check")


@pytest.mark.django_db(transaction=True)  # the owner's part reconnects
def test_erasures_only_replays_the_ledger_without_restoring(make_member, tmp_path, settings):
    """After a point-in-time recovery (WAL archiving), which restores by other means."""
    from members.data_rights import member_erase
    from members.erasure_ledger import ledger_append

    settings.ERASURE_LEDGER = tmp_path / "erasures.ledger"
    back = make_member(pseudonym="Came Back")
    gone = make_member()
    member_erase(member_id=gone.pk, requested_by=gone.user)
    ledger_append(back.pk)  # as if erased after the point the recovery went back to

    out = io.StringIO()
    call_command("db_restore", erasures_only=True, stdout=out)
    assert "Erased again from the erasure ledger: 1." in out.getvalue()
    back.refresh_from_db()
    assert back.state == MembershipState.ERASED
    with pytest.raises(CommandError, match="Name the backup file"):
        call_command("db_restore", interactive=False)
