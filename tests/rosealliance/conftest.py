"""Fixtures shared by the operations tests."""

import pytest
from django.db import connection

from .servers import database_url_of_tests


@pytest.fixture
def fresh_database(transactional_db):
    """An empty database beside the test database (named after it, so test runs on other
    databases never collide), owned by the owner role, dropped afterwards."""
    from core.database_roles import credentials
    from tests import database

    name = f"{connection.settings_dict['NAME']}_restore"
    owner = credentials("owner")["USER"]
    with database.superuser_connect(dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    yield database_url_of_tests().rsplit("/", 1)[0] + f"/{name}"
    with database.superuser_connect(dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
