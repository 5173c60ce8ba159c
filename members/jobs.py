"""The members app's scheduled jobs (registered in MembersConfig.ready(), run by
`manage.py run_scheduled`)."""

from django.conf import settings

from . import notices, services


def rejected_applications_purge_due() -> str:
    """Delete applicants rejected longer ago than REJECTED_APPLICATION_RETENTION_DAYS."""
    deleted = services.rejected_applications_purge(
        older_than_days=settings.REJECTED_APPLICATION_RETENTION_DAYS
    )
    return f"deleted={deleted}"


def memberships_renewal_due() -> str:
    """Remind who has not renewed this period; lapse them after the grace time."""
    reminded, lapsed = services.memberships_renewal_due()
    return f"reminded={reminded} lapsed={lapsed}"


def notices_send_due() -> str:
    """Send the notices whose time has come (members.notices)."""
    counts = notices.notices_send()
    return " ".join(f"{name}={count}" for name, count in counts.items())
