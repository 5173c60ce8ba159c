"""A PgBouncer of the test's own (Debian's `pgbouncer`, installed by `make test-tools`), in
transaction pooling mode in front of the test database, as docs/deployment.md runs it in
front of several app servers: a generated config on a free loopback port, no service."""

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from .servers import free_port

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
# Few server connections, so that clients really do share them: a session-level lock,
# a `SET` or a prepared statement left behind by one client reaches another.
POOL_SIZE = 3


@dataclass
class PgBouncer:
    port: int
    process: subprocess.Popen
    log: Path

    def database_url(self) -> str:
        """DATABASE_URL for the test database, through this PgBouncer."""
        s = connection.settings_dict
        credentials = quote(s["USER"] or "", safe="")
        if s.get("PASSWORD"):
            credentials += ":" + quote(s["PASSWORD"], safe="")
        return f"postgres://{credentials}@127.0.0.1:{self.port}/{s['NAME']}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def pgbouncer_available() -> bool:
    return os.access(PGBOUNCER, os.X_OK)


def pgbouncer_start(directory: Path, *, pool_mode: str = "transaction") -> PgBouncer:
    """Start PgBouncer for the test database's server; wait until it accepts connections."""
    if not pgbouncer_available():
        raise RuntimeError("pgbouncer is not installed: run `make test-tools`")
    s = connection.settings_dict
    port = free_port()
    userlist = directory / "userlist.txt"
    # With auth_type=trust PgBouncer takes the client's word for who it is and logs in to
    # the server with the password listed here (the test database's own credentials).
    userlist.write_text(f'"{s["USER"]}" "{s.get("PASSWORD") or ""}"\n')
    userlist.chmod(0o600)
    config = directory / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"* = host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {userlist}\n"
        f"pool_mode = {pool_mode}\n"
        f"default_pool_size = {POOL_SIZE}\n"
        # In turn, as a busy pool hands them out, rather than the last one used (which
        # would hide state left on a connection by handing it back to the same client).
        "server_round_robin = 1\n"
        "max_client_conn = 200\n"
    )
    log = directory / "pgbouncer.log"
    # PgBouncer refuses to run as root; it reads its files first, then drops to `-u`.
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [PGBOUNCER, *user, str(config)], stdout=output, stderr=subprocess.STDOUT
        )
    bouncer = PgBouncer(port, process, log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited:\n{log.read_text()}")
        if "listening on" in log.read_text():
            return bouncer
        time.sleep(0.1)
    bouncer.stop()
    raise RuntimeError(f"pgbouncer did not start in 20s:\n{log.read_text()}")
