"""The erasure ledger: the ids of erased members, replayed by `db_restore`, so that an
erased member does not come back with an older backup.

It lives outside the database (settings.ERASURE_LEDGER) because a restore replaces the
database, and every app server must write to the same one: with several servers it is a
file on storage they all mount (docs/deployment.md, "The erasure ledger"). A bare member id
is not personal data once the member is erased: it points at a tombstone.

One invariant ties it to the database: every member the database holds as erased is in the
ledger. An erasure writes its line before it commits (members.data_rights), and the system
checks in members.checks refuse to start a server whose ledger breaks the invariant (the
ledger is not the shared one, or was lost), because a restore run from there would bring
people back.
"""

import fcntl
import os
from pathlib import Path

from django.conf import settings


def ledger_path() -> Path:
    return Path(settings.ERASURE_LEDGER)


def ledger_append(member_ids: list[int] | int) -> None:
    """Record erasures durably (fsync), creating the ledger readable by its owner only.

    An exclusive lock around the write: appends from several servers to a file on a network
    share are not atomic by themselves (NFS has no atomic O_APPEND across clients)."""
    ids = [member_ids] if isinstance(member_ids, int) else list(member_ids)
    if not ids:
        return
    path = ledger_path()
    new_folder = not path.parent.exists()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX)
        os.write(descriptor, "".join(f"{int(member_id)}\n" for member_id in ids).encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)  # closing releases the lock
    if new_folder:
        _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make a new file's name durable too, not only its contents."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def ledger_member_ids() -> list[int]:
    """Every recorded id, oldest first, without repeats; a damaged line is skipped."""
    path = ledger_path()
    if not path.exists():
        return []
    seen: dict[int, None] = {}
    for line in path.read_text().splitlines():
        if line.strip().isdigit():
            seen[int(line)] = None
    return list(seen)


def ledger_missing(erased_ids: list[int]) -> list[int]:
    """Those of `erased_ids` (members erased in the database) that the ledger lacks."""
    recorded = set(ledger_member_ids())
    return sorted(set(erased_ids) - recorded)
