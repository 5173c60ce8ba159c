import os

import pytest
from hypothesis import HealthCheck, settings

from tests.security.world import world_fixture

world = pytest.fixture(scope="module", name="world")(world_fixture)

# Fuzzing profiles (tests/security/test_fuzzing.py). `ci`, the default, keeps `make test`
# quick and reproducible; `deep` looks much harder, for a run by hand.
_common = dict(
    deadline=None,
    database=None,
    # The examples share the module's world and roll back their own writes.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("ci", max_examples=12, derandomize=True, **_common)
settings.register_profile(
    "deep", max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "400")), **_common
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
