"""The database guard on the members table: a member who holds a seat or an active
spokesperson assignment cannot stop being an active sex worker.

Raw SQL because the trigger sits on `members_member` but reads governance tables:
declaring it on the Member model (pgtrigger's way) would make `members` depend on
`governance`, which the architecture forbids.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION member_with_roles_must_stay_active_sex_worker() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM governance_seat
                WHERE member_id = NEW.id AND ended_on IS NULL)
       OR EXISTS (SELECT 1 FROM governance_spokespersonassignment
                   WHERE member_id = NEW.id AND state IN ('proposed', 'approved')) THEN
        RAISE EXCEPTION 'member_with_roles_must_stay_active_sex_worker: end the member''s '
                        'roles before changing their status or membership'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER member_with_roles_must_stay_active_sex_worker
    BEFORE UPDATE OF status, state ON members_member
    FOR EACH ROW
    WHEN (NEW.status <> 'sex_worker' OR NEW.state <> 'active')
    EXECUTE FUNCTION member_with_roles_must_stay_active_sex_worker();
"""

REVERSE = """
DROP TRIGGER IF EXISTS member_with_roles_must_stay_active_sex_worker ON members_member;
DROP FUNCTION IF EXISTS member_with_roles_must_stay_active_sex_worker();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_initial"),
        ("members", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
