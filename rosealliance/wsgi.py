import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rosealliance.settings")
application = get_wsgi_application()

# Every app server refuses to start with an erasure ledger that a restore could not rely on
# (members/checks.py). Printed as well as raised: the log formatter blanks exception
# messages, and this one is configuration, never personal data.
from members.checks import erasure_ledger_startup_check  # noqa: E402

try:
    erasure_ledger_startup_check()
except ImproperlyConfigured as error:
    sys.stderr.write(f"Refusing to start: {error}\n")
    raise
