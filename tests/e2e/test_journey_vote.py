"""Journey 1, a member votes: apply, be approved by a coordinator, confirm the address from
the e-mail, log in, find the open motion in one's own language, vote with the confirmation
step, keep the receipt, and after the close check that the ballot was counted and read the
published result. In a desktop browser, on a phone, and without JavaScript."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from governance.models import BallotKind
from members.models import Member
from tests import agreements
from tests.conftest import MOTION_TEXT, PASSWORD

from .conftest import DESKTOP, PHONE, check_page, label, say

pytestmark = pytest.mark.e2e

RECEIPT = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")
CONFIRMATION_PATH = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/\S+)")


def confirmation_path(email: str) -> str:
    """The link in the address-confirmation message sent to `email` (the live server runs
    in this process, so its e-mail lands in the test outbox)."""
    for message in mail.outbox:
        if message.to == [email] and (found := CONFIRMATION_PATH.search(message.body)):
            return found.group(1)
    raise AssertionError(f"no confirmation link for {email} in {[m.to for m in mail.outbox]}")


def table_cell(section, row_header: str):
    """The data cell next to the row header reading exactly `row_header`."""
    header = section.page.get_by_role("rowheader", name=row_header, exact=True)
    return section.locator("tr").filter(has=header).locator("td")


@pytest.mark.parametrize(
    ("language", "javascript", "viewport", "ballot_kind", "axe"),
    [
        pytest.param("is", True, DESKTOP, BallotKind.SECRET, True, id="icelandic-desktop"),
        pytest.param("sv", True, PHONE, BallotKind.ROLL_CALL, True, id="swedish-phone"),
        pytest.param("fi", False, PHONE, BallotKind.SECRET, False, id="finnish-no-javascript"),
    ],
)
def test_member_applies_votes_and_finds_receipt_counted(
    open_page,
    guard,
    log_in,
    coordinator,
    make_motion,
    language,
    javascript,
    viewport,
    ballot_kind,
    axe,
):
    pseudonym, email = "Hrafntinna", f"hrafntinna-{language}@example.test"
    title, text = MOTION_TEXT[language]

    # --- The applicant applies --------------------------------------------------------
    applicant = open_page(language, javascript=javascript, viewport=viewport)
    applicant.goto(reverse("members:apply"))
    expect(applicant.locator("h1")).to_have_text(say(language, "Apply for membership"))
    check_page(applicant, guard, "apply")
    form = applicant.locator("main form")
    form.get_by_label(label(language, "Pseudonym")).fill(pseudonym)
    form.get_by_label(label(language, "E-mail address")).fill(email)
    form.get_by_label(label(language, "Password")).fill(PASSWORD)
    form.get_by_label(label(language, "Password again")).fill(PASSWORD)
    form.get_by_label(label(language, "Country")).select_option("IS")
    form.get_by_label(label(language, "Preferred language")).select_option(language)
    form.locator("input[name='status'][value='sex_worker']").check()
    form.get_by_role("button", name=say(language, "Send application")).click()
    expect(applicant.locator("h1")).to_have_text(say(language, "Thank you"))
    check_page(applicant, guard, "application-sent")

    # --- A coordinator approves it on the coordinator page (with their second factor) --
    staff = log_in(open_page("en", javascript=javascript, viewport=viewport), coordinator)
    staff.get_by_role("link", name="Coordination").click()
    row = staff.get_by_role("row").filter(has_text=pseudonym)
    expect(row).to_have_count(1)
    check_page(staff, guard, "coordinator-sees-application")
    row.get_by_role("button", name=f"Approve: {pseudonym}").click()
    expect(staff.locator(".messages")).to_contain_text("Approved.")
    expect(staff.get_by_text("No applications are waiting.")).to_be_visible()
    check_page(staff, guard, "coordinator-approved")

    # The committee opens a motion now: the member is on its frozen electoral roll.
    motion = make_motion(ballot_kind=ballot_kind)

    # --- The member confirms the address with the link from the e-mail -----------------
    applicant.goto(confirmation_path(email))
    expect(applicant.locator("h1")).to_have_text(say(language, "Confirm your e-mail address"))
    expect(applicant.locator("main")).to_contain_text(email)
    check_page(applicant, guard, "confirm-address")
    applicant.locator("main").get_by_role("button", name=say(language, "Confirm")).click()
    applicant.wait_for_load_state()
    check_page(applicant, guard, "address-confirmed")

    # --- Logs in and finds the motion in their own language ---------------------------
    member = Member.objects.get(user__email=email)
    page = log_in(applicant, member)
    expect(page.locator("h1")).to_have_text(say(language, "Hello, %(name)s", name=pseudonym))
    expect(page.locator("main").get_by_role("link", name=title)).to_be_visible()
    check_page(page, guard, "dashboard", axe=axe)
    page.get_by_role("navigation").get_by_role("link", name=say(language, "Motions")).click()
    expect(page.locator("h1")).to_have_text(say(language, "Motions"))
    card = page.locator("main li.card").filter(has_text=title)
    expect(card).to_contain_text(say(language, "Waiting for your vote"))
    check_page(page, guard, "motion-list", axe=axe)
    card.get_by_role("link", name=title).click()

    # --- Reads it and votes, with the confirmation step -------------------------------
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".motion-text")).to_have_text(text)
    expect(page.get_by_role("note")).to_have_count(0)  # no "not translated" note
    check_page(page, guard, "motion-detail", axe=axe)
    # Continuing without a choice says what is missing, and casts nothing.
    ballot = page.get_by_role("region", name=say(language, "Your vote"))
    ballot.get_by_role("button", name=say(language, "Continue")).click()
    expect(page.locator(".messages")).to_have_text(say(language, "Choose yes, no or abstain."))
    check_page(page, guard, "motion-detail-no-choice", axe=axe)
    ballot = page.get_by_role("region", name=say(language, "Your vote"))
    ballot.get_by_label(label(language, "Yes")).check()
    ballot.get_by_role("button", name=say(language, "Continue")).click()
    expect(page.locator("h1")).to_have_text(say(language, "Confirm your vote"))
    expect(page.get_by_label(label(language, "Yes"))).to_be_checked()
    check_page(page, guard, "confirm-vote", axe=axe)
    page.get_by_role("button", name=say(language, "Cast my vote")).click()
    expect(page.locator("h1")).to_have_text(say(language, "Your vote has been cast"))
    receipt = page.locator(".receipt code").inner_text().strip()
    assert RECEIPT.match(receipt), receipt
    # Read aloud with what it is: "Receipt code ABCD-EFGH-JKLM".
    expect(page.locator(".receipt")).to_have_text(f"{say(language, 'Receipt code')} {receipt}")
    check_page(page, guard, "receipt", axe=axe)
    # Changing the language, and reloading, keep the receipt on the screen.
    current = language
    for to in ("sv" if language == "en" else "en", language):
        page.get_by_label(say(current, "Language"), exact=True).select_option(to)
        page.locator(".language-switcher button").click()
        expect(page.locator("h1")).to_have_text(say(to, "Your vote has been cast"))
        expect(page.locator(".receipt code")).to_have_text(receipt)
        current = to
    page.reload()
    expect(page.locator(".receipt code")).to_have_text(receipt)
    check_page(page, guard, "receipt-again", axe=axe)

    # The motion now says so, and offers no second ballot.
    page.get_by_role("button", name=say(language, "I have noted it: back to the motion")).click()
    expect(page.get_by_text(say(language, "You have voted on this motion."))).to_be_visible()
    expect(page.get_by_role("region", name=say(language, "Your vote"))).to_have_count(0)
    check_page(page, guard, "motion-after-voting")

    # --- After the close: the receipt is among the counted ballots ---------------------
    agreements.motion_close(motion_id=motion.pk, by=None)
    page.reload()
    expect(page.locator("main")).to_contain_text(
        say(
            language,
            "Voting has closed. The results will be shown here once the Steering Committee "
            "has published them.",
        )
    )
    expect(page.get_by_role("region", name=say(language, "Result"))).to_have_count(0)
    check_page(page, guard, "closed-not-published", axe=axe)
    page.get_by_role("link", name=say(language, "Check that your ballot was counted")).click()
    expect(page.locator("h1")).to_have_text(say(language, "Check your receipt"))
    check_page(page, guard, "receipt-check", axe=axe)
    page.get_by_label(label(language, "Your receipt code")).fill("ABCD-EFGH-JKLM")
    page.get_by_role("button", name=say(language, "Check"), exact=True).click()
    expect(page.get_by_role("status")).to_have_text(
        say(
            language,
            "No counted ballot has this receipt code. Check the code, or contact the "
            "Steering Committee.",
        )
    )
    check_page(page, guard, "receipt-not-found", axe=axe)
    page.get_by_label(label(language, "Your receipt code")).fill(receipt.lower())
    page.get_by_role("button", name=say(language, "Check"), exact=True).click()
    expect(page.get_by_role("status")).to_have_text(say(language, "Your ballot was counted."))
    check_page(page, guard, "receipt-counted", axe=axe)

    # --- Once published: the result ------------------------------------------------------
    agreements.motion_publish(motion_id=motion.pk, by=None)
    page.get_by_role("link", name=say(language, "Back to the motion")).click()
    results = page.get_by_role("region", name=say(language, "Result"))
    expect(results).to_be_visible()
    expect(results.locator("strong").first).to_have_text(say(language, "Adopted"))
    expect(results.get_by_role("img", name=say(language, "Votes by choice"))).to_be_visible()
    # Votes, and the share of the base the rule uses (here the yes and no votes).
    expect(table_cell(results, say(language, "Yes"))).to_have_text(["1", "100%"])
    expect(table_cell(results, say(language, "No"))).to_have_text(["0", "0%"])
    expect(results.locator("dd").first).to_have_text("1 / 2 (50%)")
    how_voted = results.get_by_role("heading", name=say(language, "How members voted"))
    if ballot_kind == BallotKind.ROLL_CALL:
        expect(how_voted).to_be_visible()
        expect(results.locator("li").filter(has_text=pseudonym)).to_have_text(
            f"{pseudonym}: {say(language, 'Yes')}"
        )
    else:
        expect(how_voted).to_have_count(0)
        expect(results).not_to_contain_text(pseudonym)
    check_page(page, guard, "result-published", axe=axe)
    page.get_by_role("link", name=say(language, "All motions")).click()
    past = page.get_by_role("region", name=say(language, "Closed motions"))
    expect(past.get_by_role("listitem").filter(has_text=title)).to_contain_text(
        say(language, "Adopted")
    )
    check_page(page, guard, "motion-list-after", axe=axe)
