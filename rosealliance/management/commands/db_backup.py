"""`manage.py db_backup` (what `make backup` runs): pg_dump the configured database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backups


class Command(BaseCommand):
    help = "Dump the configured database (pg_dump -Fc) to BACKUP_DIR/<timestamp>.dump."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--directory", type=Path, help="Where to write the dump (default: BACKUP_DIR)."
        )

    def handle(self, *args, directory: Path | None, **options) -> None:
        try:
            path = backups.backup_create(directory=directory)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(path))
