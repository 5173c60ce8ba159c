"""A newcomer's first minute: a fresh clone in a folder only its user can enter (mode 0700,
as `mktemp -d`, root's home or a container's working directory are) starts the embedded
PostgreSQL with DATABASE_URL unset and serves the site, as `make run` does.

As root this is the case that used to fail: the cluster runs as `postgres`, who cannot
enter the clone (scripts/pg_local.sh keeps the cluster in a folder `postgres` owns).
The clone reuses this test run's virtual environment instead of installing its own (that
part of `make run` is `make install`, run by every `make test`)."""

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from .servers import ROOT, Client, free_port

pytestmark = pytest.mark.cluster

DEV_ENV = {
    "DEBUG": "1",
    "SECRET_KEY": "fresh-clone-test-key",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "DEFAULT_HTTP_PROTOCOL": "http",
    "DJANGO_SETTINGS_MODULE": "rosealliance.settings",
}


def clone_into(target: Path) -> None:
    """The files a fresh clone of this working tree has (tracked and new, not ignored)."""
    listed = subprocess.run(
        [shutil.which("git"), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (item.decode() for item in listed)):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    completed = subprocess.run(  # noqa: S603
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert completed.returncode == 0, f"{command} failed:\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout


@pytest.fixture
def clone():
    # mkdtemp makes the folder 0700, like `mktemp -d`.
    path = Path(tempfile.mkdtemp(prefix="rosealliance-clone-"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    clone_into(path)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ERASURE_LEDGER")}
    env |= DEV_ENV | {"EMBEDDED_PG_PORT": str(free_port())}
    cluster = Path(run(["scripts/pg_local.sh", "where"], path, env).strip())
    try:
        yield path, env
    finally:
        stop = [str(path / "scripts" / "pg_local.sh"), "stop"]
        subprocess.run(stop, cwd=path, env=env, check=False)  # noqa: S603
        shutil.rmtree(cluster, ignore_errors=True)
        shutil.rmtree(path, ignore_errors=True)


def test_fresh_clone_in_a_private_folder_starts_its_database_and_serves(clone):
    path, env = clone

    started = run(["scripts/pg_local.sh", "start"], path, env)
    assert f"embedded PostgreSQL on 127.0.0.1:{env['EMBEDDED_PG_PORT']}" in started
    # Idempotent: a second start (the next `make run`) reuses the running cluster.
    run(["scripts/pg_local.sh", "start"], path, env)
    assert run(["scripts/pg_local.sh", "status"], path, env).strip() == "running"
    fsync = run(
        [
            shutil.which("psql"),
            "-h",
            "127.0.0.1",
            "-p",
            env["EMBEDDED_PG_PORT"],
            "-U",
            "postgres",
            "-tAc",
            "SHOW fsync",
        ],
        path,
        env,
    )
    assert fsync.strip() == "on"

    # `make run`, minus the install and the demo data: migrate, cache table, serve.
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--no-input", "--verbosity", "0"], path, env)
    run([*manage, "createcachetable"], path, env)
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        pages = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                pages = {p: Client(port).get(p).status for p in ("/", "/accounts/login/")}
                break
            except OSError:
                time.sleep(0.3)
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=15)
    assert pages == {"/": 200, "/accounts/login/": 200}, errors
