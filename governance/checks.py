"""System checks of the ballot box (`manage.py check --deploy --database default`, and at
every server start for the first one)."""

import os

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def ballot_key_folder(app_configs=None, **kwargs) -> list[Error]:
    """The key folder must be writable by the app and by it alone."""
    folder = settings.BALLOT_KEY_DIR
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        return [Error(f"BALLOT_KEY_DIR {folder} cannot be created: {error}", id="governance.E001")]
    if not os.access(folder, os.W_OK):
        return [Error(f"BALLOT_KEY_DIR {folder} is not writable", id="governance.E001")]
    if folder.stat().st_mode & 0o077:
        return [
            Error(
                f"BALLOT_KEY_DIR {folder} is readable by others",
                hint=f"chmod 700 {folder}",
                id="governance.E002",
            )
        ]
    return []


@register(Tags.database)
def open_boxes_have_their_keys(app_configs=None, databases=None, **kwargs) -> list[Error]:
    """Every open ballot box's key is in the folder: a missing one means a vote that cannot
    be counted (docs/deployment.md, "Ballot keys")."""
    from django.db import connection

    from .models import BallotBox
    from .services.ballot_box import open_boxes_without_key

    # Not before the database has been migrated (`migrate` runs the checks first).
    if not databases or BallotBox._meta.db_table not in connection.introspection.table_names():
        return []

    missing = open_boxes_without_key()
    if missing:
        return [
            Error(
                f"open ballot boxes {missing} have no key in {settings.BALLOT_KEY_DIR}",
                hint="Restore the key folder, or the committee runs these votes again.",
                id="governance.E003",
            )
        ]
    return []
