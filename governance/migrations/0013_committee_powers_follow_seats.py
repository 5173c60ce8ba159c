"""The Steering Committee's powers follow its seats, whatever client writes.

The committee's admin permissions are carried by a Django group, which the user admin
lets anyone with user rights edit. Two guards make the group follow the seats by
construction:

- `committee_group_needs_a_seat` (members_user_groups): nobody enters the group without
  an unended seat;
- `committee_group_follows_seats` (governance_seat): when a member's last seat ends (or
  is deleted), they leave the group, in the same statement.

Raw SQL: the first sits on the user/group join table that Django creates for members'
User model, which pgtrigger cannot declare a trigger on from governance. The group's name
is rendered from members.roles (its one definition), the messages start with the guards'
names (core/guard_registry.py).
"""

from django.db import migrations

from members.roles import STEERING_COMMITTEE

GROUP = STEERING_COMMITTEE.replace("'", "''")

FORWARD = """
CREATE FUNCTION committee_group_needs_a_seat() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM auth_group g WHERE g.id = NEW.group_id AND g.name = '@GROUP@')
       AND NOT EXISTS (
            SELECT 1 FROM governance_seat s JOIN members_member m ON m.id = s.member_id
             WHERE m.user_id = NEW.user_id AND s.ended_on IS NULL) THEN
        RAISE EXCEPTION 'committee_group_needs_a_seat: the Steering Committee''s powers come with a seat'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER committee_group_needs_a_seat
    BEFORE INSERT OR UPDATE ON members_user_groups
    FOR EACH ROW EXECUTE FUNCTION committee_group_needs_a_seat();

CREATE FUNCTION committee_group_follows_seats() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_member bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.member_id ELSE NEW.member_id END;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM governance_seat s
                    WHERE s.member_id = v_member AND s.ended_on IS NULL) THEN
        DELETE FROM members_user_groups ug
         USING members_member m, auth_group g
         WHERE m.id = v_member AND ug.user_id = m.user_id
           AND g.id = ug.group_id AND g.name = '@GROUP@';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER committee_group_follows_seats
    AFTER UPDATE OF ended_on OR DELETE ON governance_seat
    FOR EACH ROW EXECUTE FUNCTION committee_group_follows_seats();
""".replace("@GROUP@", GROUP)  # nosec B608: the group name is a constant of the code

REVERSE = """
DROP TRIGGER IF EXISTS committee_group_follows_seats ON governance_seat;
DROP FUNCTION IF EXISTS committee_group_follows_seats();
DROP TRIGGER IF EXISTS committee_group_needs_a_seat ON members_user_groups;
DROP FUNCTION IF EXISTS committee_group_needs_a_seat();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0012_member_with_roles_guard"),
    ]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
