"""Dates and times in each language's own form: 24-hour clock, day before month, English
in a European form with ISO short dates (Django's formats gave Icelandic
"des. 2, 2026, 6:49 eftirmiðdegi")."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation

MOMENT = datetime.datetime(2026, 12, 3, 18, 49)

EXPECTED = {
    "en": ("3 December 2026, 18:49", "2026-12-03"),
    "sv": ("3 december 2026 18:49", "2026-12-03"),
    "nb": ("3. desember 2026 kl. 18:49", "03.12.2026"),
    "fi": ("3. joulukuuta 2026 klo 18.49", "3.12.2026"),
    "is": ("3. desember 2026 kl. 18:49", "3.12.2026"),
}


@pytest.mark.parametrize("language", list(EXPECTED))
def test_dates_and_times_in_each_language(language):
    with translation.override(language):
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == EXPECTED[language][0]
        assert formats.date_format(MOMENT.date(), "SHORT_DATE_FORMAT") == EXPECTED[language][1]
        # Never a 12-hour clock.
        assert "18" in formats.time_format(MOMENT.time(), "TIME_FORMAT")


@pytest.mark.parametrize("language", list(EXPECTED))
def test_a_motion_page_shows_the_window_in_the_language(client, make_member, make_motion, language):
    member = make_member(language=language)
    motion = make_motion()
    client.force_login(member.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("governance:motion_detail", args=[motion.pk])).content.decode()
    with translation.override(language):
        expected = formats.date_format(timezone.localtime(motion.closes_at), "DATETIME_FORMAT")
    assert expected in html
    for twelve_hour in ("a.m.", "p.m.", "eftirmiðdegi", "fyrir hádegi"):
        assert twelve_hour not in html
