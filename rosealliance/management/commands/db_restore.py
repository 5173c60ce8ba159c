"""`manage.py db_restore FILE` (what `make restore FILE=...` runs): pg_restore a dump into
the configured database, replacing its contents, then erase again everyone in the erasure
ledger (members.erasure_ledger)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from core import backups


class Command(BaseCommand):
    help = "Replace the configured database's contents with a db_backup dump."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument(
            "--erasures-only",
            action="store_true",
            help="Restore nothing: only erase again from the ledger (after a point-in-time "
            "recovery of the database by other means).",
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(
        self, *args, file: Path | None, interactive: bool, erasures_only: bool, **options
    ) -> None:
        from members.erasure_ledger import ledger_path

        if erasures_only:
            if file is not None:
                raise CommandError("Give either a backup file or --erasures-only, not both.")
            self.stdout.write(f"Erasure ledger: {ledger_path()}")
            self._replay()
            return
        if file is None:
            raise CommandError("Name the backup file to restore (or --erasures-only).")
        self._restore(file, interactive)

    def _restore(self, file: Path, interactive: bool) -> None:
        from members.data_rights import erasures_record_from_database
        from members.erasure_ledger import ledger_path

        name = backups.default_settings_dict()["NAME"]
        if not Path(file).is_file():
            raise CommandError(f"No such backup file: {file}")
        if interactive:
            answer = input(
                f"This replaces everything in the database {name!r} with {file}.\n"
                "Stop the app servers first. Type 'yes' to continue: "
            )
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled.")
        # The tables are dropped and made again: the owner's work (core.database_roles),
        # after which the application's role gets its privileges back.
        from core.database_roles import as_owner
        from rosealliance.database_privileges import privileges_apply

        self.stdout.write(f"Erasure ledger: {ledger_path()}")
        # Erasures the database being replaced knows of go into the ledger first: they
        # happened, whatever the ledger missed (a fresh, empty database adds none).
        try:
            added = erasures_record_from_database()
        except DatabaseError:
            added = 0  # a fresh server's empty database: nothing to keep
        if added:
            self.stdout.write(f"Recorded in the ledger from the database being replaced: {added}.")
        try:
            with as_owner():
                backups.backup_restore(file)
                privileges_apply()
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {file} into {name}.")
        self._replay()

    def _replay(self) -> None:
        from members.data_rights import (
            erasures_record_from_database,
            erasures_replay,
            member_ids_continue_after_ledger,
        )

        # Erasures made after the backup was taken must not be undone by it.
        result = erasures_replay()
        self.stdout.write(f"Erased again from the erasure ledger: {result.erased}.")
        from core.database_roles import as_owner

        with as_owner():  # setting a sequence is the owner's work
            member_ids_continue_after_ledger()
        added = erasures_record_from_database()
        if added:
            self.stdout.write(f"Recorded in the ledger from the backup: {added}.")
        if result.failed:
            raise CommandError(
                "A database guard refused to erase again the members with ids "
                f"{', '.join(map(str, result.failed))}; erase them in the admin."
            )
