"""Statements whose values travel apart from their text.

Django's psycopg cursors bind parameters on the client: the values are spelled into the
statement text, which any role may read in `pg_stat_activity` while it runs (and which a
server's statement log would keep). A statement that carries a member's id beside anything
about their vote goes through `bound_cursor()` instead: the server sees `$1, $2, ...` in the
text and the values separately. Errors and query logging stay Django's.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.base import ServerBindingCursor


def bound_cursor(alias: str = DEFAULT_DB_ALIAS):
    """A Django cursor (use it in `with`) with server-side parameter binding."""
    connection = connections[alias]
    connection.ensure_connection()
    return connection._prepare_cursor(ServerBindingCursor(connection.connection))
