"""`make serve`'s production mode, for real: production settings (DEBUG off, HTTPS
redirect on, whitenoise's hashed and compressed static files after collectstatic) under
gunicorn with the project's gunicorn config."""

import json
import os
import re
import subprocess
import sys

import pytest

from .servers import ROOT, Client, database_url_of_tests, gunicorn_start

pytestmark = pytest.mark.gunicorn


def production_env(tmp_path, database_url: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "rosealliance.settings",
        "DEBUG": "0",
        "SECRET_KEY": "production-serving-test-key",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(tmp_path / "static"),
    }


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("serve")
    env = {**os.environ, **production_env(tmp_path, "postgres://unused@127.0.0.1:1/unused")}
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return tmp_path


@pytest.fixture
def production_server(transactional_db, collected_static):
    server = gunicorn_start(
        collected_static / "gunicorn.log",
        production_env(collected_static, database_url_of_tests()),
    )
    yield server
    server.stop()


def test_health_endpoint_answers_over_plain_http(production_server):
    # Load balancers probe without TLS; every other path is redirected to HTTPS.
    response = Client(production_server.port).get("/healthz")
    assert (response.status, response.body) == (200, "ok")
    assert "no-store" in response.headers["Cache-Control"]
    redirect = Client(production_server.port).get("/accounts/login/")
    assert redirect.status == 301
    assert redirect.headers["Location"].startswith("https://")


def test_pages_behind_the_tls_proxy_use_hashed_static_files(production_server):
    proxy = Client(production_server.port, headers={"X-Forwarded-Proto": "https"})
    page = proxy.get("/accounts/login/")
    assert page.status == 200
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page.body)
    assert stylesheet, "the page should link the hashed stylesheet"
    css = proxy.get(stylesheet.group(1))
    assert css.status == 200
    assert "immutable" in css.headers["Cache-Control"]
    # The error pages render in production too (a missing static file would make them 500).
    missing = proxy.get("/no-such-page/")
    assert missing.status == 404
    assert 'data-error="404"' in missing.body


def test_logs_are_json_lines(production_server):
    Client(production_server.port).get("/no-such-page/?email=someone@example.test")
    production_server.stop()
    lines = [line for line in production_server.log.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    access = [r for r in records if r["logger"] == "gunicorn.access"]
    assert access, "gunicorn's access log should go through the JSON formatter"
    allowed = {"time", "level", "logger", "message", "method", "path", "status", "bytes"}
    assert all(set(record) <= allowed | {"duration_ms"} for record in access)
    assert "someone@example.test" not in "\n".join(lines)


def test_health_endpoint_reports_an_unreachable_database(collected_static, tmp_path):
    # Nothing listens on port 1: the server starts, but cannot reach its database.
    server = gunicorn_start(
        tmp_path / "gunicorn.log",
        production_env(collected_static, "postgres://postgres@127.0.0.1:1/unreachable"),
    )
    try:
        response = Client(server.port).get("/healthz")
    finally:
        server.stop()
    assert (response.status, response.body) == (503, "unavailable")
