import re

from django.test import Client
from django.urls import reverse
from django.utils import translation

from governance import services
from governance.models import BallotKind, Motion, MotionState, SealedBallot
from members.models import Status
from tests import agreements

RECEIPT = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


def vote(client, motion, choice, step="cast"):
    return client.post(
        reverse("governance:motion_vote", args=[motion.pk]), {"choice": choice, "step": step}
    )


def test_member_votes_with_a_confirmation_step_and_sees_the_receipt_once(
    client, sex_worker, make_motion
):
    motion = make_motion()
    client.force_login(sex_worker.user)
    detail = client.get(reverse("governance:motion_detail", args=[motion.pk])).content.decode()
    assert 'name="choice"' in detail

    confirm = vote(client, motion, "no", step="confirm")
    assert confirm.status_code == 200
    assert "Confirm your vote" in confirm.content.decode()
    assert not SealedBallot.objects.exists()  # nothing is cast before the confirmation

    cast = vote(client, motion, "no")
    assert cast.status_code == 200
    code = RECEIPT.search(cast.content.decode()).group(0)
    motion = Motion.objects.select_related("box").get(pk=motion.pk)
    assert services.receipt_is_counted(motion=motion, code=code) is False  # still open
    # Never stored by the browser (members.middleware: every logged-in page).
    assert "no-store" in cast["Cache-Control"]
    # The receipt is kept only in the voter's browser, for the receipt page's path.
    cookie = cast.cookies["receipt"]
    receipt_url = reverse("governance:motion_receipt", args=[motion.pk])
    assert cookie.value == code
    assert (cookie["path"], cookie["httponly"], cookie["samesite"]) == (receipt_url, True, "Strict")
    again = client.get(reverse("governance:motion_detail", args=[motion.pk])).content.decode()
    assert code not in again
    assert "You have voted on this motion." in again


def test_replayed_vote_gives_one_ballot_and_a_clear_message(client, sex_worker, make_motion):
    motion = make_motion()
    client.force_login(sex_worker.user)
    vote(client, motion, "yes")
    client.cookies.pop("receipt")  # the receipt noted (or another browser): a plain replay
    replay = vote(client, motion, "yes")
    assert replay.status_code == 302
    page = client.get(replay["Location"]).content.decode()
    assert "You have already voted on this motion." in page
    assert SealedBallot.objects.filter(box_id=motion.box_id).count() == 1


def test_ally_sees_the_motion_but_no_ballot_and_a_direct_post_is_refused(
    client, ally, sex_worker, make_motion
):
    motion = make_motion()
    client.force_login(ally.user)
    page = client.get(reverse("governance:motion_detail", args=[motion.pk])).content.decode()
    assert motion.title_en in page
    assert 'name="choice"' not in page
    response = vote(client, motion, "yes")
    assert response.status_code == 302
    assert "Only sex workers" in client.get(response["Location"]).content.decode()
    assert not SealedBallot.objects.exists()


def test_bad_votes_change_nothing(client, sex_worker, make_motion):
    motion = make_motion()
    draft = make_motion(open=False)
    client.force_login(sex_worker.user)
    assert vote(client, motion, "maybe").status_code == 302
    assert vote(client, draft, "yes").status_code == 404  # drafts are invisible
    assert client.post(reverse("governance:motion_vote", args=[999999]), {}).status_code == 404
    # A GET of the vote address (a change of language on the confirmation page) goes back
    # to the motion.
    back = client.get(reverse("governance:motion_vote", args=[motion.pk]))
    assert back.status_code == 302
    assert back["Location"] == reverse("governance:motion_detail", args=[motion.pk])
    assert not SealedBallot.objects.exists()


def test_committee_only_motion_has_no_ballot_for_other_members(
    client, sex_worker, committee_member, make_motion
):
    motion = make_motion(electorate="steering_committee")
    client.force_login(sex_worker.user)
    response = vote(client, motion, "yes")
    assert "not on the electoral roll" in client.get(response["Location"]).content.decode()
    client.force_login(committee_member.user)
    assert vote(client, motion, "yes").status_code == 200
    assert SealedBallot.objects.filter(box_id=motion.box_id).count() == 1


