"""Settings for the test suite: the real settings plus fixed test values.

Only what must differ for tests is changed here; the database is real Postgres from
DATABASE_URL (or the embedded cluster), never SQLite.
"""

import os
import tempfile  # noqa: E402

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment")
# A fixed test-only ballot key, and a key folder of the test run's own, inherited by the
# app servers some tests start (they must open and close the same boxes).
os.environ.setdefault("BALLOT_KEY", "dGVzdC1vbmx5LWJhbGxvdC1rZXktMzItYnl0ZXMhIT0=")
os.environ.setdefault("BALLOT_KEY_DIR", tempfile.mkdtemp(prefix="rosealliance-ballot-keys-"))

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Mail is sent in the caller's thread (core.deferred), so tests read mail.outbox directly.
DEFERRED_WORK_INLINE = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Serve static files from the source folders, as in development: tests never need
# `collectstatic`.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The browser tests' live server answers from threads: each must close its connection when
# its request ends, or the test database cannot be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Erasures in tests must never land in the real ledger that `db_restore` replays.
from pathlib import Path  # noqa: E402

if "ERASURE_LEDGER" not in os.environ:
    ERASURE_LEDGER = Path(tempfile.mkdtemp(prefix="rosealliance-test-")) / "erasures.ledger"
