"""`manage.py migrate`, run as the owner role (core.database_roles): the application's role
owns nothing and could not create or alter a table."""

from django.core.management.commands.migrate import Command as MigrateCommand

from core.database_roles import as_owner


class Command(MigrateCommand):
    def handle(self, *args, **options):
        with as_owner(options["database"]):
            return super().handle(*args, **options)