def test_results_hidden_until_closed_then_committee_then_members(
    client, make_member, committee_member, make_motion
):
    voter, reader = make_member(), make_member(status=Status.ALLY)
    motion = make_motion(ballot_kind=BallotKind.ROLL_CALL)
    services.ballot_cast(motion_id=motion.pk, voter=voter, choice="yes")
    url = reverse("governance:motion_detail", args=[motion.pk])

    client.force_login(committee_member.user)
    open_page = client.get(url)
    assert open_page.context["show_results"] is False
    assert open_page.context["turnout_so_far"] == 1  # turnout, never the choices
    client.force_login(reader.user)
    assert client.get(url).context["turnout_so_far"] is None

    agreements.motion_close(motion_id=motion.pk)
    assert client.get(url).context["show_results"] is False
    client.force_login(committee_member.user)
    assert client.get(url).context["show_results"] is True

    agreements.motion_publish(motion_id=motion.pk, by=None)
    client.force_login(reader.user)
    page = client.get(url)
    assert page.context["show_results"] is True
    html = page.content.decode()
    assert "<svg" in html and "Adopted" in html
    assert f"{voter.pseudonym}: Yes" in html  # roll-call: who voted what


def test_secret_results_never_name_voters(client, make_member, make_motion):
    voter, reader = make_member(pseudonym="Secret Voter"), make_member()
    motion = make_motion()
    services.ballot_cast(motion_id=motion.pk, voter=voter, choice="no")
    agreements.motion_close(motion_id=motion.pk)
    agreements.motion_publish(motion_id=motion.pk, by=None)
    client.force_login(reader.user)
    html = client.get(reverse("governance:motion_detail", args=[motion.pk])).content.decode()
    assert "Secret Voter" not in html
    assert "Rejected" in html


def test_receipt_check_after_the_close(client, sex_worker, ally, make_motion):
    motion = make_motion()
    client.force_login(sex_worker.user)
    code = RECEIPT.search(vote(client, motion, "abstain").content.decode()).group(0)
    url = reverse("governance:receipt_check", args=[motion.pk])
    assert client.get(url).status_code == 302  # not while open
    agreements.motion_close(motion_id=motion.pk)
    assert "Your ballot was counted." in client.post(url, {"code": code}).content.decode()
    assert "No counted ballot" in client.post(url, {"code": "ZZZZ-ZZZZ-ZZZZ"}).content.decode()
    client.force_login(ally.user)  # not on the roll
    assert client.get(url).status_code == 302


def test_motion_shown_in_the_members_language_with_a_note_when_missing(make_member, make_motion):
    swede = make_member(language="sv")
    finn = make_member(language="fi")
    motion = make_motion(languages=("en", "sv"), open=False, allow_language_fallback=True)
    agreements.motion_open(motion_id=motion.pk, by=None)
    url = reverse("governance:motion_detail", args=[motion.pk])
    for member, title, fallback in ((swede, "Stöd kampanjen", False), (finn, None, True)):
        client = Client()
        client.force_login(member.user)
        with translation.override(member.preferred_language):
            page = client.get(url, HTTP_ACCEPT_LANGUAGE=member.preferred_language)
        assert page.context["reading_fallback"] is fallback
        if title:
            assert title in page.content.decode()
        else:
            assert "Support the campaign" in page.content.decode()


def test_first_request_after_the_window_closes_the_motion(client, sex_worker, make_motion):
    import datetime
    import time

    from django.utils import timezone

    motion = make_motion(closes_at=timezone.now() + datetime.timedelta(seconds=1))
    time.sleep(1.1)
    client.force_login(sex_worker.user)
    client.get(reverse("governance:motion_list"))
    motion.refresh_from_db()
    assert motion.state == MotionState.CLOSED


def test_dashboard_lists_motions_waiting_for_my_vote(client, sex_worker, ally, make_motion):
    motion = make_motion()
    client.force_login(sex_worker.user)
    assert motion.title_en in client.get(reverse("members:dashboard")).content.decode()
    client.force_login(ally.user)
    assert (
        "No motion is waiting for your vote."
        in client.get(reverse("members:dashboard")).content.decode()
    )


