"""Notices through the outbox: queued in the deciding transaction, sent only by the
scheduled job, in the member's language, neutral, each kind opt-out per member, retried
when the mail server fails."""

import datetime
import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.scheduling import run_jobs
from governance import services as governance_services
from members import notices, services
from members.models import Notice, NoticeKind, NoticeOptOut, Status
from tests import agreements
from tests.conftest import PASSWORD


def send_due():
    """Run the scheduled job that sends notices (as cron would), return the mails."""
    mail.outbox.clear()
    result = run_jobs(["notices_send"])
    assert result.ok
    return list(mail.outbox)


def kinds_queued_for(member) -> set[str]:
    return set(Notice.objects.filter(member=member).values_list("kind", flat=True))


def test_opening_queues_for_the_roll_and_the_job_sends_in_the_members_language(
    make_member, make_motion
):
    voter = make_member(status=Status.SEX_WORKER, language="is", pseudonym="Velvet")
    ally = make_member(status=Status.ALLY, language="sv")
    mail.outbox.clear()
    make_motion(closes_at=timezone.now() + datetime.timedelta(days=3))
    # Queued, not sent: opening a motion mails nobody.
    assert mail.outbox == []
    assert kinds_queued_for(voter) == {NoticeKind.MOTION_OPENED, NoticeKind.MOTION_CLOSING}
    assert kinds_queued_for(ally) == set()

    [message] = send_due()
    assert message.to == [voter.user.email]
    assert message.subject == "Eitthvað nýtt fyrir þig"
    assert message.body.startswith("Halló,")
    assert settings.SITE_URL + reverse("members:dashboard") in message.body
    assert "Velvet" not in message.body
    # Sent notices are gone; the reminder waits for its time.
    assert kinds_queued_for(voter) == {NoticeKind.MOTION_CLOSING}
    assert send_due() == []


def test_reminder_goes_to_the_whole_roll_whether_or_not_they_voted(make_member, make_motion):
    voted = make_member(status=Status.SEX_WORKER)
    not_voted = make_member(status=Status.SEX_WORKER)
    closes = timezone.now() + datetime.timedelta(days=2)
    motion = make_motion(closes_at=closes)
    send_due()
    before = Notice.objects.count()
    governance_services.ballot_cast(motion_id=motion.pk, voter=voted, choice="yes")
    # A vote queues and sends nothing.
    assert Notice.objects.count() == before
    reminder_due = Notice.objects.get(member=voted, kind=NoticeKind.MOTION_CLOSING).due_at
    assert reminder_due == closes - datetime.timedelta(hours=settings.NOTICE_REMINDER_HOURS)
    Notice.objects.update(due_at=timezone.now())
    assert {m.to[0] for m in send_due()} == {voted.user.email, not_voted.user.email}


def test_no_reminder_when_the_window_is_shorter_than_the_reminder(make_member, make_motion):
    member = make_member(status=Status.SEX_WORKER)
    make_motion()  # open for an hour
    assert kinds_queued_for(member) == {NoticeKind.MOTION_OPENED}


def test_a_motion_opening_later_is_announced_when_voting_starts(make_member, make_motion):
    member = make_member(status=Status.SEX_WORKER)
    starts = timezone.now() + datetime.timedelta(hours=5)
    make_motion(opens_at=starts, closes_at=starts + datetime.timedelta(hours=1))
    assert Notice.objects.get(member=member).due_at == starts
    assert send_due() == []


def test_results_published_are_told_to_the_roll(make_member, make_motion):
    member = make_member(status=Status.SEX_WORKER)
    motion = make_motion()
    agreements.motion_close(motion_id=motion.pk)
    Notice.objects.all().delete()
    agreements.motion_publish(motion_id=motion.pk)
    assert kinds_queued_for(member) == {NoticeKind.RESULTS_PUBLISHED}


def test_opt_out_is_honoured_when_queueing_and_when_sending(make_member, make_motion):
    member = make_member(status=Status.SEX_WORKER)
    notices.opt_outs_set(member=member, kinds=[NoticeKind.MOTION_CLOSING])
    make_motion(closes_at=timezone.now() + datetime.timedelta(days=3))
    assert kinds_queued_for(member) == {NoticeKind.MOTION_OPENED}
    # Turned off after queueing: dropped, not sent.
    NoticeOptOut.objects.create(member=member, kind=NoticeKind.MOTION_OPENED)
    assert send_due() == []
    assert kinds_queued_for(member) == set()


def test_a_failed_send_is_retried_later(make_member, make_motion, monkeypatch):
    member = make_member(status=Status.SEX_WORKER)
    make_motion()

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(notices, "send_mail", refuse)
    assert send_due() == []
    notice = Notice.objects.get(member=member)
    assert notice.attempts == 1
    assert notice.due_at > timezone.now()
    monkeypatch.undo()
    assert send_due() == []  # not due yet
    Notice.objects.update(due_at=timezone.now())
    [message] = send_due()
    assert message.to == [member.user.email]
    assert not Notice.objects.exists()


