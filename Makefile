# The two commands of the project's contract: `make run` and `make test`.
# Both work from a fresh clone: they create .venv from requirements.lock, and when
# DATABASE_URL is unset start the embedded PostgreSQL (scripts/pg_local.sh: var/postgres,
# or as root a folder the postgres user owns under /var/lib/rosealliance-pg).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# The first Python >= 3.12 found: pyenv's (selected by .python-version), then the usual names.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)

DEV_ENV := DEBUG=1 SECRET_KEY=dev-only-insecure-key SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 DEFAULT_HTTP_PROTOCOL=http

.PHONY: help install run test lint scan db-start db-stop messages test-tools clean lock lock-check advisories

help:
	@echo "make run    - serve the site with demo data on http://127.0.0.1:8000"
	@echo "make test   - the whole test suite, migrations check, linters and scanners"
	@echo "make scan   - bandit over the code; the dependency audit (online, else offline)"
	@echo "make lock   - resolve dependencies again into requirements.lock (needs PyPI)"
	@echo "make advisories - refresh the vendored advisories of the offline audit (needs PyPI)"
	@echo "make db-stop - stop the embedded PostgreSQL"
	@echo "make serve  - production mode locally: collectstatic, gunicorn on 127.0.0.1:8000"
	@echo "make backup - pg_dump the configured database into var/backups/"
	@echo "make restore FILE=var/backups/....dump - replace the database with a backup"
	@echo "make messages - update translation catalogues from the source, compile, report"
	@echo "make bench  - the voting benchmark (bench/run.py); results in bench/results/"

# Every package from requirements.lock, each file checked against its hash (scripts/lock.py;
# `make lock` updates it after a change to pyproject.toml's dependencies). Then the project
# itself, built by the locked setuptools.
$(VENV)/.installed: pyproject.toml requirements.lock
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is required" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed

# Resolve the dependencies again (needs PyPI) and rewrite the lock files, then refresh the
# advisories the offline audit reads (scripts/advisories.py).
lock: install
	$(PY) scripts/lock.py update
	$(MAKE) install advisories

# The advisories the offline dependency audit reads (advisories.json; needs PyPI).
advisories: install
	$(PY) scripts/advisories.py refresh

# A step of `make test`: the lock files agree with pyproject.toml (offline).
lock-check: install
	$(PY) scripts/lock.py check

db-start: install
	@if [ -z "$$DATABASE_URL" ]; then scripts/pg_local.sh start; fi

db-stop:
	@scripts/pg_local.sh stop

run: db-start
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py createcachetable
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Security scanners (a step of `make test`). bandit fails on any finding: the application's
# code with every test on (a justified exception carries `# nosec BXXX` and the reason on
# the line above); the tests with the checks that only describe what tests do by nature
# skipped (B101 assert, B105/B106 test passwords, B404/B603 running fixed tools without a
# shell, B608 SQL built from constants). Then the dependency audit: pip-audit where its
# service answers, else the offline audit against advisories.json (scripts/pip_audit.sh
# says which ran).
BANDIT := $(VENV)/bin/bandit --quiet --severity-level low --confidence-level low
# bandit warns about `# nosec` on lines holding several expressions; those are not findings.
BANDIT_NOISE := { grep -v 'nosec encountered' >&2 || true; }
scan: install
	set -o pipefail; $(BANDIT) -r rosealliance core members governance elections audit manage.py 2>&1 | $(BANDIT_NOISE)
	set -o pipefail; $(BANDIT) -r tests --skip B101,B105,B106,B404,B603,B608 2>&1 | $(BANDIT_NOISE)
	scripts/pip_audit.sh

test: lock-check db-start lint scan test-tools
	DJANGO_SETTINGS_MODULE=rosealliance.test_settings $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

# What the tests need beyond Python: gettext (the catalogue checks run xgettext, msgmerge
# and msgfmt), Debian's Chromium for the browser tests (test tools cannot download a
# browser here), PgBouncer for the several-servers tests (they start their own process;
# no service is used) and axe-core from npm (package-lock.json; node_modules/ is ignored).
test-tools: node_modules/.installed
	@command -v msgfmt >/dev/null 2>&1 || scripts/apt_install.sh gettext
	@test -x /usr/bin/chromium || scripts/apt_install.sh chromium chromium-driver
	@test -x /usr/sbin/pgbouncer || command -v pgbouncer >/dev/null 2>&1 || scripts/apt_install.sh pgbouncer

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || scripts/apt_install.sh nodejs npm
	npm ci --no-audit --no-fund
	touch $@

# Translations: extract new strings into locale/*/django.po, compile the .mo files (they
# are committed; tests/i18n fails while a .mo differs from its .po) and report what is
# left to translate. Re-run after adding or changing any marked string.
messages: install
	@command -v msgfmt >/dev/null 2>&1 || scripts/apt_install.sh gettext
	scripts/translations_status.sh

clean:
	rm -rf $(VENV) var/static node_modules

# --- Operations (docs/deployment.md) ----------------------------------------------------
# Production settings (DEBUG off, whitenoise's hashed static files, gunicorn), with local
# stand-ins only where the environment does not say otherwise: a throwaway SECRET_KEY and
# no HTTPS redirect or secure-only cookies, because loopback has no TLS.
SERVE_ENV := SECRET_KEY="$${SECRET_KEY:-local-serve-insecure-key}" \
	SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}" SECURE_COOKIES="$${SECURE_COOKIES:-0}" \
	SECURE_HSTS_SECONDS="$${SECURE_HSTS_SECONDS:-0}" DEFAULT_HTTP_PROTOCOL="$${DEFAULT_HTTP_PROTOCOL:-http}"
# Backups and restores sign nothing; settings still insist on a key.
OPS_ENV := SECRET_KEY="$${SECRET_KEY:-unused-by-backups}"

.PHONY: serve backup restore bench

# The benchmark of a general assembly's vote (bench/run.py, README "Benchmark"): its own
# database bench_rosealliance on the configured server, gunicorn on a loopback port.
bench: db-start
	$(PY) -m bench.run $(BENCH_ARGS)

serve: db-start
	$(SERVE_ENV) $(PY) manage.py migrate --no-input
	$(SERVE_ENV) $(PY) manage.py createcachetable
	$(SERVE_ENV) $(PY) manage.py collectstatic --no-input --verbosity 0
	$(SERVE_ENV) $(VENV)/bin/gunicorn --config python:rosealliance.gunicorn_config \
		--bind 127.0.0.1:8000 --workers 2

backup: db-start
	$(OPS_ENV) $(PY) manage.py db_backup

restore: db-start
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/<timestamp>.dump" >&2; exit 2; }
	$(OPS_ENV) $(PY) manage.py db_restore "$(FILE)"
