"""On a phone the page's header (brand, navigation, language switcher, quick exit) leaves
the screen to the content: at most a fifth of a 390 × 844 screen (it took 318 px, more
than a third, before the phone layout in static/css/site.css; 146 px after)."""

import pytest

from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("language", ["en", "is"])
def test_the_phone_header_takes_at_most_a_fifth_of_the_screen(
    open_page, log_in, make_member, live_server, language
):
    page = open_page(language, viewport=PHONE)
    log_in(page, make_member())
    height = page.locator(".site-header").bounding_box()["height"]
    assert height <= PHONE["height"] / 5, height
