"""`manage.py db_restore FILE` (what `make restore FILE=...` runs): pg_restore a dump into
the configured database, replacing its contents."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rosealliance import backups


class Command(BaseCommand):
    help = "Replace the configured database's contents with a db_backup dump."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, file: Path, interactive: bool, **options) -> None:
        name = backups.default_settings_dict()["NAME"]
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

        try:
            with as_owner():
                backups.backup_restore(file)
                privileges_apply()
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {file} into {name}.")
        # Erasures made after the backup was taken must not be undone by it.
        from members.data_rights import erasures_replay

        replayed = erasures_replay()
        self.stdout.write(f"Erased again from the erasure ledger: {replayed}.")
