"""The ballot boxes' private keys: outside the database, readable only with BALLOT_KEY,
destroyed after the close; a lost key stops the close without changing anything."""

import os
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings

from core.database_roles import connected_as, credentials
from governance import ballot_sealing, checks, services
from governance.models import BallotBox, Motion, MotionState, SealedBallot
from governance.services import ballot_box
from rosealliance.checks import application_role_owns_nothing
from tests import agreements


def test_the_private_key_is_outside_the_database_and_goes_with_the_close(
    sex_worker, make_motion, django_capture_on_commit_callbacks
):
    motion = make_motion()
    box = motion.box
    path = ballot_sealing.key_path(box.pk)
    assert path.is_file() and oct(path.stat().st_mode & 0o777) == "0o600"
    private_key, salt = ballot_sealing.key_load(box.pk, bytes(box.public_key))
    # Neither the private key nor the salt is anywhere in the database.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM governance_ballotbox WHERE public_key = %s", [private_key]
        )
        assert cursor.fetchone()[0] == 0
    assert private_key not in path.read_bytes() and salt not in path.read_bytes()
    services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice="yes")
    with django_capture_on_commit_callbacks(execute=True):
        agreements.motion_close(motion_id=motion.pk)
    assert not path.exists()


@override_settings(BALLOT_KEY="b3RoZXItYmFsbG90LWtleS0zMi1ieXRlcy1sb25nISE=")
def test_the_key_file_opens_only_with_the_ballot_key(make_motion):
    motion = make_motion(open=False)
    with override_settings(BALLOT_KEY="dGVzdC1vbmx5LWJhbGxvdC1rZXktMzItYnl0ZXMhIT0="):
        box = ballot_box.box_open(
            secret=True,
            committee_only=False,
            opens_at=motion.opens_at,
            closes_at=motion.closes_at,
            content_size=1,
            today=motion.opens_at.date(),
        )
    with pytest.raises(ballot_sealing.BallotKeyMissing, match="does not open with BALLOT_KEY"):
        ballot_sealing.key_load(box.pk, bytes(box.public_key))


def test_a_lost_key_stops_the_close_and_changes_nothing(sex_worker, make_motion, caplog):
    motion = make_motion()
    services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice="no")
    path = ballot_sealing.key_path(motion.box_id)
    kept = path.read_bytes()
    path.unlink()
    assert checks.open_boxes_have_their_keys(databases=["default"])[0].id == "governance.E003"
    with pytest.raises(ValidationError) as refusal:
        agreements.motion_close(motion_id=motion.pk)
    assert refusal.value.code == "ballot_key_missing"
    assert Motion.objects.get(pk=motion.pk).state == MotionState.OPEN
    assert SealedBallot.objects.filter(box_id=motion.box_id).count() == 1
    # The folder restored, the close goes through.
    path.write_bytes(kept)
    assert checks.open_boxes_have_their_keys(databases=["default"]) == []
    assert agreements.motion_close(motion_id=motion.pk).no_count == 1


def test_the_scheduler_logs_a_missing_key_and_closes_the_other_motions(
    sex_worker, make_motion, caplog
):
    import datetime

    from django.utils import timezone

    soon = timezone.now() + datetime.timedelta(seconds=1)
    lost, fine = make_motion(closes_at=soon), make_motion(closes_at=soon)
    ballot_sealing.key_path(lost.box_id).unlink()
    time.sleep(1.1)
    assert services.motions_close_due() == 1
    assert Motion.objects.get(pk=fine.pk).state == MotionState.CLOSED
    assert Motion.objects.get(pk=lost.pk).state == MotionState.OPEN
    assert f"motion {lost.pk} not closed: ballot_key_missing" in caplog.text


def test_cleanup_destroys_keys_of_closed_and_never_opened_boxes_only(make_motion):
    open_motion = make_motion()
    closed = make_motion()
    closed_path = ballot_sealing.key_path(closed.box_id)
    kept = closed_path.read_bytes()
    agreements.motion_close(motion_id=closed.pk)  # in the test's transaction: no on_commit
    closed_path.write_bytes(kept)  # as if the process died before destroying it
    never = ballot_sealing.key_path(10**9)
    never.write_bytes(b"x")
    young = ballot_sealing.key_path(10**9 + 1)
    young.write_bytes(b"x")
    an_hour_ago = time.time() - ballot_box.ORPHAN_KEY_AGE_SECONDS - 1
    os.utime(never, (an_hour_ago, an_hour_ago))
    assert ballot_box.ballot_keys_cleanup() == 2
    assert not closed_path.exists() and not never.exists()
    assert young.exists() and ballot_sealing.key_path(open_motion.box_id).exists()
    young.unlink()


def test_the_key_folder_must_be_private(tmp_path):
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with override_settings(BALLOT_KEY_DIR=folder):
        assert [e.id for e in checks.ballot_key_folder()] == ["governance.E002"]
        folder.chmod(0o700)
        assert checks.ballot_key_folder() == []


@override_settings(DEBUG=False)
def test_the_deploy_check_refuses_an_application_connected_as_the_owner(transactional_db):
    assert application_role_owns_nothing(databases=["default"]) == []
    with connected_as(credentials("owner")):
        errors = application_role_owns_nothing(databases=["default"])
    assert [e.id for e in errors] == ["rosealliance.E001"]


def test_boxes_keep_their_public_key_only(make_motion):
    box = make_motion().box
    fields = {f.name for f in BallotBox._meta.concrete_fields}
    assert "public_key" in fields and "roll_salt" not in fields  # the salt never enters it
    assert len(bytes(box.public_key)) == 32