def test_a_notice_is_dropped_after_the_last_attempt(make_member, make_motion, monkeypatch):
    make_member(status=Status.SEX_WORKER)
    make_motion()
    Notice.objects.update(attempts=notices.MAX_ATTEMPTS - 1)
    monkeypatch.setattr(
        notices, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("refused"))
    )
    send_due()
    assert not Notice.objects.exists()


def test_coordinators_hear_of_applications_and_requests(client, coordinator, make_member):
    member = make_member(status=Status.ALLY)
    Notice.objects.all().delete()
    services.status_change_request(member=member, to_status=Status.SEX_WORKER, reason="")
    assert kinds_queued_for(coordinator) == {NoticeKind.WAITING}
    assert kinds_queued_for(member) == set()
    [message] = send_due()
    assert message.to == [coordinator.user.email]


def test_profile_saves_the_choice_and_refuses_a_tampered_one(client, make_member, coordinator):
    member = make_member(status=Status.SEX_WORKER)
    client.force_login(member.user)
    page = client.get(reverse("members:profile")).content.decode()
    assert 'value="motion_closing"' in page
    # The coordinators' notice is not offered to other members.
    assert 'value="waiting"' not in page
    response = client.post(
        reverse("members:notice_choices"), {"wanted": [NoticeKind.MOTION_OPENED]}
    )
    assert response.status_code == 302
    assert notices.opt_outs_of(member) == {
        NoticeKind.MOTION_CLOSING,
        NoticeKind.RESULTS_PUBLISHED,
    }
    tampered = client.post(reverse("members:notice_choices"), {"wanted": ["waiting"]})
    assert tampered.status_code == 400
    assert notices.opt_outs_of(member) == {
        NoticeKind.MOTION_CLOSING,
        NoticeKind.RESULTS_PUBLISHED,
    }
    assert client.get(reverse("members:notice_choices")).status_code == 405


def test_coordinator_may_turn_off_the_waiting_notice(client, coordinator):
    client.force_login(coordinator.user)
    assert 'value="waiting"' in client.get(reverse("members:profile")).content.decode()
    client.post(reverse("members:notice_choices"), {"wanted": []})
    assert NoticeKind.WAITING in notices.opt_outs_of(coordinator)


def test_applying_tells_the_coordinators(client, coordinator):
    Notice.objects.all().delete()
    client.post(
        reverse("members:apply"),
        {
            "email": "new@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "pseudonym": "New",
            "country": "SE",
            "preferred_language": "sv",
            "status": "ally",
            "note": "",
        },
    )
    assert kinds_queued_for(coordinator) == {NoticeKind.WAITING}


@pytest.mark.parametrize("language", ["en", "sv", "nb", "fi", "is"])
def test_notice_is_written_in_each_language(make_member, make_motion, language):
    make_member(status=Status.SEX_WORKER, language=language)
    make_motion()
    [message] = send_due()
    english_subject = "Something new for you"
    assert (message.subject == english_subject) == (language == "en")


def test_coordinators_see_what_waits_on_their_dashboard_in_one_query(
    client, coordinator, make_member, django_assert_num_queries
):
    from members import selectors

    make_member(state="applied")
    with django_assert_num_queries(1):
        assert selectors.waiting_counts() == {"applications": 1, "status_changes": 0}
    ally = make_member(status=Status.ALLY)
    services.status_change_request(member=ally, to_status=Status.SEX_WORKER, reason="")
    client.force_login(coordinator.user)
    page = client.get(reverse("members:dashboard")).content.decode()
    assert "1 membership application" in page
    assert "1 status change request" in page
    queue = client.get(reverse("members:coordinator_queue")).content.decode()
    assert '<span class="count">(1)</span>' in queue


def test_other_members_see_no_counts(client, make_member):
    make_member(state="applied")
    member = make_member()
    client.force_login(member.user)
    assert "membership application" not in client.get(reverse("members:dashboard")).content.decode()


def test_the_data_export_lists_the_notices_turned_off(make_member):
    from members.data_rights import personal_data_export

    member = make_member()
    notices.opt_outs_set(member=member, kinds=[NoticeKind.RESULTS_PUBLISHED])
    assert personal_data_export(member=member)["member"]["notices_turned_off"] == [
        NoticeKind.RESULTS_PUBLISHED
    ]


def test_erasure_takes_the_notices_and_the_choices_along(make_member, make_motion):
    from members.data_rights import member_erase

    member = make_member(status=Status.SEX_WORKER)
    make_motion()
    notices.opt_outs_set(member=member, kinds=[NoticeKind.RESULTS_PUBLISHED])
    assert Notice.objects.filter(member=member).exists()
    member_erase(member_id=member.pk, requested_by=member.user)
    assert not Notice.objects.filter(member=member).exists()
    assert not NoticeOptOut.objects.filter(member=member).exists()
