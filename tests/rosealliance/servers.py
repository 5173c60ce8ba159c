"""Real gunicorn processes against the pytest-django test database, and a tiny HTTP client
that keeps cookies, for tests that must cross process boundaries (several app servers,
production serving)."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url_of_tests() -> str:
    """DATABASE_URL for the database this test process uses (the test database)."""
    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        credentials += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def owner_url_of(database_url: str) -> str:
    """The same database, as the owner role (what a restore runs as)."""
    from core.database_roles import credentials

    rest = database_url.split("@", 1)[1]
    return f"postgres://{credentials('owner')['USER']}@{rest}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Gunicorn:
    port: int
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def gunicorn_start(log: Path, env: dict[str, str], *, timeout: float = 40) -> Gunicorn:
    """Start gunicorn with the production config on a free loopback port; wait until its
    health endpoint answers (any status: a server without a database answers 503)."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:rosealliance.gunicorn_config",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            cwd=ROOT,
            env={**os.environ, "DATABASE_CONN_MAX_AGE": "0", **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Gunicorn(port, process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()}")
        try:
            Client(port).get("/healthz")
            return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer in {timeout}s:\n{log.read_text()}")


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str


@dataclass
class Client:
    """Sends every request with the same Host header, as a load balancer in front of
    several servers does, and keeps cookies across servers like a browser would."""

    port: int
    host: str = "localhost"
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, data: dict | None = None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": self.host, **self.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read().decode())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_form(self, path: str, data: dict) -> Response:
        """GET the form for its CSRF token, then POST `data` with it."""
        page = self.get(path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert match, f"no CSRF token on {path}"
        return self.request("POST", path, {**data, "csrfmiddlewaretoken": match.group(1)})

    def on(self, port: int) -> "Client":
        """The same browser (cookies shared) talking to another server."""
        return Client(port, self.host, self.cookies, self.headers)
