"""Test-only mail backends."""

import time

from django.core.mail.backends.locmem import EmailBackend

SLOW_SECONDS = 1.0


class SlowEmailBackend(EmailBackend):
    """A mail server that takes a second per message."""

    def send_messages(self, messages):
        time.sleep(SLOW_SECONDS)
        return super().send_messages(messages)
