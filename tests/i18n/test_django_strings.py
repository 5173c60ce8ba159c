"""Django's strings that its own catalogues leave in English in some of our languages are
translated by ours (rosealliance/django_strings.py), on the pages where they appear."""

import pytest
from django.urls import reverse
from django.utils import translation

from rosealliance.django_strings import DJANGO_STRINGS


@pytest.mark.parametrize("language", ["sv", "nb", "fi", "is"])
def test_each_is_translated(language):
    with translation.override(language):
        for text in DJANGO_STRINGS:
            assert translation.gettext(text) != text, (language, text)


def test_the_admins_action_button_is_finnish(client, coordinator):
    client.force_login(coordinator.user)
    page = client.get(
        reverse("admin:members_member_changelist"), HTTP_ACCEPT_LANGUAGE="fi"
    ).content.decode()
    assert ">Suorita</button>" in page