def test_the_receipt_survives_a_change_of_language_and_a_reload(client, sex_worker, make_motion):
    motion = make_motion()
    client.force_login(sex_worker.user)
    cast = vote(client, motion, "yes")
    code = RECEIPT.search(cast.content.decode()).group(0)
    receipt_url = reverse("governance:motion_receipt", args=[motion.pk])
    # The language switcher on the receipt page comes back to the receipt page.
    assert f'name="next" value="{receipt_url}"' in cast.content.decode()
    switched = client.post(reverse("set_language"), {"language": "fi", "next": receipt_url})
    assert switched["Location"] == receipt_url
    page = client.get(receipt_url, HTTP_ACCEPT_LANGUAGE="fi")
    assert page.status_code == 200 and code in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    # A reload re-sends the cast: refused (one ballot), and the receipt is shown again.
    reload = vote(client, motion, "yes")
    assert reload["Location"] == receipt_url
    assert code in client.get(receipt_url).content.decode()
    assert SealedBallot.objects.filter(box_id=motion.box_id).count() == 1
    # "I have noted it" forgets it.
    done = client.post(receipt_url)
    assert done["Location"] == reverse("governance:motion_detail", args=[motion.pk])
    assert done.cookies["receipt"].value == ""
    client.cookies.pop("receipt", None)
    assert client.get(receipt_url).status_code == 302


def test_a_forged_receipt_cookie_shows_nothing(client, sex_worker, make_motion):
    motion = make_motion()
    client.force_login(sex_worker.user)
    client.cookies["receipt"] = "<script>alert(1)</script>"
    response = client.get(reverse("governance:motion_receipt", args=[motion.pk]))
    assert response.status_code == 302


def test_confirmation_and_receipt_pages_have_one_size_whatever_the_choice(make_member, make_motion):
    """An access log records response sizes: they must not tell how someone voted."""
    motion = make_motion()
    for language in ("en", "sv", "nb", "fi", "is"):
        confirm_sizes, receipt_sizes = set(), set()
        for choice in ("yes", "no", "abstain"):
            client = Client()
            client.force_login(make_member(language=language).user)
            client.cookies["django_language"] = language
            confirm = vote(client, motion, choice, step="confirm")
            confirm_sizes.add(len(confirm.content))
            receipt_sizes.add(len(vote(client, motion, choice).content))
        assert len(confirm_sizes) == 1, (language, confirm_sizes)
        assert len(receipt_sizes) == 1, (language, receipt_sizes)


def test_the_counted_receipts_are_published_with_the_result(client, make_member, make_motion):
    voters = [make_member() for _ in range(3)]
    motion = make_motion()
    codes = [services.ballot_cast(motion_id=motion.pk, voter=v, choice="yes") for v in voters]
    url = reverse("governance:counted_receipts", args=[motion.pk])
    client.force_login(voters[0].user)
    assert client.get(url).status_code == 404  # not before the result is public
    agreements.motion_close(motion_id=motion.pk)
    agreements.motion_publish(motion_id=motion.pk, by=None)
    listed = client.get(url).content.decode().split()
    from governance import receipts

    assert sorted(listed) == sorted(receipts.code_digest(c).hex() for c in codes)


def test_roll_call_ballots_warn_the_voter_and_secret_ones_do_not(client, sex_worker, make_motion):
    warning = "every member will see your pseudonym next to your vote"
    roll_call = make_motion(ballot_kind=BallotKind.ROLL_CALL)
    secret = make_motion()
    client.force_login(sex_worker.user)
    for motion, warned in ((roll_call, True), (secret, False)):
        form_page = client.get(reverse("governance:motion_detail", args=[motion.pk]))
        assert 'name="choice"' in form_page.content.decode()
        assert (warning in form_page.content.decode()) is warned
        confirm_page = vote(client, motion, "yes", "confirm")
        assert (warning in confirm_page.content.decode()) is warned
