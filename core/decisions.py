"""Writing a decision on a row (an application, a request, an assignment, an act): its
outcome, who decided and when, saved as one UPDATE of exactly those columns."""

from django.db import models
from django.utils import timezone


def decision_record(row: models.Model, *, by, **outcome) -> None:
    """Set `outcome` (e.g. decision=..., decision_reason=...) with `decided_by` and
    `decided_at` on `row` and save those fields only."""
    fields = {**outcome, "decided_by": by, "decided_at": timezone.now()}
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=list(fields))
