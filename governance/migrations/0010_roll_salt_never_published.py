"""The electoral roll's salt is never published, so a roll's digest can never be
brute-forced: the close still proves it holds the salt the digest was made with (by the
salt's hash, stored at the opening), but no longer writes the salt into the box. The key
file holding the salt is destroyed after the close, so nobody can recompute the digest of
guessed member ids, at any time. Salts already published are dropped with their column."""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION ballot_box_close(p_box bigint, p_roll_salt bytea, p_plaintexts bytea)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    b governance_ballotbox%ROWTYPE;
    v_size integer;
    v_n integer;
BEGIN
    SELECT * INTO b FROM governance_ballotbox WHERE id = p_box FOR UPDATE;
    IF NOT FOUND OR b.state <> 'open' THEN
        RAISE EXCEPTION 'ballot_box_closes_once: the box is not open'
            USING ERRCODE = 'check_violation';
    END IF;
    IF sha256(p_roll_salt) <> b.roll_salt_sha256 THEN
        RAISE EXCEPTION 'ballot_box_close_needs_the_roll_salt: not the salt of the digest'
            USING ERRCODE = 'check_violation';
    END IF;
    v_size := 40 + b.content_size;
    v_n := length(p_plaintexts) / v_size;
    IF length(p_plaintexts) <> v_n * v_size
       OR v_n <> (SELECT count(*) FROM governance_voter WHERE box_id = p_box) THEN
        RAISE EXCEPTION 'ballot_box_counts_every_ballot: one opened ballot per recorded voter'
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE governance_ballotbox SET state = 'closed', closed_at = now()
     WHERE id = p_box;
    INSERT INTO governance_countedballot (box_id, receipt_hash, content, voter_id)
    SELECT p_box, substring(p_plaintexts FROM v_size * i + 1 FOR 32),
           substring(p_plaintexts FROM v_size * i + 41 FOR b.content_size),
           nullif(('x' || encode(substring(p_plaintexts FROM v_size * i + 33 FOR 8), 'hex'))
                  ::bit(64)::bigint, 0)
      FROM generate_series(0, v_n - 1) AS i;
    -- The voters the ballots name: none in a secret box, exactly the recorded ones, once
    -- each, in a roll-call box.
    IF (b.secret AND EXISTS (SELECT 1 FROM governance_countedballot
                              WHERE box_id = p_box AND voter_id IS NOT NULL))
       OR (NOT b.secret AND (
            EXISTS (SELECT member_id FROM governance_voter WHERE box_id = p_box
                    EXCEPT SELECT voter_id FROM governance_countedballot WHERE box_id = p_box)
            OR (SELECT count(DISTINCT voter_id) FROM governance_countedballot
                 WHERE box_id = p_box) <> v_n)) THEN
        RAISE EXCEPTION 'ballot_box_counts_every_ballot: the ballots name other voters than the recorded ones'
            USING ERRCODE = 'check_violation';
    END IF;
END $$;
"""

REVERSE = r"""
CREATE OR REPLACE FUNCTION ballot_box_close(p_box bigint, p_roll_salt bytea, p_plaintexts bytea)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    b governance_ballotbox%ROWTYPE;
    v_size integer;
    v_n integer;
BEGIN
    SELECT * INTO b FROM governance_ballotbox WHERE id = p_box FOR UPDATE;
    IF NOT FOUND OR b.state <> 'open' THEN
        RAISE EXCEPTION 'ballot_box_closes_once: the box is not open'
            USING ERRCODE = 'check_violation';
    END IF;
    IF sha256(p_roll_salt) <> b.roll_salt_sha256 THEN
        RAISE EXCEPTION 'ballot_box_close_needs_the_roll_salt: not the salt of the digest'
            USING ERRCODE = 'check_violation';
    END IF;
    v_size := 40 + b.content_size;
    v_n := length(p_plaintexts) / v_size;
    IF length(p_plaintexts) <> v_n * v_size
       OR v_n <> (SELECT count(*) FROM governance_voter WHERE box_id = p_box) THEN
        RAISE EXCEPTION 'ballot_box_counts_every_ballot: one opened ballot per recorded voter'
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE governance_ballotbox SET state = 'closed', closed_at = now(), roll_salt = p_roll_salt
     WHERE id = p_box;
    INSERT INTO governance_countedballot (box_id, receipt_hash, content, voter_id)
    SELECT p_box, substring(p_plaintexts FROM v_size * i + 1 FOR 32),
           substring(p_plaintexts FROM v_size * i + 41 FOR b.content_size),
           nullif(('x' || encode(substring(p_plaintexts FROM v_size * i + 33 FOR 8), 'hex'))
                  ::bit(64)::bigint, 0)
      FROM generate_series(0, v_n - 1) AS i;
    -- The voters the ballots name: none in a secret box, exactly the recorded ones, once
    -- each, in a roll-call box.
    IF (b.secret AND EXISTS (SELECT 1 FROM governance_countedballot
                              WHERE box_id = p_box AND voter_id IS NOT NULL))
       OR (NOT b.secret AND (
            EXISTS (SELECT member_id FROM governance_voter WHERE box_id = p_box
                    EXCEPT SELECT voter_id FROM governance_countedballot WHERE box_id = p_box)
            OR (SELECT count(DISTINCT voter_id) FROM governance_countedballot
                 WHERE box_id = p_box) <> v_n)) THEN
        RAISE EXCEPTION 'ballot_box_counts_every_ballot: the ballots name other voters than the recorded ones'
            USING ERRCODE = 'check_violation';
    END IF;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0009_pending_acts"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS, REVERSE),
        migrations.RemoveField(model_name="ballotbox", name="roll_salt"),
    ]
