"""gunicorn's settings for production: `gunicorn --config python:rosealliance.gunicorn_config`.

Only what is the same on every server lives here. The bind address and worker count are
given on the command line (or GUNICORN_CMD_ARGS / WEB_CONCURRENCY, which gunicorn reads
itself), so that rosealliance/settings.py stays the only place reading our own variables.
"""

wsgi_app = "rosealliance.wsgi:application"

# gunicorn's default access line carries the client address, the query string, the
# referrer and the user agent. Its records go through the same formatter as Django's,
# which keeps method, path, status, size and duration only.
accesslog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.log_format.JsonLinesFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": [], "level": "INFO"},
}

# The TLS proxy runs on the same host and sets X-Forwarded-Proto; gunicorn trusts it from
# loopback only (its default, stated here because the deployment relies on it).
forwarded_allow_ips = "127.0.0.1,::1"
