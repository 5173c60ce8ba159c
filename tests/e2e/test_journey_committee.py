"""Journey 2, the Steering Committee runs a motion in the admin: a committee member logs in
with their second factor, drafts a motion in all five languages with its rules, proposes
opening it (a second committee member confirms), watches the turnout, proposes closing it
early, reviews the result and proposes publishing it; each proposal goes through a
confirmation page with a reason. On a desktop and on a phone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from governance import services as governance_services
from governance.models import ActKind, ActState, Motion, PendingAct
from members.models import Status
from tests.conftest import MOTION_TEXT

from .conftest import DESKTOP, PHONE, check_page, say, say_count

pytestmark = pytest.mark.e2e


def run_action(page, guard, motion: Motion, action: str) -> None:
    """Tick the motion's row in the changelist, choose the action, press the button, then
    give the reason on the confirmation page and confirm."""
    page.locator(f"input[name='_selected_action'][value='{motion.pk}']").check()
    page.locator("select[name='action']").select_option(action)
    page.locator("button[name='index']").click()
    page.wait_for_load_state()
    check_page(page, guard, f"admin-{action}-confirmation")
    page.locator("textarea[name='reason']").fill("Agreed at the meeting")
    page.locator("input[name='confirmed'] ~ input[type='submit']").click()
    page.wait_for_load_state()


def proposed_and_confirmed(page, language, motion: Motion, kind: str, second) -> None:
    """The proposal is acknowledged and waits; the second committee member confirms it."""
    expect(page.locator("ul.messagelist")).to_contain_text(
        say_count(language, "%(count)d act proposed.", "%(count)d acts proposed.", 1)
    )
    act = PendingAct.objects.get(motion=motion, kind=kind, state=ActState.PENDING)
    governance_services.act_confirm(act_id=act.pk, by=second)
    page.goto(reverse("admin:governance_motion_changelist"))


def changelist_cell(page, motion: Motion, column: str):
    """The changelist cell of `column` (the admin's field-<name> class) in the motion's row."""
    row = page.locator("#result_list tbody tr").filter(
        has=page.locator(f"input[name='_selected_action'][value='{motion.pk}']")
    )
    return row.locator(f".field-{column}")


@pytest.mark.parametrize(
    ("language", "viewport"),
    [
        pytest.param("en", DESKTOP, id="english-desktop"),
        pytest.param("sv", PHONE, id="swedish-phone"),
    ],
)
def test_committee_member_runs_a_motion_in_the_admin(
    open_page, guard, log_in, committee_member, make_member, seat_member, language, viewport
):
    committee_member.preferred_language = language
    committee_member.save(update_fields=["preferred_language"])
    voter = make_member(status=Status.SEX_WORKER, pseudonym="Voter")
    second = make_member(status=Status.SEX_WORKER, pseudonym="Second")
    seat_member(second)
    make_member(status=Status.ALLY, pseudonym="Ally")  # a member, never on the roll

    # --- Logs in with the second factor and drafts the motion in all five languages ------
    page = log_in(open_page(language, viewport=viewport), committee_member)
    page.goto(reverse("admin:governance_motion_changelist"))
    check_page(page, guard, "admin-motions-empty")
    page.locator(".object-tools a.addlink").click()
    form = page.locator("#motion_form")
    expect(form).to_be_visible()
    for code, (title, text) in MOTION_TEXT.items():
        form.locator(f"[name='title_{code}']").fill(title)
        form.locator(f"[name='text_{code}']").fill(text)
    form.locator("[name='electorate']").select_option("voting_members")
    form.locator("[name='ballot_kind']").select_option("secret")
    form.locator("[name='majority']").select_option("simple")
    form.locator("[name='quorum_percent']").fill("30")
    now = timezone.localtime()
    closes = now + datetime.timedelta(days=7)
    form.locator("[name='opens_at_0']").fill(now.strftime("%Y-%m-%d"))
    form.locator("[name='opens_at_1']").fill(
        (now - datetime.timedelta(minutes=5)).strftime("%H:%M:%S")
    )
    form.locator("[name='closes_at_0']").fill(closes.strftime("%Y-%m-%d"))
    form.locator("[name='closes_at_1']").fill(closes.strftime("%H:%M:%S"))
    check_page(page, guard, "admin-motion-filled-in")
    form.locator("input[name='_save']").click()
    expect(page.locator("ul.messagelist .success")).to_be_visible()
    motion = Motion.objects.get()
    assert motion.title_is == MOTION_TEXT["is"][0] and motion.text_fi == MOTION_TEXT["fi"][1]
    assert motion.proposer == committee_member
    expect(changelist_cell(page, motion, "state")).to_have_text(say(language, "Draft"))
    expect(changelist_cell(page, motion, "missing_languages")).to_have_text("–")
    check_page(page, guard, "admin-motion-drafted")

    # --- Opens it ----------------------------------------------------------------------
    run_action(page, guard, motion, "propose_opening")
    proposed_and_confirmed(page, language, motion, ActKind.MOTION_OPEN, second)
    expect(changelist_cell(page, motion, "state")).to_have_text(say(language, "Open for voting"))
    expect(changelist_cell(page, motion, "turnout")).to_have_text("0 / 3")
    check_page(page, guard, "admin-motion-opened")

    # --- Watches the turnout as members vote --------------------------------------------
    governance_services.ballot_cast(motion_id=motion.pk, voter=voter, choice="yes")
    page.reload()
    expect(changelist_cell(page, motion, "turnout")).to_have_text("1 / 3")
    check_page(page, guard, "admin-turnout")

    # --- Closes it and reviews the result --------------------------------------------------
    run_action(page, guard, motion, "propose_closing")
    proposed_and_confirmed(page, language, motion, ActKind.MOTION_CLOSE, second)
    expect(changelist_cell(page, motion, "state")).to_have_text(say(language, "Closed"))
    check_page(page, guard, "admin-motion-closed")
    changelist_cell(page, motion, "title").get_by_role("link").click()
    expected_result = say(
        language,
        "Yes %(yes)d, no %(no)d, abstain %(abstain)d: %(outcome)s",
        yes=1,
        no=0,
        abstain=0,
        outcome=say(language, "Adopted"),
    )
    expect(page.locator(".field-result .readonly")).to_have_text(expected_result)
    expect(page.locator(".field-turnout .readonly")).to_have_text("1 / 3")
    check_page(page, guard, "admin-result-review")

    # The member page shows the committee the result before it is published; not others.
    page.goto(reverse("governance:motion_detail", args=[motion.pk]))
    expect(page.locator("h1")).to_have_text(MOTION_TEXT[language][0])
    expect(page.get_by_role("region", name=say(language, "Result"))).to_contain_text(
        say(language, "Not yet published: only the Steering Committee sees this result.")
    )
    check_page(page, guard, "member-page-unpublished-result", axe=True)

    # --- Publishes it ---------------------------------------------------------------------
    page.goto(reverse("admin:governance_motion_changelist"))
    run_action(page, guard, motion, "propose_publishing")
    proposed_and_confirmed(page, language, motion, ActKind.MOTION_PUBLISH, second)
    expect(changelist_cell(page, motion, "state")).to_have_text(say(language, "Results published"))
    check_page(page, guard, "admin-motion-published")
    motion.refresh_from_db()
    assert motion.state == "published"

    # --- The committee page members see ---------------------------------------------------
    page.goto(reverse("governance:committee"))
    expect(page.locator("h1")).to_have_text(say(language, "Steering Committee"))
    expect(page.locator("main table")).to_contain_text(committee_member.pseudonym)
    check_page(page, guard, "committee-page", axe=True)
