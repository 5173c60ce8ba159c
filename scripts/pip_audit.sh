#!/usr/bin/env bash
# The dependency audit of `make scan`. Online: pip-audit --strict over the installed
# packages (every package must be audited: one that cannot be looked up fails the run),
# where its vulnerability service answers: PyPI's per-version JSON API
# (https://pypi.org/pypi/<name>/<version>/json), which a machine with only a package
# mirror's access cannot reach. Offline otherwise: scripts/advisories.py checks
# requirements.lock against the advisories vendored in advisories.json (refreshed by
# `make advisories`), and says which packages it could not fully check. Either way the
# output says which audit ran; a finding fails `make scan`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

# Probe with a package certain to be there (the installed pip), a short timeout, and the
# field pip-audit reads: an answer without it is not the vulnerability service.
if ! "$PY" - <<'PROBE' >/dev/null 2>&1
import json, urllib.request
from importlib.metadata import version
url = f"https://pypi.org/pypi/pip/{version('pip')}/json"
with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
    assert "vulnerabilities" in json.load(response)
PROBE
then
  echo "************************************************************************"
  echo "pip-audit skipped: vulnerability service unreachable"
  echo "running the offline audit instead (scripts/advisories.py, advisories.json)"
  echo "************************************************************************"
  exec "$PY" scripts/advisories.py audit
fi
# The project itself is installed in editable mode and is not on PyPI.
exec .venv/bin/pip-audit --strict --skip-editable --progress-spinner off
