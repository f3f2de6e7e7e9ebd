"""A holder on a phone hears about a PA's DBS check from the daily reminders: the header counts it, they open it,
and mark the rest read, with JavaScript (htmx) and without, at 320 px."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from pbportal.extensions import db
from pbportal.reminders import run_reminders

from .helpers import PHONE, check_page
from .journeys import HOLDER, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_server(own_live_server):
    """Its own server: the journey reads and marks the demo holder's notifications."""
    with own_live_server.app.app_context():
        run_reminders()
        db.session.remove()
    return own_live_server


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("js", [True, False], ids=["with-js", "without-js"])
def test_a_holder_reads_their_notifications_on_a_phone(open_page, live_server, js):
    page = open_page(js=js, viewport={"width": 320, "height": PHONE["height"]})
    sign_in(page, HOLDER)
    count = page.locator("#pb-notifications .pb-count")
    expect(count).to_be_visible()
    unread = int(re.match(r"\d+", count.inner_text()).group(0))
    assert unread >= 1
    _fits(page)

    page.locator("#pb-notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator("main")).to_contain_text(f"{unread} unread.")
    check_page(page)
    _fits(page)

    page.get_by_role("link", name=re.compile(r"^Tom Price’s DBS check")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tom Price")
    if unread > 1:
        expect(page.locator("#pb-notifications .pb-count")).to_contain_text(str(unread - 1))
    else:
        expect(page.locator("#pb-notifications .pb-count")).to_have_count(0)

    page.goto("/notifications")
    if unread > 1:
        page.get_by_role("button", name="Mark all as read").click()
        expect(page.locator("#pb-notifications .pb-count")).to_have_count(0)
        expect(page.get_by_role("button", name="Mark all as read")).to_have_count(0)
    check_page(page)

    page.get_by_role("link", name="Choose how you hear about things").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How you hear about things")
    check_page(page)
    _fits(page)
    checks = page.get_by_role("group", name="Checks, training and insurance running out")
    checks.get_by_label("One email a day with everything new").check()
    page.get_by_role("button", name="Save your choices").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your choices have been saved.")
    expect(page.get_by_role("group", name="Checks, training and insurance running out")
           .get_by_label("One email a day with everything new")).to_be_checked()
