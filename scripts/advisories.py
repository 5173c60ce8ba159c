"""The offline dependency audit: known vulnerabilities of the locked packages, from
advisories vendored into the repository (advisories.json), for machines where pip-audit's
service cannot be reached (scripts/pip_audit.sh decides).

    python scripts/advisories.py refresh   # `make advisories`: fetch them again (needs PyPI)
    python scripts/advisories.py audit     # offline: check requirements.lock against them

What PyPI lets a machine with only a package mirror's access read: its JSON API answers
per project (https://pypi.org/pypi/<name>/json) with the OSV advisories (PYSEC, GHSA) of
the project's LATEST release; per-version answers (what pip-audit reads) and OSV's own
service are not reachable here. So, for each locked package:

- pinned at the latest release: its advisories are exactly the pinned version's: checked;
- pinned below the latest: the advisories of the latest release are reported against it
  too (a flaw not fixed in the latest is nearly always in older ones), but the flaws
  fixed in between are invisible: the package is listed as NOT fully checked, with the
  newer version to move to (`make lock`);
- a pinned release PyPI has yanked is a finding.

Any advisory or yanked release fails the audit; packages not fully checked are listed
plainly and do not fail it (as with pip-audit's skip, read the output). Advisories older
than MAX_AGE_DAYS are announced as stale.
"""

import json
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.error import URLError

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
DATABASE = ROOT / "advisories.json"
INDEX = "https://pypi.org/pypi"
MAX_AGE_DAYS = 30


def locked(lock: Path = LOCK) -> dict[str, str]:
    """name -> pinned version of every package in the lock (whatever its markers)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from lock import pinned

    return {name: version for name, (version, _, _) in pinned(lock.read_text()).items()}


def refresh(*, index: str = INDEX, lock: Path = LOCK, database: Path = DATABASE) -> None:
    packages = {}
    for name, version in sorted(locked(lock).items()):
        url = f"{index}/{name}/json"
        try:
            # bandit: a fixed https URL (or a test's loopback index), JSON only.
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  # nosec B310
                data = json.load(response)
        except (URLError, OSError, ValueError) as error:
            sys.exit(f"advisories: cannot read {url} ({error}); advisories.json unchanged.")
        files = data.get("releases", {}).get(version, [])
        yanked = [f.get("yanked_reason") or "yanked" for f in files if f.get("yanked")]
        packages[name] = {
            "pinned": version,
            "latest": data["info"]["version"],
            "yanked": yanked[0] if files and len(yanked) == len(files) else None,
            "advisories": [
                {
                    "id": item["id"],
                    "aliases": item.get("aliases", []),
                    "fixed_in": item.get("fixed_in", []),
                    "link": item.get("link", ""),
                    "summary": (item.get("summary") or item.get("details") or "")[:200],
                }
                for item in data.get("vulnerabilities", [])
                if not item.get("withdrawn")
            ],
        }
    document = {
        "refreshed_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": f"{index}/<name>/json: OSV advisories of each package's latest release",
        "packages": packages,
    }
    database.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    found = sum(len(p["advisories"]) for p in packages.values())
    print(f"advisories.json: {len(packages)} packages, {found} advisories")


def audit(*, lock: Path = LOCK, database: Path = DATABASE, now: datetime | None = None) -> int:
    if not database.exists():
        print("offline audit NOT run: advisories.json is missing (make advisories)")
        return 0
    document = json.loads(database.read_text())
    refreshed = datetime.strptime(document["refreshed_at"], "%Y-%m-%dT%H:%M:%SZ")
    age = ((now or datetime.now(UTC)).replace(tzinfo=None) - refreshed).days
    print(f"offline audit against advisories of {document['refreshed_at']} ({age} days old)")
    if age > MAX_AGE_DAYS:
        print(f"STALE: advisories older than {MAX_AGE_DAYS} days; refresh with `make advisories`")
    findings, unchecked = [], []
    for name, version in sorted(locked(lock).items()):
        known = document["packages"].get(name)
        if known is None:
            unchecked.append(f"{name}=={version}: no advisory data (make advisories)")
            continue
        for item in known["advisories"]:
            fixed = ", ".join(item["fixed_in"]) or "no fixed release"
            findings.append(f"{name}=={version}: {item['id']} (fixed in: {fixed}) {item['link']}")
        if known["pinned"] == version and known.get("yanked"):
            findings.append(f"{name}=={version}: yanked from PyPI ({known['yanked']})")
        if version != known["latest"]:
            unchecked.append(f"{name}=={version}: flaws fixed up to {known['latest']} unknown here")
    for line in findings:
        print(f"VULNERABLE {line}")
    if unchecked:
        print(f"NOT fully checked ({len(unchecked)} packages; `make lock` moves to the latest):")
        for line in unchecked:
            print(f"  {line}")
    checked = len(locked(lock)) - len(unchecked)
    print(f"offline audit: {len(findings)} findings; {checked} packages fully checked")
    return 1 if findings else 0


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["refresh"]:
            refresh()
        case ["audit"]:
            sys.exit(audit())
        case _:
            sys.exit("usage: scripts/advisories.py refresh|audit")
