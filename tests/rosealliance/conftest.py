"""Fixtures shared by the operations tests."""

import psycopg
import pytest
from django.db import connection

from .servers import database_url_of_tests


@pytest.fixture
def fresh_database(transactional_db):
    """An empty database beside the test database (named after it, so test runs on other
    databases never collide), dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    admin_url = database_url_of_tests().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield database_url_of_tests().rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
