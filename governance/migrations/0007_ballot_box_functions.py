"""The ballot box's functions, and the closed motions of the old ballot tables moved in.

Raw SQL because Django has no way to declare a function. The three functions run with the
owner's rights (SECURITY DEFINER) and are the only writers of the box's tables: the
application's role may read them and execute these (rosealliance/database_privileges.py),
nothing else. Each checks what it needs itself; the tables' guards (governance.models.
ballot_box) check the window, the roll and the eligibility rule on every write.
`search_path` is fixed so that no caller's temporary table or function can stand in for
ours.
"""

from django.db import migrations

FUNCTIONS = r"""
-- Open a box and freeze its roll: every member who is an active sex worker now (only those
-- holding a Steering Committee seat on p_today when p_committee_only). The digest is a
-- sha256 of the salt and the sorted ids; the salt stays with the private key, outside the
-- database, until the close publishes it.
CREATE FUNCTION ballot_box_open(
    p_public_key bytea, p_roll_salt bytea, p_secret boolean, p_opens_at timestamptz,
    p_closes_at timestamptz, p_content_size integer, p_committee_only boolean, p_today date
) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_box bigint := nextval(pg_get_serial_sequence('governance_ballotbox', 'id'));
    v_ids bigint[];
BEGIN
    IF length(p_public_key) <> 32 OR length(p_roll_salt) < 16 OR p_content_size < 1 THEN
        RAISE EXCEPTION 'ballot_box_open: a public key of 32 bytes, a salt of 16 or more'
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT coalesce(array_agg(m.id ORDER BY m.id), '{}') INTO v_ids
      FROM members_member m
     WHERE m.state = 'active' AND m.status = 'sex_worker'
       AND (NOT p_committee_only OR EXISTS (
            SELECT 1 FROM governance_seat s
             WHERE s.member_id = m.id AND s.ended_on IS NULL
               AND s.term_start <= p_today AND s.term_end >= p_today));
    INSERT INTO governance_ballotbox (id, state, secret, committee_only, opens_at, closes_at,
                                      public_key, content_size, roll_size, roll_digest)
    VALUES (v_box, 'open', p_secret, p_committee_only, p_opens_at, p_closes_at,
            p_public_key, p_content_size, cardinality(v_ids),
            encode(sha256(p_roll_salt || convert_to(array_to_string(v_ids, ','), 'UTF8')), 'hex'));
    INSERT INTO governance_rollentry (box_id, member_id) SELECT v_box, unnest(v_ids);
    RETURN v_box;
END $$;

-- Record the voter and their sealed ballot together: the voter's key is the one-ballot
-- guard, and the guards on governance_voter check the window, the roll and the rule.
CREATE FUNCTION ballot_box_cast(p_box bigint, p_member bigint, p_sealed bytea) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO governance_voter (box_id, member_id) VALUES (p_box, p_member)
        ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'voter_votes_once: this member has voted in this box'
            USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO governance_sealedballot (id, box_id, sealed)
    VALUES (gen_random_uuid(), p_box, p_sealed);
END $$;

-- Taken by the close before it reads the sealed ballots: ballots being cast (which hold a
-- key-share lock on the box) finish first, later ones wait and are then refused.
CREATE FUNCTION ballot_box_lock(p_box bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT NULL FROM governance_ballotbox WHERE id = p_box FOR UPDATE;
$$;

-- Close a box with its opened ballots: p_receipts and p_contents are the receipts' hashes
-- (32 bytes each) and the contents (the box's content size each), concatenated, in the
-- order to write them (the caller sorts them by receipt hash, a random order); p_voters
-- the roll-call voters in the same order (NULL for a secret box). One per recorded voter,
-- the roll-call voters exactly the recorded ones, the salt the one of the digest. Writes
-- them, publishes the salt, deletes the sealed ballots.
CREATE FUNCTION ballot_box_close(
    p_box bigint, p_roll_salt bytea, p_receipts bytea, p_contents bytea, p_voters bigint[]
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    b governance_ballotbox%ROWTYPE;
    v_voters bigint;
    v_n integer := length(p_receipts) / 32;
BEGIN
    SELECT * INTO b FROM governance_ballotbox WHERE id = p_box FOR UPDATE;
    IF NOT FOUND OR b.state <> 'open' THEN
        RAISE EXCEPTION 'ballot_box_closes_once: the box is not open'
            USING ERRCODE = 'check_violation';
    END IF;
    IF encode(sha256(p_roll_salt || convert_to(coalesce(
           (SELECT string_agg(member_id::text, ',' ORDER BY member_id)
              FROM governance_rollentry WHERE box_id = p_box), ''), 'UTF8')), 'hex')
       <> b.roll_digest THEN
        RAISE EXCEPTION 'ballot_box_close_needs_the_roll_salt: the salt does not match the digest'
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT count(*) INTO v_voters FROM governance_voter WHERE box_id = p_box;
    IF length(p_receipts) <> 32 * v_voters
       OR length(p_contents) <> b.content_size * v_voters
       OR (SELECT count(*) FROM governance_sealedballot WHERE box_id = p_box) <> v_voters
       OR (b.secret AND p_voters IS NOT NULL)
       OR (NOT b.secret AND coalesce(cardinality(p_voters), 0) <> v_voters) THEN
        RAISE EXCEPTION 'ballot_box_counts_every_ballot: one opened ballot per recorded voter'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NOT b.secret AND (
          EXISTS (SELECT member_id FROM governance_voter WHERE box_id = p_box
                  EXCEPT SELECT unnest(p_voters))
          OR (SELECT count(DISTINCT v) FROM unnest(p_voters) v) <> v_voters) THEN
        RAISE EXCEPTION 'ballot_box_counts_every_ballot: the roll-call ballots of the recorded voters'
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE governance_ballotbox SET state = 'closed', closed_at = now(), roll_salt = p_roll_salt
     WHERE id = p_box;
    INSERT INTO governance_countedballot (box_id, receipt_hash, content, voter_id)
    SELECT p_box, substring(p_receipts FROM 32 * i + 1 FOR 32),
           substring(p_contents FROM b.content_size * i + 1 FOR b.content_size),
           p_voters[i + 1]
      FROM generate_series(0, v_n - 1) AS i
     ORDER BY i;
    DELETE FROM governance_sealedballot WHERE box_id = p_box;
END $$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION ballot_box_open(bytea, bytea, boolean, timestamptz, timestamptz, integer, boolean, date);
DROP FUNCTION ballot_box_cast(bigint, bigint, bytea);
DROP FUNCTION ballot_box_lock(bigint);
DROP FUNCTION ballot_box_close(bigint, bytea, bytea, bytea, bigint[]);
"""

