"""The health endpoint load balancers and monitoring poll.

It answers whether this server can reach its database, and nothing else: no version, no
counts, no personal data, so it is safe to leave open to the network.
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 `ok` when a query reaches the database, 503 `unavailable` when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The exception's text can name hosts and users: the log formatter keeps only its type.
        logger.warning("Health check: database unreachable", exc_info=True)
        return HttpResponse("unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
