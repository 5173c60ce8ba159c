"""Counted ballots packed a few hundred to a row (models.ballot_box.CountedBallots): a
close of 100,000 ballots writes about 700 rows instead of 100,000, so it costs what its
data costs (docs/architecture.md, "The ballot box"). The counted ballots of closed boxes
move into the packs in the order they were written (by receipt hash); the close takes the
opened ballots as three values (receipt hashes, contents, roll-call voters) and packs them.
Raw SQL for the functions: Django cannot declare one (see 0007)."""

from importlib import import_module

import core.guards
import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


# Every column PLAIN: a pack is never compressed or moved out of its row (a row is at most
# about 6 KB, see COUNTED_PACK_BYTES), so it is written, read and inspected as one piece.
STORAGE_PLAIN = r"""
ALTER TABLE governance_countedballots
    ALTER COLUMN receipt_hashes SET STORAGE PLAIN,
    ALTER COLUMN contents SET STORAGE PLAIN,
    ALTER COLUMN voter_ids SET STORAGE PLAIN;
"""

# The counted ballots of closed boxes, packed as the close packs them (in the order the
# close wrote them, by receipt hash). tests/governance/test_counted_packs.py runs it.
PACK_EXISTING = r"""
INSERT INTO governance_countedballots (box_id, chunk, receipt_hashes, contents, voter_ids)
SELECT box_id, chunk,
       string_agg(receipt_hash, ''::bytea ORDER BY receipt_hash),
       string_agg(content, ''::bytea ORDER BY receipt_hash),
       CASE WHEN bool_and(voter_id IS NULL) THEN NULL
            ELSE array_agg(voter_id ORDER BY receipt_hash) END
  FROM (SELECT c.*, (row_number() OVER (PARTITION BY c.box_id ORDER BY c.receipt_hash) - 1)
                    / greatest(1, 6000 / (40 + b.content_size)) AS chunk
          FROM governance_countedballot c JOIN governance_ballotbox b ON b.id = c.box_id) c
 GROUP BY box_id, chunk;
"""

FUNCTIONS = r"""
DROP FUNCTION ballot_box_close(bigint, bytea, bytea);

-- Close a box with its opened ballots, in the order to write them (the caller sorts them
-- by receipt hash: a random order): their receipt hashes (32 bytes each) and contents
-- (the box's content size each) concatenated, and in a roll-call box their voters' ids
-- (NULL in a secret box). One ballot per recorded voter; in a roll-call box the voters
-- exactly the recorded ones; the salt the one the box was opened with. Writes them packed
-- (governance_countedballots; the number per row as models.ballot_box.counted_per_row)
-- and marks the box closed. The sealed ballots, which nothing can open once the key is
-- destroyed, are deleted by ballot_box_purge right after, in their own transaction.
CREATE FUNCTION ballot_box_close(p_box bigint, p_roll_salt bytea, p_receipt_hashes bytea,
                                 p_contents bytea, p_voter_ids bigint[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    b governance_ballotbox%ROWTYPE;
    v_n integer;
    v_per integer;
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
    v_n := length(p_receipt_hashes) / 32;
    IF length(p_receipt_hashes) <> 32 * v_n OR length(p_contents) <> b.content_size * v_n
       OR v_n <> (SELECT count(*) FROM governance_voter WHERE box_id = p_box) THEN
        RAISE EXCEPTION 'ballot_box_counts_every_ballot: one opened ballot per recorded voter'
            USING ERRCODE = 'check_violation';
    END IF;
    -- The voters the ballots name: none in a secret box, exactly the recorded ones, once
    -- each, in a roll-call box.
    IF (b.secret AND p_voter_ids IS NOT NULL)
       OR (NOT b.secret AND (
            p_voter_ids IS NULL OR coalesce(cardinality(p_voter_ids), 0) <> v_n
            OR (SELECT array_agg(v ORDER BY v) FROM unnest(p_voter_ids) AS v)
               IS DISTINCT FROM (SELECT array_agg(member_id ORDER BY member_id)
                                   FROM governance_voter WHERE box_id = p_box))) THEN
        RAISE EXCEPTION 'ballot_box_counts_every_ballot: the ballots name other voters than the recorded ones'
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE governance_ballotbox SET state = 'closed', closed_at = now() WHERE id = p_box;
    v_per := greatest(1, 6000 / (40 + b.content_size));
    INSERT INTO governance_countedballots (box_id, chunk, receipt_hashes, contents, voter_ids)
    SELECT p_box, k,
           substring(p_receipt_hashes FROM 32 * v_per * k + 1 FOR 32 * v_per),
           substring(p_contents FROM b.content_size * v_per * k + 1 FOR b.content_size * v_per),
           p_voter_ids[v_per * k + 1 : v_per * (k + 1)]
      FROM generate_series(0, (v_n + v_per - 1) / v_per - 1) AS k;
END $$;
"""

