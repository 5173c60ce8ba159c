"""The privacy notice: in five languages, linked from the apply form and every page's
footer, and truthful about who sees a member's status."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_privacy_notice_in_every_language(client, db, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("members:privacy")).content.decode()
    with translation.override(language):
        for heading in ("Privacy notice", "What is stored", "Who sees it", "How long"):
            assert gettext(heading) in html
    assert f'<html lang="{language}"' in html


def test_linked_from_the_apply_form_and_the_footer(client, db):
    link = f'href="{reverse("members:privacy")}"'
    apply_page = client.get(reverse("members:apply")).content.decode()
    main = apply_page[apply_page.index("<main") : apply_page.index("</main>")]
    footer = apply_page[apply_page.index("<footer") :]
    assert link in main
    assert link in footer


def test_it_says_truthfully_who_sees_the_status(client, db):
    html = client.get(reverse("members:privacy")).content.decode()
    # Roles and roll-call votes show other members a member's status: said plainly.
    assert "holding a role or appearing in a roll-call result shows other members" in html
    assert f"deleted {settings.REJECTED_APPLICATION_RETENTION_DAYS} days after" in html
    footer = html[html.index("<footer") :]
    assert "seen only by you and the coordinators" not in footer
    assert "roll call shows it to other members" in footer


@pytest.mark.parametrize("language", ["sv", "is"])
def test_apply_form_preselects_the_language_being_read(client, db, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("members:apply")).content.decode()
    assert f'<option value="{language}" selected>' in html


def test_leave_form_says_what_to_do_when_the_box_is_not_ticked():
    from members.forms import ErasureConfirmForm

    with translation.override("en"):
        errors = [str(error) for error in ErasureConfirmForm({}).errors["confirm"]]
    assert errors == ["Tick the box to confirm that you want to leave and be erased."]
