"""Settings for the rosealliance project.

Every value that differs between machines is read from the environment here and only
here. The defaults are the safe production ones: DEBUG is off, no secret key is invented,
and cookies are secure. `make run` supplies the development values (see the Makefile).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment (make run sets a development key)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Two database roles (core/database_roles.py, docs/deployment.md "Database roles"): the
# application connects as DATABASE_URL's role, which owns nothing and cannot truncate or
# disable a trigger; migrations run as DATABASE_OWNER_URL's role, which owns the tables.
# The embedded development cluster started by scripts/pg_local.sh has both roles.
EMBEDDED_DATABASE_URL = "postgres://rosealliance_app@127.0.0.1:54329/rosealliance"
EMBEDDED_OWNER_URL = "postgres://rosealliance_owner@127.0.0.1:54329/rosealliance"
DATABASE_URL = os.environ.get("DATABASE_URL", EMBEDDED_DATABASE_URL)
DATABASE_OWNER_URL = os.environ.get(
    "DATABASE_OWNER_URL", EMBEDDED_OWNER_URL if "DATABASE_URL" not in os.environ else DATABASE_URL
)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Django's backend without a health check on a connection known good (core/postgresql).
DATABASES["default"]["ENGINE"] = "core.postgresql"
_owner = dj_database_url.parse(DATABASE_OWNER_URL)
DATABASE_ROLES = {
    "app": {"USER": DATABASES["default"]["USER"], "PASSWORD": DATABASES["default"]["PASSWORD"]},
    "owner": {"USER": _owner["USER"], "PASSWORD": _owner["PASSWORD"]},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every server process: allauth's rate limits must count across all of
# them. The table lives in Postgres (created by `createcachetable`, which the test runner
# also calls); REDIS_URL switches to Redis where one is configured.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    )
}
# Sessions live in the database, so any server can serve any member.
SESSION_ENGINE = "rosealliance.sessions"

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch its forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # The project package: run_scheduled, db_backup, db_restore and project-wide jobs.
    "rosealliance",
    # allauth's session list formats times with it.
    "django.contrib.humanize",
    "pgtrigger",
    "pghistory",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "members",
    "governance",
    "elections",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.middleware.PreferredLanguageMiddleware",
    "members.middleware.PrivatePagesNotStoredMiddleware",
    # Security (issue 6): sessions are tracked so they can all be ended; a second factor is
    # enforced before any view runs; admin views are put on the audit log.
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "rosealliance.mfa_enforcement.SecondFactorRequiredMiddleware",
    "audit.middleware.AdminAccessAuditMiddleware",
]

ROOT_URLCONF = "rosealliance.urls"
WSGI_APPLICATION = "rosealliance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "members.context_processors.coordinator_contact",
            ],
        },
    },
]

AUTH_USER_MODEL = "members.User"
# Django's and allauth's backends, loading the request's user in one query together with
# the member record, permissions and second-factor requirement (rosealliance/auth_backends.py).
AUTHENTICATION_BACKENDS = [
    "rosealliance.auth_backends.ModelBackend",
    "rosealliance.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: e-mail login, mandatory verification, no open sign-up (applying for
# membership is the only way in: see members.views.apply).
ACCOUNT_ADAPTER = "rosealliance.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
# Nor re-authentication by e-mail code (allauth offers it by default to anyone with a
# verified address): whoever holds a session and the mailbox could then pass the
# re-authentication that guards second-factor and e-mail changes. Password, or the
# second factor, only.
ACCOUNT_REAUTHENTICATION_METHODS = ["password", "mfa"]
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = os.environ.get("DEFAULT_HTTP_PROTOCOL", "https")
LOGIN_REDIRECT_URL = "members:dashboard"
# An applicant who confirms their address is not logged in and cannot log in yet: they
# are told what happens next instead of being shown a login form.
ACCOUNT_EMAIL_CONFIRMATION_ANONYMOUS_REDIRECT_URL = "members:apply_confirmed"
# Where members can write to the coordinators (shown wherever a page says "contact a
# coordinator"); empty: the pages say only that.
COORDINATOR_CONTACT_EMAIL = os.environ.get("COORDINATOR_CONTACT_EMAIL", "")
LOGIN_URL = "account_login"
# A neutral issuer: an authenticator app's list must not reveal what the organisation is.
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "Member login")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
# Second-factor secrets are stored encrypted (rosealliance.adapters.MFAAdapter) with this
# Fernet key, or with a key derived from SECRET_KEY when it is unset.
MFA_ADAPTER = "rosealliance.adapters.MFAAdapter"
MFA_ENCRYPTION_KEY = os.environ.get("MFA_ENCRYPTION_KEY", "")

# The ballot box (governance/ballot_sealing.py): each box's private key is a file in
# BALLOT_KEY_DIR, encrypted with BALLOT_KEY, from the box's opening until its close has
# committed. Every app server that may close a vote (all of them: the scheduler runs on
# each, and the first page view after a window ends closes it) must see the same folder.
# Never back the folder up: a copy would defeat the keys' destruction.
BALLOT_KEY = os.environ.get("BALLOT_KEY", "")
if not BALLOT_KEY and not DEBUG:
    raise ImproperlyConfigured(
        'BALLOT_KEY is not set. Generate one with: python -c "import base64, os; '
        'print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
    )
BALLOT_KEY_DIR = Path(os.environ.get("BALLOT_KEY_DIR", BASE_DIR / "var" / "ballot-keys"))
# How long a proposed act on seats or votes (governance.services.acts) waits for the second
# person to confirm it before it expires.
GOVERNANCE_ACT_CONFIRM_HOURS = int(os.environ.get("GOVERNANCE_ACT_CONFIRM_HOURS", "72"))
# allauth records each session at login (every login goes through allauth, the admin's
# included), which is what ending "all of a member's sessions" and the members' own session
# list need. Activity tracking is off on purpose: it would write a per-member row on every
# request, and the transaction ids of those writes sit right next to the ballot a member
# casts, giving anyone holding the database a way to guess whose secret ballot is whose.
USERSESSIONS_TRACK_ACTIVITY = False
# allauth's rate limits count in the shared cache above, so every server process sees the
# same counters. Its defaults stay, plus "apply" (members.views.apply): per client and per
# address, so nobody can flood an address's owner with mail. Failed logins count per
# address *and* client (rosealliance.adapters), so a stranger cannot lock a member out.
ACCOUNT_RATE_LIMITS = {"apply": os.environ.get("APPLY_RATE_LIMIT", "10/h/ip,3/h/key")}

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("sv", _("Swedish")),
    ("nb", _("Norwegian Bokmål")),
    ("fi", _("Finnish")),
    ("is", _("Icelandic")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date and time formats per language, before Django's own (rosealliance/formats/).
FORMAT_MODULE_PATH = ["rosealliance.formats"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail: neutral sender name; the SMTP server comes from the environment. Without
# EMAIL_HOST, mail is written to the console (development only: it is never personal data
# in production because production sets EMAIL_HOST).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Members <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMTP_HOST = os.environ.get("EMAIL_HOST", "")
if SMTP_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Security: safe by default; `make run` turns the HTTPS-only parts off for loopback.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The language cookie (set by the switcher and, after login, by PreferredLanguageMiddleware).
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 8)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# `preload` only takes effect once the domain is submitted to the browsers' list; the
# header carries it so that `check --deploy` is clean and submitting needs no deploy.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Nothing is ever loaded from another host: no CDN, no fonts, no analytics.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Logs never carry personal data: nothing in the project logs a member's status or vote,
# and every record goes through JsonLinesFormatter, which writes one JSON object per line
# with fixed fields and blanks e-mail addresses, query strings and exception messages.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.log_format.JsonLinesFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {
        # Replace Django's own handlers: its `mail_admins` would e-mail error reports holding
        # the request's data and local variables. Records go to the root handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Operations: proxies, connection poolers, scheduled jobs, backups ---------------------
# (docs/deployment.md explains each in context.)
# PgBouncer in transaction-pooling mode hands each transaction any server connection, so a
# server-side cursor (QuerySet.iterator()) cannot outlive its transaction: turn them off.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS")
# The hot queries bind their values on the server (core/bound_queries.py), and psycopg
# prepares a statement from its second run on a connection, so Postgres plans it once
# (planning the request's user query cost 3 ms of database CPU on every request; running
# it prepared, 0.2 ms). Django turns preparing off by default. A pooler in transaction
# mode hands the next transaction another connection, where that prepared statement does
# not exist: there the same switch as for server-side cursors keeps it off.
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
    None if DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] else 1
)
# How many proxies in front of gunicorn append to X-Forwarded-For (nginx alone: 1; a load
# balancer and nginx: 2). allauth's per-address rate limits need the client's address;
# with 0 every client would share the proxy's.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Load balancers probe the health endpoint over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Where `make backup` writes dumps (they hold every member's status: keep the folder private).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "var" / "backups"))
# The ids of erased members, one per line, kept beside the backups and outside the database:
# `db_restore` erases them again, so that restoring an older backup brings nobody back.
# Keep it with (and copy it alongside) the backups.
ERASURE_LEDGER = Path(os.environ.get("ERASURE_LEDGER", BACKUP_DIR / "erasures.ledger"))
# A rejected applicant's account, declared status included, is deleted this long after the
# decision (members.jobs, run by `manage.py run_scheduled`): time enough for an appeal.
# The annual renewal (members.renewal): from the first day of this month (1-12) every
# member is asked to confirm their membership; whoever has not confirmed this many days
# later lapses (the `memberships_renewal` job), and is active again once they confirm.
MEMBERSHIP_RENEWAL_MONTH = int(os.environ.get("MEMBERSHIP_RENEWAL_MONTH", "1"))
MEMBERSHIP_RENEWAL_GRACE_DAYS = int(os.environ.get("MEMBERSHIP_RENEWAL_GRACE_DAYS", "60"))
REJECTED_APPLICATION_RETENTION_DAYS = int(
    os.environ.get("REJECTED_APPLICATION_RETENTION_DAYS", "30")
)
# Notices (members.notices): the site's address, for the link in each notice (sent by a
# scheduled job, with no request to take the host from), and how long before a vote closes
# its reminder is due.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
NOTICE_REMINDER_HOURS = int(os.environ.get("NOTICE_REMINDER_HOURS", "24"))
# Where the quick exit sends a visitor: a harmless page on another site.
QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.google.com/search?q=weather")

# --- Embedded cluster's port (scripts/pg_local.sh) -----------------------------------------
# Without DATABASE_URL the embedded cluster is used; EMBEDDED_PG_PORT moves it off 54329
# (a second checkout, or the fresh-clone test, which runs its own cluster beside yours).
if "DATABASE_URL" not in os.environ and os.environ.get("EMBEDDED_PG_PORT"):
    DATABASES["default"]["PORT"] = int(os.environ["EMBEDDED_PG_PORT"])
