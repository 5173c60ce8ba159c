"""Structured logs (one JSON object per line) that carry no personal data.

Members' status must never reach a log, and neither may their e-mail address or
pseudonym. Rather than trusting every caller, the formatter writes a fixed set of fields:

- the message, with e-mail addresses, query strings and allauth's secret URL keys blanked;
- for Django's request records: method, path (no query string) and status code;
- for gunicorn's access records: method, path, status, bytes and duration, and deliberately
  no client address, user agent or referrer;
- for exceptions: the exception's type and the stack as ``file:line in function``, but never
  the exception's message, because messages quote data (a database error's DETAIL line
  repeats the row it refused, status included).
"""

import json
import logging
import re
import traceback
from datetime import UTC, datetime

REDACTED = "[redacted]"

_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
# A query string can hold anything a form sent with GET: admin searches by e-mail, `next`
# URLs, tokens.
_QUERY = re.compile(r"\?[^\s\"']*")
# allauth puts single-use secrets into these paths (e-mail confirmation, password reset).
_URL_SECRET = re.compile(r"(/(?:confirm-email|password/reset/key)/)[^/\s\"']+")


def redact(text: str) -> str:
    """Blank out the parts of a log text that may hold personal data or secrets."""
    text = _EMAIL.sub(REDACTED, text)
    text = _QUERY.sub("?" + REDACTED, text)
    return _URL_SECRET.sub(r"\1" + REDACTED, text)


def _stack(exc_info) -> list[str]:
    _type, _value, tb = exc_info
    return [
        f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(tb)
    ]


class JsonLinesFormatter(logging.Formatter):
    """Formats each record as one line of JSON with a fixed set of keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            entry.update(self._access_fields(record.args))
        else:
            entry["message"] = redact(record.getMessage())
            request = getattr(record, "request", None)
            if request is not None and hasattr(request, "path"):
                entry["method"] = request.method
                entry["path"] = redact(request.path)
            status_code = getattr(record, "status_code", None)
            if status_code is not None:
                entry["status"] = status_code
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
            entry["stack"] = _stack(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

    @staticmethod
    def _access_fields(atoms) -> dict[str, object]:
        # gunicorn passes its access-log "atoms" as the record's args (see
        # gunicorn.glogging.Logger.atoms): `U` is the path without the query string.
        def atom(key: str) -> str:
            value = atoms.get(key)
            return "" if value in (None, "-") else str(value)

        def number(key: str) -> int | None:
            value = atom(key)
            return int(value) if value.isdigit() else None

        return {
            "message": "request",
            "method": atom("m"),
            "path": redact(atom("U")),
            "status": number("s"),
            "bytes": number("B"),
            "duration_ms": number("M"),
        }
