"""A newcomer's and an operator's first steps on an empty database, as separate processes
with the two roles: `migrate` (run as the owner by itself), `createcachetable`, then the
deploy checks with the database: the application's role owns nothing and every open
ballot box has its key."""

import os
import subprocess
import sys

import pytest

from .servers import ROOT, owner_url_of

pytestmark = pytest.mark.django_db(transaction=True)


def manage(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "DATABASE_OWNER_URL": owner_url_of(database_url),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_an_empty_database_migrates_and_passes_the_deploy_checks(fresh_database, tmp_path):
    for command in (["migrate", "--no-input"], ["createcachetable"]):
        result = manage(*command, database_url=fresh_database)
        assert result.returncode == 0, result.stdout + result.stderr
    production = {
        "DJANGO_SETTINGS_MODULE": "rosealliance.settings",
        "DEBUG": "0",
        "SECRET_KEY": "prod-" + "k3y-w1th-3nough-ent40py-" * 3,
        "ALLOWED_HOSTS": "members.example.org",
        "EMAIL_HOST": "smtp.example.org",
        "STATIC_ROOT": str(tmp_path),
        "BALLOT_KEY_DIR": str(tmp_path / "keys"),
    }
    check = ["check", "--deploy", "--database", "default", "--fail-level", "WARNING"]
    result = manage(*check, database_url=fresh_database, **production)
    assert result.returncode == 0, result.stdout + result.stderr
    # The same checks refuse an application connected as the tables' owner.
    result = manage(*check, database_url=owner_url_of(fresh_database), **production)
    assert result.returncode != 0 and "rosealliance.E001" in result.stderr
