import pytest

from tests.security.world import world_fixture

world = pytest.fixture(scope="module", name="world")(world_fixture)
