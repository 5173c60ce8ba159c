"""Project-wide retention clean-ups, run by `manage.py run_scheduled`.

Expired sessions and cache entries are never read again, but they stay in their tables
until someone deletes them: a session row keeps a member's login (and language) long after
it expired, and allauth's rate-limit entries hold client addresses.
"""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone
from django.utils.module_loading import import_string


def expired_sessions_delete() -> None:
    """What `manage.py clearsessions` does, as a scheduled job."""
    engine = import_string(settings.SESSION_ENGINE + ".SessionStore")
    engine.clear_expired()


def expired_cache_delete() -> str:
    """Delete expired entries from every database-backed cache.

    DatabaseCache only culls expired rows when it writes and the table is over its size
    limit, and it has no public way to delete just the expired ones (its `clear()` would
    also reset live rate limits). So this runs the same DELETE its own culling runs.
    Redis and other backends expire entries themselves and are skipped.
    """
    deleted = 0
    for alias in settings.CACHES:
        cache = caches[alias]
        if not isinstance(cache, DatabaseCache):
            continue
        connection = connections[router.db_for_write(cache.cache_model_class)]
        quote_name = connection.ops.quote_name
        with connection.cursor() as cursor:
            # The table name is quoted and comes from settings, never from input.
            cursor.execute(
                f"DELETE FROM {quote_name(cache._table)} WHERE {quote_name('expires')} < %s",  # noqa: S608  # nosec B608
                [connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            deleted += cursor.rowcount
    return f"deleted={deleted}"