# Back to 0010's close (one counted ballot per row, in the table the reverse recreates
# empty): the packs are not unpacked.
REVERSE_FUNCTIONS = (
    "DROP FUNCTION ballot_box_close(bigint, bytea, bytea, bytea, bigint[]);"
    + import_module("governance.migrations.0010_roll_salt_never_published").FUNCTIONS
)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0013_committee_powers_follow_seats"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="ballotbox",
            constraint=models.CheckConstraint(
                condition=models.Q(("content_size__gte", 1), ("content_size__lte", 1024)),
                name="ballot_box_content_fits_a_pack",
            ),
        ),
        migrations.CreateModel(
            name="CountedBallots",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "box",
                        "chunk",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "box",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="counted",
                        to="governance.ballotbox",
                    ),
                ),
                ("chunk", models.PositiveIntegerField()),
                ("receipt_hashes", models.BinaryField()),
                ("contents", models.BinaryField()),
                (
                    "voter_ids",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(), blank=True, null=True
                    ),
                ),
            ],
            options={
                "verbose_name": "counted ballots",
                "verbose_name_plural": "counted ballots",
            },
        ),
        migrations.AddIndex(
            model_name="countedballots",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("voter_ids__isnull", False)),
                fields=["voter_ids"],
                name="counted_ballots_roll_call",
            ),
        ),
        migrations.RunSQL(STORAGE_PLAIN + PACK_EXISTING, migrations.RunSQL.noop),
        pgtrigger.migrations.RemoveTrigger(
            model_name="countedballot",
            name="counted_ballots_are_final",
        ),
        migrations.RemoveIndex(
            model_name="countedballot",
            name="counted_ballot_roll_call_voter",
        ),
        migrations.RemoveField(
            model_name="countedballot",
            name="box",
        ),
        migrations.RemoveField(
            model_name="countedballot",
            name="voter",
        ),
        migrations.DeleteModel(
            name="CountedBallot",
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="countedballots",
            trigger=pgtrigger.compiler.Trigger(
                name="counted_ballots_are_final",
                sql=core.guards.GuardTriggerSql(
                    func="RAISE EXCEPTION 'counted_ballots_are_final: a counted ballot cannot change' USING ERRCODE = 'check_violation';",
                    hash="34e5407f7877e6f4e25a4b01354af2f25384e46a",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_counted_ballots_are_final_97916",
                    table="governance_countedballots",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="motion",
            name="motion_results_match_its_ballots",
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="motion",
            trigger=pgtrigger.compiler.Trigger(
                name="motion_results_match_its_ballots",
                sql=core.guards.GuardTriggerSql(
                    condition="WHEN (NEW.\"state\" = 'closed' AND OLD.\"state\" = 'open')",
                    func="\n                    IF NOT EXISTS (SELECT 1 FROM governance_ballotbox b\n                                    WHERE b.id = NEW.box_id AND b.state = 'closed')\n                       OR EXISTS (SELECT 1 FROM governance_countedballots c WHERE c.box_id = NEW.box_id AND encode(c.contents, 'hex') !~ '^(01|02|03)*$')\n                       OR (NEW.yes_count, NEW.no_count, NEW.abstain_count)\n                          IS DISTINCT FROM (SELECT ROW(coalesce(sum((length(x.h) - length(replace(x.h, '01', ''))) / 2), 0)::integer, coalesce(sum((length(x.h) - length(replace(x.h, '02', ''))) / 2), 0)::integer, coalesce(sum((length(x.h) - length(replace(x.h, '03', ''))) / 2), 0)::integer) FROM (SELECT encode(c.contents, 'hex') AS h FROM governance_countedballots c WHERE c.box_id = NEW.box_id) x) THEN\n                        RAISE EXCEPTION 'motion_results_match_its_ballots: the result must be the count of the closed ballot box' USING ERRCODE = 'check_violation';\n                    END IF;\n                    RETURN NEW;\n                ",
                    hash="8fa494af74ed597141a900d7410d48fcc3572481",
                    operation="UPDATE",
                    pgid="pgtrigger_motion_results_match_its_ballots_7ca2f",
                    table="governance_motion",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.RunSQL(FUNCTIONS, REVERSE_FUNCTIONS),
    ]
