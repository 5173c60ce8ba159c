"""Database backups with pg_dump / pg_restore, for `make backup` and `make restore`.

The connection comes from a Django database settings dict (by default the configured
database). Credentials go to the client tools through libpq's environment variables, never
on the command line where any local user could read them with `ps`.

A dump holds every member's status: it is written readable by its owner only (0600, in a
0700 folder), and must be encrypted before it leaves the server (docs/deployment.md).
"""

import os
import shutil
import subprocess  # nosec B404
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# libpq's names for the Django settings the client tools need.
# (Variable names, not passwords.)
_LIBPQ_ENV = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}  # nosec B105
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


class BackupError(Exception):
    pass


def default_settings_dict() -> dict:
    return connections[DEFAULT_DB_ALIAS].settings_dict


def libpq_environment(settings_dict: dict) -> dict[str, str]:
    """The environment for pg_dump/pg_restore/psql to reach the database in `settings_dict`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["PGDATABASE"] = str(settings_dict["NAME"])
    for setting, variable in _LIBPQ_ENV.items():
        if settings_dict.get(setting):
            env[variable] = str(settings_dict[setting])
    for option, variable in _LIBPQ_OPTIONS.items():
        if settings_dict.get("OPTIONS", {}).get(option):
            env[variable] = str(settings_dict["OPTIONS"][option])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not on PATH; install the PostgreSQL client tools.")
    return path


def default_backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def backup_create(*, directory: Path | None = None, settings_dict: dict | None = None) -> Path:
    """Dump the database in pg_dump's custom format to `<directory>/<UTC timestamp>.dump`."""
    directory = Path(directory or default_backup_dir())
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = directory / f"{stamp}.dump"
    partial = directory / f".{stamp}.dump.partial"
    # Write under a temporary name so an interrupted dump is never mistaken for a backup.
    partial.touch(mode=0o600)
    try:
        _run([_tool("pg_dump"), "--format=custom", f"--file={partial}"], settings_dict)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def backup_restore(path: Path, *, settings_dict: dict | None = None) -> None:
    """Restore a custom-format dump into the database, replacing what is there.

    One transaction: a restore that fails half-way leaves the database as it was.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No such backup file: {path}")
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={(settings_dict or default_settings_dict())['NAME']}",
            str(path),
        ],
        settings_dict,
    )


def _run(command: list[str], settings_dict: dict | None) -> None:
    env = libpq_environment(settings_dict or default_settings_dict())
    # bandit: pg_dump and pg_restore from fixed paths, an argument list, never a shell.
    completed = subprocess.run(  # noqa: S603  # nosec B603
        command, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed:\n{completed.stderr.strip()}")
