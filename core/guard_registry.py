"""Every database guard of the project, by name, with what it refuses: the one list a
reviewer reads to know what the database enforces. Each guard is a trigger declared
beside its model (core.guards.Guard, rendered by pgtrigger) and raises with a message
that starts with its own name, which is how the application recognises it
(core.guards.guard_name_of). tests/core/test_guard_registry.py fails when a trigger is
installed that this list does not name, when a name here is not installed, or when a
refusal does not start with its guard's name.

Names only (no import of an app): the ground floor knows no app.
"""

# The guards that back the eligibility rule (members.eligibility): their refusals mean
# what the rule's own check means, and are translated into the rule's message.
RULE_GUARDS = (
    "seat_holder_must_be_active_sex_worker",
    "spokesperson_must_be_active_sex_worker",
    "member_with_roles_must_stay_active_sex_worker",
    "voter_must_be_eligible",
    "roll_entry_must_be_eligible",
    "candidate_must_be_eligible",
)

GUARDS = {
    # The rule
    "seat_holder_must_be_active_sex_worker": "an unended seat for anyone not eligible",
    "spokesperson_must_be_active_sex_worker": "an active assignment for anyone not eligible",
    "member_with_roles_must_stay_active_sex_worker": "a role holder leaving the rule",
    "voter_must_be_eligible": "a voter who is not eligible",
    "roll_entry_must_be_eligible": "an ineligible member on an open box's roll",
    # The ballot box
    "ballot_box_must_be_open": "a voter outside the box's window",
    "voter_must_be_on_the_roll": "a voter not on the box's roll",
    "voters_are_final": "changing or deleting a recorded voter",
    "sealed_ballot_has_the_box_size": "a sealed ballot of another length than its box's",
    "sealed_ballots_are_final": "changing a sealed ballot",
    "sealed_ballots_deleted_only_by_the_close": "deleting sealed ballots of an open box",
    "counted_ballots_are_final": "changing or deleting a counted ballot",
    "ballot_box_changes_only_by_closing": "changing a box other than by its close",
    "roll_frozen_once_open": "changing the roll of an opened box",
    # Motions
    "motion_frozen_once_open": "changing what a motion says once it is open",
    "motion_state_moves_forward": "a motion's state going back",
    "motion_deleted_only_as_draft": "deleting a motion that was opened",
    "motion_opens_with_its_own_box": "opening a motion without a box of its own",
    "motion_results_match_its_ballots": "results that differ from the counted ballots",
    "motion_results_frozen": "changing results once written",
    "motion_acts_need_a_second_person": "opening, closing early or publishing unconfirmed",
    # Elections (elections.models)
    "candidate_must_be_eligible": "a candidacy or nomination outside the rule",
    "nomination_in_its_window": "a nomination outside the nomination window",
    "candidacy_frozen_once_voting": "changing candidacies once voting has opened",
    "election_state_moves_forward": "an election's state going back",
    "election_opens_with_its_own_box": "voting without a new box of the election's own",
    "election_frozen_once_confirmed": "changing a confirmed election's rules or count",
    "election_deleted_only_as_proposed": "deleting an election once confirmed",
    # The committee's powers
    "committee_group_needs_a_seat": "the committee's group for someone without a seat",
    # Four eyes (governance.models.acts)
    "act_proposed_pending": "an act written other than as a pending proposal",
    "act_confirmed_by_a_second_person": "confirming one's own act, or one about oneself, or late",
    "act_decided_once": "deciding an act twice",
    "act_kept": "deleting an act",
    # Histories and the audit log: append-only
    "seat_history_append_only": "changing seat history (deletable for erased members)",
    "assignment_history_append_only": "changing assignment history (same)",
    "member_state_history_append_only": "changing membership-state history (same)",
    "member_status_history_append_only": "changing status history (same)",
    "audit_event_append_only": "changing or deleting an audit event",
    "audit_event_no_truncate": "truncating the audit log",
}

# Triggers that refuse nothing: pghistory's trackers, which write the histories, and
# those that keep derived data in step.
UNGUARDED_TRIGGERS = (
    # Takes a member whose last seat ended out of the committee's group.
    "committee_group_follows_seats",
    "insert_insert",
    "update_update",
    "member_created_insert",
    "member_state_changed_update",
    "member_status_changed_update",
)
