"""The append-only, tamper-evident audit log.

Use `audit.record(action="status_change.approved", actor=user, target=obj)` from any app.
It stores an action code and ids only: never a status, a vote choice or free text, so the
log itself can never leak what it protects. `audit` imports no project app; the others
import it.
"""


def record(action: str, *, actor=None, target=None):
    """Append one event (see `audit.services.record`). Imported lazily so that importing
    the package never touches the app registry."""
    from .services import record as _record

    return _record(action, actor=actor, target=target)
