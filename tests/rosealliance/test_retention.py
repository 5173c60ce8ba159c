"""The project-wide retention jobs delete what has expired and nothing else."""

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from core import retention


def test_expired_sessions_are_deleted_and_live_ones_kept(db):
    expired, live = SessionStore(), SessionStore()
    for store in (expired, live):
        store["language"] = "sv"
        store.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    retention.expired_sessions_delete()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def cache_keys() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM django_cache")
        return {key for (key,) in cursor.fetchall()}


def test_expired_cache_entries_are_deleted_and_live_ones_kept(db):
    cache.set("retention-expired", 1, timeout=0)  # stored with an expiry in the past
    cache.set("retention-live", 1, timeout=300)
    assert {":1:retention-expired", ":1:retention-live"} <= cache_keys()

    summary = retention.expired_cache_delete()

    assert ":1:retention-expired" not in cache_keys()
    assert ":1:retention-live" in cache_keys()
    assert summary.startswith("deleted=")
    assert cache.get("retention-live") == 1
