"""Work a request must not wait for, nor be timed by: sending e-mail.

A mail server that takes 300 ms shows in the response time of whatever sends mail, so a
page that mails in one case and not in another (or different mails) tells an observer
which case it was. `in_background(func)` hands `func` to a small pool of this process's
threads and returns at once. A failure is logged (without its arguments), never raised
into a request. With the setting DEFERRED_WORK_INLINE (the test suite's) it runs at once,
in the caller's thread, so tests read its effects directly.
"""

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.conf import settings

logger = logging.getLogger(__name__)

_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="deferred")
_pending: set[Future] = set()


def _run(func: Callable[[], object]) -> None:
    try:
        func()
    except Exception:  # a mail that fails must not take the worker down
        logger.exception("deferred work failed")


def in_background(func: Callable[[], object]) -> None:
    """Run `func` on a background thread (inline under DEFERRED_WORK_INLINE)."""
    if getattr(settings, "DEFERRED_WORK_INLINE", False):
        _run(func)
        return
    future = _pool.submit(_run, func)
    _pending.add(future)
    future.add_done_callback(_pending.discard)


def drain(timeout: float = 30.0) -> None:
    """Wait until the work handed over so far is done (graceful shutdown, tests)."""
    wait(list(_pending), timeout=timeout)
