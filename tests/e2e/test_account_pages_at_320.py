"""Account and onboarding pages no journey passes through, at 320 px with axe (issue 10): dead invitation and
reset links, the site admin's organisation page, a representative's page, changing email (sent, confirm, dead
link), the two-factor page once it is on, an ended budget, the provider's new accounts, declining an account
and choosing another provider."""
from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pbportal.auth.models import Organisation
from pbportal.extensions import db
from pbportal.timeutil import today

from .helpers import PHONE, check_page, emailed_link, page_log
from .journeys import CASE_MANAGER, HOLDER, PROVIDER, quick_sign_in

pytestmark = pytest.mark.e2e
SMALL = {"width": 320, "height": PHONE["height"]}


@pytest.fixture
def live_server(own_live_server):
    """Its own server: these pages change an email address, turn two-factor on and end a budget."""
    return own_live_server


def checked(page, heading: str | re.Pattern) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    check_page(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def answered_not_found(page) -> None:
    """A dead link's page answers 404 on purpose: Chromium logs the document's own status as a console error,
    and that one message is taken off the page's log (anything else still fails the test)."""
    log = page_log(page)
    message = "console: Failed to load resource: the server responded with a status of 404 (NOT FOUND)"
    assert message in log.errors, log.errors
    log.errors.remove(message)


def test_account_pages_pass_axe_at_320(open_page, live_server):
    anyone = open_page(viewport=SMALL)
    anyone.goto("/invitation/not-a-real-link")
    checked(anyone, re.compile(r"expired|not right", re.I))
    answered_not_found(anyone)
    anyone.goto("/password/reset/not-a-real-link")
    checked(anyone, re.compile(r"expired|not right", re.I))
    answered_not_found(anyone)

    admin = open_page(viewport=SMALL)
    quick_sign_in(admin, "admin@example.org")
    with live_server.app.app_context():
        council = db.session.scalar(select(Organisation.id).where(Organisation.name == "Demo Council"))
        db.session.remove()
    admin.goto(f"/organisations/{council}")
    checked(admin, "Demo Council")

    dp = live_server.budget_id("Alex Morgan")
    holder = open_page(viewport=SMALL)
    quick_sign_in(holder, HOLDER)
    holder.goto(f"/budgets/{dp}/people")
    holder.locator("main a[href*='/people/']").first.click()
    check_page(holder)
    holder.goto("/your-account/email")
    holder.locator("input[name=email]").fill("alex.new@example.org")
    holder.locator("input[type=password]").first.fill("demo-password")
    holder.get_by_role("button", name="Send the link").click()
    checked(holder, "Check your new inbox")
    holder.goto(emailed_link(live_server, "alex.new@example.org", "/your-account/email/confirm/"))
    check_page(holder)
    holder.goto("/your-account/email/confirm/not-a-real-link")
    check_page(holder)
    answered_not_found(holder)
    holder.goto("/your-account/two-factor")
    key = holder.locator("#totp-key").inner_text().replace(" ", "")
    holder.get_by_label("Code from the app").fill(pyotp.TOTP(key).now())
    holder.get_by_role("button", name="Turn on two-factor sign-in").click()
    checked(holder, "Save your recovery codes")
    holder.goto("/your-account/two-factor")
    check_page(holder)

    cm = open_page(viewport=SMALL)
    quick_sign_in(cm, CASE_MANAGER)
    cm.goto(f"/budgets/{dp}/end")
    cm.locator("input[name=reason]").first.check()
    now = today()
    for part, value in (("day", now.day), ("month", now.month), ("year", now.year)):
        cm.locator(f"#ended_on-{part}").fill(str(value))
    cm.locator("main form [type=submit]").last.click()
    expect(cm.locator("main")).to_contain_text("has ended")
    check_page(cm)
    holder.goto(f"/budgets/{dp}")
    expect(holder.locator("main")).to_contain_text("This budget has ended")
    check_page(holder)


def test_provider_pages_for_a_new_account_pass_axe_at_320(open_page, live_server):
    cm = open_page(viewport=SMALL)
    quick_sign_in(cm, CASE_MANAGER)
    cm.goto("/caseload/new")
    cm.get_by_label("Full name").fill("Ned New")
    for part, value in (("day", 1), ("month", 2), ("year", 1970)):
        cm.locator(f"#date_of_birth-{part}").fill(str(value))
    cm.get_by_label("Email address").fill("ned@example.org")
    cm.get_by_label("Managed account").check()
    cm.locator("#provider").select_option(label="Demo Managed Accounts")
    now = today()
    for part, value in (("day", 1), ("month", now.month), ("year", now.year)):
        cm.locator(f"#plan_year_start-{part}").fill(str(value))
    cm.get_by_role("button", name="Add the person and invite them").click()
    budget = live_server.budget_id("Ned New")
    provider = open_page(viewport=SMALL)
    quick_sign_in(provider, PROVIDER)
    provider.goto("/accounts")
    expect(provider.locator("main")).to_contain_text("Ned New")
    check_page(provider)
    provider.goto("/accounts/new")
    expect(provider.locator("main")).to_contain_text("Ned New")
    check_page(provider)
    assert provider.evaluate("document.documentElement.scrollWidth") <= 320
    provider.goto(f"/budgets/{budget}/provider/decline")
    check_page(provider)
    provider.locator("textarea").first.fill("No capacity this month")
    provider.locator("main form button").first.click()
    cm.goto(f"/budgets/{budget}/provider")
    check_page(cm)
    assert cm.evaluate("document.documentElement.scrollWidth") <= 320
    cm.goto(f"/budgets/{budget}/people")
    check_page(cm)


def test_moving_a_managed_account_to_another_provider_passes_axe_at_320(open_page, live_server):
    with live_server.app.app_context():
        db.session.add(Organisation(name="Second Managed Accounts", kind="provider"))
        db.session.commit()
        db.session.remove()
    ma = live_server.budget_id("Priya Shah")
    cm = open_page(viewport=SMALL)
    quick_sign_in(cm, CASE_MANAGER)
    cm.goto(f"/budgets/{ma}")
    cm.get_by_role("link", name="Move the account to another provider").click()
    checked(cm, "Move the account to another provider")
    cm.get_by_role("button", name="Move the account").click()
    expect(cm.locator(".govuk-error-summary")).to_contain_text("Choose the provider taking the account on")
    check_page(cm)
    cm.get_by_label("Which provider is taking the account on?").select_option(label="Second Managed Accounts")
    now = today()
    for part, value in (("day", now.day), ("month", now.month), ("year", now.year)):
        cm.locator(f"#moves_on-{part}").fill(str(value))
    cm.get_by_label("Why is the account moving?").fill("Priya chose a provider nearer home")
    cm.get_by_role("button", name="Move the account").click()
    expect(cm.locator("main")).to_contain_text("moves from Demo Managed Accounts to Second Managed Accounts")
    check_page(cm)

    provider = open_page(viewport=SMALL)
    quick_sign_in(provider, PROVIDER)
    expect(provider.locator("main")).not_to_contain_text("Priya Shah")
    provider.get_by_role("link", name="Accounts you held before").click()
    checked(provider, "Accounts you held before")
    provider.get_by_role("link", name="Priya Shah").click()
    checked(provider, "The time you held the account")
    expect(provider.locator("main")).to_contain_text("Priya chose a provider nearer home")
    expect(provider.get_by_role("link", name=re.compile("Download the payments"))).to_be_visible()
