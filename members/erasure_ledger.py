"""The erasure ledger: the ids of erased members, appended after each erasure commits and
replayed by `db_restore`, so that an erased member does not come back with an older backup.

It lives outside the database (settings.ERASURE_LEDGER, beside the backups) because a
restore replaces the database. A bare member id is not personal data once the member is
erased: it points at a tombstone."""

import os
from pathlib import Path

from django.conf import settings


def ledger_path() -> Path:
    return Path(settings.ERASURE_LEDGER)


def ledger_append(member_id: int) -> None:
    """Record one erasure durably (fsync), creating the ledger readable by its owner only."""
    path = ledger_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, f"{int(member_id)}\n".encode())
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
