"""A holder who has forgotten their password resets it on a phone, with JavaScript and without, at 320 px."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pbportal.extensions import db
from pbportal.outbox import OutboxMessage

from .helpers import PHONE, check_page
from .journeys import HOLDER, HOLDER_NAME, quick_sign_in

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "plum window orbit lantern"


@pytest.fixture
def live_server(own_live_server):
    """Its own server: the journey changes a demo person's password."""
    return own_live_server


def _emailed_link(live_server) -> str:
    with live_server.app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.to_address == HOLDER)
                                  .order_by(OutboxMessage.id.desc())).first()
        db.session.remove()
    return re.search(r"/password/reset/[A-Za-z0-9_-]+", body).group(0)


def _no_sideways_scrolling(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("js", [True, False], ids=["with-js", "without-js"])
def test_a_holder_resets_a_forgotten_password_on_a_phone(open_page, live_server, js):
    page = open_page(js=js, viewport={"width": 320, "height": PHONE["height"]})
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    check_page(page)
    page.get_by_role("button", name="Send the link").click()
    expect(page).to_have_title(re.compile(r"^Error: Reset your password"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    check_page(page)
    _no_sideways_scrolling(page)

    page.get_by_label("Email address").fill(HOLDER)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.locator("main")).to_contain_text(HOLDER)
    check_page(page)
    _no_sideways_scrolling(page)

    page.goto(_emailed_link(live_server))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    check_page(page)
    page.get_by_label("New password", exact=True).fill("password1234")
    page.get_by_label("Confirm the new password").fill("password1234")
    page.get_by_role("button", name="Change the password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a password that is harder to guess")
    check_page(page)
    _no_sideways_scrolling(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change the password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to pbportal")
    expect(page.locator("main")).to_contain_text("Your password has been changed")
    check_page(page)

    quick_sign_in(page, HOLDER, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{HOLDER_NAME}’s budget")

    page.get_by_role("link", name=f"Your account: {HOLDER_NAME}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    check_page(page)
    _no_sideways_scrolling(page)
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    check_page(page)
    _no_sideways_scrolling(page)
