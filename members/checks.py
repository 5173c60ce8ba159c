"""System checks of the erasure ledger (members.erasure_ledger), run by `manage.py check`
(`--database default` for the second), `migrate`, `runserver`, and by every app server as
it starts (rosealliance/wsgi.py): a server must not run with a ledger that a restore
from there would replay wrongly."""

import os

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from . import erasure_ledger

HINT = (
    "ERASURE_LEDGER must name the one ledger every app server shares (a folder they all "
    "mount), the same for `manage.py db_restore`; see docs/deployment.md, "
    '"The erasure ledger".'
)


@checks.register()
def erasure_ledger_writable(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The ledger (or, before the first erasure, the folder that will hold it) is writable:
    otherwise every erasure would be refused."""
    path = erasure_ledger.ledger_path()
    if path.exists():
        if not path.is_file():
            return [
                checks.Error(f"ERASURE_LEDGER {path} is not a file.", hint=HINT, id="members.E010")
            ]
        if not _writable(path):
            return [
                checks.Error(
                    f"ERASURE_LEDGER {path} cannot be read and written by this process.",
                    hint=HINT,
                    id="members.E011",
                )
            ]
        return []
    # The nearest existing folder above it: ledger_append creates the rest.
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not _writable(folder, folder=True):
        return [
            checks.Error(
                f"The folder of ERASURE_LEDGER {path} cannot be created or written ({folder}).",
                hint=HINT,
                id="members.E012",
            )
        ]
    return []


def _writable(path, *, folder: bool = False) -> bool:
    mode = os.W_OK | (os.X_OK if folder else os.R_OK)
    return os.access(path, mode)


@checks.register(checks.Tags.database)
def erasure_ledger_complete(
    app_configs=None, databases=None, **kwargs
) -> list[checks.CheckMessage]:
    """Every member the database holds as erased is in the ledger. A gap means this server
    writes to another ledger than the one the erasures went to (a folder that is not the
    shared one), or the ledger was lost: a restore from here would bring those people back."""
    if not databases or DEFAULT_DB_ALIAS not in databases:
        return []
    from .models import Member, MembershipState

    connection = connections[DEFAULT_DB_ALIAS]
    try:
        if Member._meta.db_table not in connection.introspection.table_names():
            return []  # not migrated yet: nobody can have been erased
        erased = list(
            Member.objects.filter(state=MembershipState.ERASED).values_list("pk", flat=True)
        )
    except DatabaseError:
        # The database is down: /healthz says so; the ledger is checked at the next start.
        return [
            checks.Warning(
                "The erasure ledger could not be compared with the database (unreachable).",
                id="members.W013",
            )
        ]
    missing = erasure_ledger.ledger_missing(erased)
    if missing:
        return [
            checks.Error(
                f"The erasure ledger {erasure_ledger.ledger_path()} lacks {len(missing)} of "
                f"the {len(erased)} members this database holds as erased (ids {_ids(missing)}).",
                hint=HINT,
                id="members.E014",
            )
        ]
    return []


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:10])
    return shown + (", ..." if len(ids) > 10 else "")


def erasure_ledger_startup_check() -> None:
    """Refuse to serve with an unusable ledger (an app server's start: rosealliance/wsgi.py).
    Raises ImproperlyConfigured with the errors' text; warnings do not stop the start."""
    messages = [
        *erasure_ledger_writable(),
        *erasure_ledger_complete(databases=[DEFAULT_DB_ALIAS]),
    ]
    # The check's own connection is not left open in a process that forks workers next.
    connections[DEFAULT_DB_ALIAS].close()
    errors = [message for message in messages if message.is_serious()]
    if errors:
        raise ImproperlyConfigured(
            "\n".join(f"{error.id}: {error.msg}\nHINT: {error.hint}" for error in errors)
        )
