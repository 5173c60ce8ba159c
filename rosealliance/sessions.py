"""Django's database sessions, read with one plain statement.

The stock store builds an ORM query and a model instance for every request's session; this
one runs one fixed statement (values bound on the server, so Postgres keeps its plan) and
decodes the data. Writing, expiry and everything else are Django's."""

from django.contrib.sessions.backends import db
from django.utils import timezone

from core.bound_queries import bound_cursor


class SessionStore(db.SessionStore):
    def load(self):
        with bound_cursor() as cursor:
            cursor.execute(
                "SELECT session_data FROM django_session"
                " WHERE session_key = %s AND expire_date > %s",
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            # As Django's store does for a missing or expired session: forget the key.
            self._session_key = None
            return {}
        return self.decode(row[0])