# The closed motions of the old tables become closed boxes: their rolls, voters and counted
# ballots (in random order; an old box has no key and no salt). The guards are set aside
# for this one copy: they check new votes, and these were cast and counted already.
LEGACY_MOVE = r"""
ALTER TABLE governance_rollentry DISABLE TRIGGER USER;
ALTER TABLE governance_voter DISABLE TRIGGER USER;
ALTER TABLE governance_countedballot DISABLE TRIGGER USER;
ALTER TABLE governance_motion DISABLE TRIGGER USER;
DO $$
DECLARE
    mo record;
    v_box bigint;
BEGIN
    FOR mo IN SELECT m.id, m.opens_at, m.closes_at, m.ballot_kind, m.electorate, m.closed_at,
                     l.roll_size, l.roll_digest
                FROM governance_motion m JOIN governance_legacy_motion l ON l.id = m.id
               WHERE m.state IN ('closed', 'published')
    LOOP
        INSERT INTO governance_ballotbox (state, secret, committee_only, opens_at, closes_at,
                                          public_key, content_size, roll_size, roll_digest,
                                          closed_at)
        VALUES ('closed', mo.ballot_kind = 'secret', mo.electorate = 'steering_committee',
                mo.opens_at, mo.closes_at, '', 1, coalesce(mo.roll_size, 0),
                coalesce(mo.roll_digest, ''), mo.closed_at)
        RETURNING id INTO v_box;
        INSERT INTO governance_rollentry (box_id, member_id)
            SELECT v_box, member_id FROM governance_legacy_rollentry WHERE motion_id = mo.id;
        INSERT INTO governance_voter (box_id, member_id)
            SELECT DISTINCT v_box, member_id FROM governance_legacy_voter WHERE motion_id = mo.id;
        INSERT INTO governance_countedballot (box_id, receipt_hash, content, voter_id)
            SELECT v_box, decode(receipt_hash, 'hex'),
                   CASE choice WHEN 'yes' THEN '\x01'::bytea WHEN 'no' THEN '\x02'::bytea
                               ELSE '\x03'::bytea END,
                   voter_id
              FROM governance_legacy_ballot WHERE motion_id = mo.id ORDER BY random();
        UPDATE governance_motion SET box_id = v_box WHERE id = mo.id;
    END LOOP;
END $$;
ALTER TABLE governance_rollentry ENABLE TRIGGER USER;
ALTER TABLE governance_voter ENABLE TRIGGER USER;
ALTER TABLE governance_countedballot ENABLE TRIGGER USER;
ALTER TABLE governance_motion ENABLE TRIGGER USER;
DROP TABLE governance_legacy_motion, governance_legacy_rollentry, governance_legacy_voter,
    governance_legacy_ballot;
"""


class Migration(migrations.Migration):
    dependencies = [("governance", "0006_ballot_box")]

    operations = [
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        migrations.RunSQL(LEGACY_MOVE, migrations.RunSQL.noop),
    ]
