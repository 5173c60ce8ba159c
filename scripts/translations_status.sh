#!/usr/bin/env bash
# Bring the translation catalogues (locale/*/LC_MESSAGES/django.po) up to date with the
# source, compile them (.mo, committed), and print per language how many strings still
# need a translator. Exit status 1 while any catalogue is incomplete.
#
#   scripts/translations_status.sh          # update + compile + report (= make messages)
#   scripts/translations_status.sh status   # report only, changes nothing
#
# Needs gettext (xgettext, msgmerge, msgfmt); `make messages` installs it when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
# Reading the source needs settings but no database connection.
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-rosealliance.test_settings}
exec "$PY" -m core.catalogues "${1:-update}"
