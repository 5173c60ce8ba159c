import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import ActKind, ActState, Motion, MotionState, PendingAct


def admin_form(**overrides):
    now = timezone.localtime()
    later = now + datetime.timedelta(days=2)
    data = {
        "electorate": "voting_members",
        "ballot_kind": "secret",
        "majority": "simple",
        "quorum_percent": "20",
        "opens_at_0": now.date().isoformat(),
        "opens_at_1": "00:00:00",
        "closes_at_0": later.date().isoformat(),
        "closes_at_1": "12:00:00",
    }
    for code, (title, text) in {
        "en": ("Budget", "Approve the budget."),
        "sv": ("Budget", "Godkänn budgeten."),
        "nb": ("Budsjett", "Godkjenn budsjettet."),
        "fi": ("Talousarvio", "Hyväksy talousarvio."),
        "is": ("Fjárhagsáætlun", "Samþykkja fjárhagsáætlunina."),
    }.items():
        data[f"title_{code}"], data[f"text_{code}"] = title, text
    data.update(overrides)
    return data


def run_action(client, action, obj, changelist="admin:governance_motion_changelist"):
    """Choose the action, then submit its confirmation page with a reason."""
    data = {"action": action, "_selected_action": [obj.pk]}
    page = client.post(reverse(changelist), data)
    assert page.status_code == 200
    assert b'name="confirmed"' in page.content  # the confirmation page, nothing done yet
    data |= {"confirmed": "yes", "reason": "Agreed at the meeting"}
    return client.post(reverse(changelist), data, follow=True)


def confirm_act(client, act_kind):
    act = PendingAct.objects.get(kind=act_kind, state=ActState.PENDING)
    return run_action(client, "confirm", act, "admin:governance_pendingact_changelist")


@pytest.fixture
def second_committee_member(make_member, seat_member):
    member = make_member(pseudonym="Second")
    seat_member(member)
    return member


def test_committee_drafts_opens_closes_and_publishes_in_the_admin(
    client, committee_member, second_committee_member, sex_worker
):
    client.force_login(committee_member.user)
    response = client.post(reverse("admin:governance_motion_add"), admin_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    motion = Motion.objects.get()
    assert motion.proposer == committee_member
    assert motion.title_fi == "Talousarvio"

    run_action(client, "propose_opening", motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.DRAFT  # proposed, waiting for a second person
    page = confirm_act(client, ActKind.MOTION_OPEN).content.decode()
    assert "A second person must confirm" in page
    motion.refresh_from_db()
    assert motion.state == MotionState.DRAFT
    client.force_login(second_committee_member.user)
    confirm_act(client, ActKind.MOTION_OPEN)
    motion.refresh_from_db()
    assert motion.state == MotionState.OPEN
    assert motion.roll_size == 3

    services.ballot_cast(motion_id=motion.pk, voter=sex_worker, choice="yes")
    changelist = client.get(reverse("admin:governance_motion_changelist")).content.decode()
    assert "1 / 3" in changelist  # turnout while open, never the choices
    change = client.get(reverse("admin:governance_motion_change", args=[motion.pk]))
    assert "Hidden until voting closes." in change.content.decode()

    run_action(client, "propose_closing", motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.OPEN
    client.force_login(committee_member.user)
    confirm_act(client, ActKind.MOTION_CLOSE)
    motion.refresh_from_db()
    assert motion.state == MotionState.CLOSED
    change = client.get(reverse("admin:governance_motion_change", args=[motion.pk]))
    assert "Yes 1, no 0, abstain 0" in change.content.decode()

    run_action(client, "propose_publishing", motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.CLOSED
    client.force_login(second_committee_member.user)
    confirm_act(client, ActKind.MOTION_PUBLISH)
    motion.refresh_from_db()
    assert motion.state == MotionState.PUBLISHED


def test_confirmation_page_without_a_reason_changes_nothing(client, committee_member, make_motion):
    draft = make_motion(open=False)
    client.force_login(committee_member.user)
    data = {"action": "propose_opening", "_selected_action": [draft.pk], "confirmed": "yes"}
    page = client.post(reverse("admin:governance_motion_changelist"), data)
    assert page.status_code == 200
    assert "This field is required." in page.content.decode()
    assert not PendingAct.objects.exists()


def test_opening_with_a_missing_translation_is_refused_with_a_message(client, committee_member):
    client.force_login(committee_member.user)
    client.post(reverse("admin:governance_motion_add"), admin_form(title_is="", text_is=""))
    motion = Motion.objects.get()
    changelist = client.get(reverse("admin:governance_motion_changelist")).content.decode()
    assert ">is<" in changelist  # the missing language is shown
    page = run_action(client, "propose_opening", motion).content.decode()
    assert "Translations are missing (is)" in page
    motion.refresh_from_db()
    assert motion.state == MotionState.DRAFT


def test_editing_an_open_motion_in_the_admin_changes_nothing(client, committee_member, make_motion):
    motion = make_motion()
    client.force_login(committee_member.user)
    response = client.post(
        reverse("admin:governance_motion_change", args=[motion.pk]),
        admin_form(title_en="Something else", quorum_percent="90"),
    )
    assert response.status_code == 403
    page = client.get(reverse("admin:governance_motion_change", args=[motion.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    motion.refresh_from_db()
    assert motion.title_en == "Support the campaign"
    assert motion.quorum_percent == 0


def test_closing_a_draft_in_the_admin_is_a_message_not_an_error(
    client, committee_member, make_motion
):
    draft = make_motion(open=False)
    client.force_login(committee_member.user)
    page = run_action(client, "propose_closing", draft)
    assert page.status_code == 200
    assert "Only an open motion can be closed." in page.content.decode()


def test_motions_admin_is_closed_to_other_members(client, sex_worker, coordinator):
    for user in (sex_worker.user, coordinator.user):
        client.force_login(user)
        response = client.get(reverse("admin:governance_motion_changelist"))
        assert response.status_code in (302, 403)


def test_choosing_a_roll_call_ballot_warns_the_committee(client, committee_member, make_motion):
    warning = "Only sex workers vote, so the list shows who they are."
    client.force_login(committee_member.user)
    assert warning in client.get(reverse("admin:governance_motion_add")).content.decode()
    roll_call = make_motion(open=False, ballot_kind="roll_call")
    secret = make_motion(open=False)
    for motion, warned in ((roll_call, True), (secret, False)):
        page = client.post(
            reverse("admin:governance_motion_changelist"),
            {"action": "propose_opening", "_selected_action": [motion.pk]},
        )
        assert (warning in page.content.decode()) is warned
