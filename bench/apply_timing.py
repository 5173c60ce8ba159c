"""Does `/apply/` take as long for an address that already has an account as for a new one?

Run: `DATABASE_URL=... .venv/bin/pytest bench/apply_timing.py -q -p no:cacheprovider -s`
(not part of `make test`: with the production password hasher each application takes
about half a second, and wall times on a shared machine are noisy). It alternates new and
known addresses, with Django's default (production) password hasher and the test suite's
in-process mail, and compares the medians; the result is written to
bench/results/apply_timing.json.
"""

import json
import statistics
import time
from pathlib import Path

from django.test import override_settings
from django.urls import reverse

from tests.conftest import *  # noqa: F403 (the suite's database roles and fixtures)
from tests.conftest import PASSWORD

SAMPLES = 15
RESULTS = Path(__file__).parent / "results" / "apply_timing.json"


def test_apply_takes_the_same_time_for_new_and_known_addresses(client, make_member):
    known = make_member().user.email
    times = {"new": [], "known": []}
    form = {
        "pseudonym": "Rosa",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "country": "NO",
        "preferred_language": "nb",
        "status": "sex_worker",
        "note": "",
    }
    default_hashers = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]
    with override_settings(
        PASSWORD_HASHERS=default_hashers, ACCOUNT_RATE_LIMITS={"apply": "1000/h/ip,1000/h/key"}
    ):
        for n in range(SAMPLES):
            for kind, email in (("new", f"bench-{n}@example.test"), ("known", known)):
                started = time.perf_counter()
                response = client.post(reverse("members:apply"), dict(form, email=email))
                times[kind].append(time.perf_counter() - started)
                assert response.status_code == 302
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    ratio = medians["known"] / medians["new"]
    RESULTS.write_text(
        json.dumps(
            {"samples": SAMPLES, "median_seconds": medians, "known_over_new": ratio}, indent=2
        )
        + "\n"
    )
    print(f"apply medians: {medians}, known/new = {ratio:.3f}")
    assert 0.8 <= ratio <= 1.2
