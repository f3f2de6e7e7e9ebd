"""The help, accessibility, privacy and cookies pages pass axe signed out and signed in, on a 320 px phone and a
desktop, are reached from the footer by keyboard, and fit the small screen."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, check_page
from .journeys import HOLDER, quick_sign_in

pytestmark = pytest.mark.e2e
SMALL = {"width": 320, "height": PHONE["height"]}
DESKTOP = {"width": 1280, "height": 900}
PAGES = [("Help and contact", "Help and contact"), ("Accessibility statement", "Accessibility statement for pbportal"),
         ("Privacy", "Privacy notice"), ("Cookies", "Cookies")]


@pytest.mark.parametrize("viewport", [SMALL, DESKTOP], ids=["320px", "desktop"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_the_footer_pages_pass_axe_and_fit(open_page, live_server, viewport, signed_in):
    page = open_page(viewport=viewport)
    if signed_in:
        quick_sign_in(page, HOLDER)
    else:
        page.goto("/sign-in")
    for link, heading in PAGES:
        page.locator("footer").get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_page(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], page.url
    if signed_in:
        page.goto("/help")
        expect(page.get_by_role("heading", name="Who to contact")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Demo Council")


def test_the_footer_links_are_reached_by_keyboard(open_page, live_server):
    page = open_page(viewport=SMALL)
    page.goto("/sign-in")
    footer_link = page.locator("footer").get_by_role("link", name="Accessibility statement")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.textContent.trim()") == \
                "Accessibility statement":
            break
    else:
        pytest.fail("Tab never reached the footer's accessibility statement link")
    expect(footer_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement for pbportal")
