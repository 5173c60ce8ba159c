"""Django's PostgreSQL backend, without a health-check round trip on a connection that
has just served a request well.

With `CONN_HEALTH_CHECKS`, Django sends `SELECT 1` before the first query of every request
on a reused connection: a round trip on every page and every vote. Here the check is made
only when the connection has been idle for a while (a server restart, a pooler dropping
idle connections), which is when it can find something; a connection that finished a
request without an error seconds ago is known good.
"""

import time

from django.db.backends.postgresql import base

# A connection idle for longer than this is checked before use.
IDLE_BEFORE_HEALTH_CHECK_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    finished_well_at: float | None = None

    def request_finished_well(self) -> None:
        """Called when a request ends (rosealliance.apps connects it)."""
        if self.connection is not None and not self.errors_occurred:
            self.finished_well_at = time.monotonic()

    def close_if_health_check_failed(self) -> None:
        recently = self.finished_well_at is not None and (
            time.monotonic() - self.finished_well_at < IDLE_BEFORE_HEALTH_CHECK_SECONDS
        )
        if self.connection is not None and recently:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close(self) -> None:
        self.finished_well_at = None
        super().close()
