"""The lock files (scripts/lock.py) and the offline dependency audit
(scripts/advisories.py): `make test` fails when pyproject.toml and the lock disagree, and
`make scan` fails on a known advisory of a locked package, with nothing but the repo."""

import importlib.util
import json
import shutil
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .servers import ROOT


def script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def lock(tmp_path, monkeypatch):
    """scripts/lock.py working on a copy of pyproject.toml and the lock files."""
    module = script("lock")
    for name in ("pyproject.toml", *module.LOCKS):
        shutil.copy(ROOT / name, tmp_path / name)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "PYPROJECT", tmp_path / "pyproject.toml")
    return module


def test_the_lock_files_agree_with_pyproject(lock, capsys):
    assert lock.check() == 0
    assert "lock files agree with pyproject.toml" in capsys.readouterr().out


def test_a_dependency_added_without_make_lock_fails_the_check(lock, tmp_path, capsys):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            '"gunicorn>=23.0.0",', '"gunicorn>=23.0.0", "left-pad-nowhere",'
        )
    )
    assert lock.check() == 1
    errors = capsys.readouterr().err
    assert "requirements.lock was not made from pyproject.toml as it is" in errors
    assert "'left-pad-nowhere' is in pyproject.toml but not locked" in errors


def test_a_pin_outside_the_stated_range_or_without_hash_fails_the_check(lock, tmp_path, capsys):
    path = tmp_path / "requirements.lock"
    text = path.read_text()
    version = lock.pinned(text)["django"][0]
    text = text.replace(f"django=={version}", "django==5.2.0")
    # gunicorn's entry without its hash lines.
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("gunicorn=="))
    end = start + 1
    while "--hash=" in lines[end]:
        end += 1
    lines[start:end] = [lines[start].replace(" \\", "")]
    path.write_text("".join(lines))
    assert lock.check() == 1
    errors = capsys.readouterr().err
    assert "django==5.2.0 does not satisfy" in errors
    assert "gunicorn==" in errors and "has no hash" in errors


ADVISORY = {
    "id": "PYSEC-2099-1",
    "aliases": ["CVE-2099-1"],
    "fixed_in": ["2.0.1"],
    "link": "https://osv.dev/vulnerability/PYSEC-2099-1",
    "summary": "example",
}


def write_lock_and_advisories(tmp_path, packages: dict, refreshed_at: str = "2099-01-01T00:00:00Z"):
    lock_file = tmp_path / "requirements.lock"
    lock_file.write_text(
        "".join(f"{name}=={v['pinned']} \\\n    --hash=sha256:00\n" for name, v in packages.items())
    )
    database = tmp_path / "advisories.json"
    document = {"refreshed_at": refreshed_at, "source": "test", "packages": packages}
    database.write_text(json.dumps(document))
    return lock_file, database


def test_offline_audit_fails_on_an_advisory_and_names_what_it_could_not_check(tmp_path, capsys):
    advisories = script("advisories")
    lock_file, database = write_lock_and_advisories(
        tmp_path,
        {
            "vulnerable": {
                "pinned": "2.0.0",
                "latest": "2.0.0",
                "yanked": None,
                "advisories": [ADVISORY],
            },
            "behind": {"pinned": "1.0", "latest": "1.1", "yanked": None, "advisories": []},
            "clean": {"pinned": "3.0", "latest": "3.0", "yanked": None, "advisories": []},
        },
    )
    now = datetime(2099, 1, 2, tzinfo=UTC)
    assert advisories.audit(lock=lock_file, database=database, now=now) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE vulnerable==2.0.0: PYSEC-2099-1 (fixed in: 2.0.1)" in out
    assert "NOT fully checked (1 packages" in out
    assert "behind==1.0: flaws fixed up to 1.1 unknown here" in out
    assert "offline audit: 1 findings; 2 packages fully checked" in out
    assert "STALE" not in out


def test_offline_audit_passes_clean_packages_and_says_when_advisories_are_stale(tmp_path, capsys):
    advisories = script("advisories")
    lock_file, database = write_lock_and_advisories(
        tmp_path, {"clean": {"pinned": "3.0", "latest": "3.0", "yanked": None, "advisories": []}}
    )
    now = datetime(2099, 3, 1, tzinfo=UTC)
    assert advisories.audit(lock=lock_file, database=database, now=now) == 0
    out = capsys.readouterr().out
    assert "STALE: advisories older than 30 days" in out
    assert "offline audit: 0 findings; 1 packages fully checked" in out


def test_refresh_reads_each_locked_package_from_the_index(tmp_path):
    """Against a stand-in of PyPI's JSON API on loopback (tests never reach the network)."""
    answers = {
        "/pypi/vulnerable/json": {
            "info": {"version": "2.0.0"},
            "releases": {"2.0.0": [{"yanked": False}]},
            "vulnerabilities": [{**ADVISORY, "details": "x", "withdrawn": None}],
        },
        "/pypi/pulled/json": {
            "info": {"version": "1.1"},
            "releases": {"1.0": [{"yanked": True, "yanked_reason": "broken"}]},
            "vulnerabilities": [],
        },
    }

    class Index(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = json.dumps(answers[self.path]).encode()
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    advisories = script("advisories")
    lock_file = tmp_path / "requirements.lock"
    lock_file.write_text(
        "vulnerable==2.0.0 \\\n    --hash=sha256:00\npulled==1.0 \\\n    --hash=sha256:00\n"
    )
    database = tmp_path / "advisories.json"
    try:
        advisories.refresh(
            index=f"http://127.0.0.1:{server.server_port}/pypi", lock=lock_file, database=database
        )
    finally:
        server.shutdown()
        server.server_close()
    packages = json.loads(database.read_text())["packages"]
    assert packages["vulnerable"]["advisories"][0]["id"] == "PYSEC-2099-1"
    assert packages["pulled"] == {
        "pinned": "1.0",
        "latest": "1.1",
        "yanked": "broken",
        "advisories": [],
    }
    assert advisories.audit(lock=lock_file, database=database) == 1


def test_the_vendored_advisories_cover_the_lock():
    document = json.loads((ROOT / "advisories.json").read_text())
    assert set(script("advisories").locked()) == set(document["packages"])
    assert Path(ROOT / "advisories.json").stat().st_size > 0
