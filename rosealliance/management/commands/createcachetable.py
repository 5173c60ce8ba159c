"""`manage.py createcachetable`, run as the owner role (see migrate.py beside it)."""

from django.core.management.commands.createcachetable import Command as CreateCacheTableCommand

from core.database_roles import as_owner


class Command(CreateCacheTableCommand):
    def handle(self, *args, **options):
        with as_owner(options["database"]):
            return super().handle(*args, **options)
