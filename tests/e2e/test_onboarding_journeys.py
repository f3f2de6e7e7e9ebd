"""Getting in without an engineer, on a phone at 320 px: a case manager adds a person and their budget and invites
them; the holder accepts the invitation and records a first payment. An organisation admin invites a case manager,
who joins and sets up two-factor sign-in. Every page is checked with axe."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from .helpers import PHONE, check_page, emailed_link
from .journeys import CASE_MANAGER, line_option, sign_in

pytestmark = pytest.mark.e2e
SMALL = {"width": 320, "height": PHONE["height"]}
CHOSEN = "quiet harbour pencil meadow"


@pytest.fixture
def live_server(own_live_server):
    """Its own server: the journeys add people."""
    return own_live_server


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_case_manager_adds_a_person_who_joins_on_a_phone_and_records_a_payment(open_page, live_server):
    cm = open_page(viewport=SMALL)
    sign_in(cm, CASE_MANAGER)
    cm.get_by_role("link", name="Add a person").click()
    expect(cm.get_by_role("heading", level=1)).to_have_text("Add a person and their budget")
    check_page(cm)
    _fits(cm)
    cm.get_by_role("button", name="Add the person and invite them").click()
    expect(cm.locator(".govuk-error-summary")).to_contain_text("Enter their full name")
    check_page(cm)
    cm.get_by_label("Full name").fill("Nadia Hassan")
    cm.locator("#date_of_birth-day").fill("27")
    cm.locator("#date_of_birth-month").fill("3")
    cm.locator("#date_of_birth-year").fill("1958")
    cm.get_by_label("Email address").fill("nadia@example.org")
    cm.get_by_label("Direct payment").check()
    start = cm.evaluate("(() => { const d = new Date(); return [1, d.getMonth() + 1, d.getFullYear()]; })()")
    cm.locator("#plan_year_start-day").fill(str(start[0]))
    cm.locator("#plan_year_start-month").fill(str(start[1]))
    cm.locator("#plan_year_start-year").fill(str(start[2]))
    cm.locator("#copy_from").select_option(label="Copy Alex Morgan’s lines")
    cm.get_by_role("button", name="Add the person and invite them").click()
    expect(cm.locator(".govuk-notification-banner")).to_contain_text("Nadia Hassan’s budget is set up")
    check_page(cm)
    cm.get_by_role("button", name=re.compile("Agree")).first.click()
    expect(cm.locator(".govuk-notification-banner").first).to_be_visible()

    holder = open_page(viewport=SMALL)
    holder.goto(emailed_link(live_server, "nadia@example.org", "/invitation/"))
    expect(holder.get_by_role("heading", level=1)).to_have_text("Join Nadia Hassan’s personal budget")
    check_page(holder)
    _fits(holder)
    holder.get_by_label("Choose a password").fill(CHOSEN)
    holder.get_by_label("Type the password again").fill(CHOSEN)
    holder.get_by_role("button", name="Join pbportal").click()
    expect(holder.get_by_role("heading", level=1)).to_have_text("Nadia Hassan’s budget")
    check_page(holder)
    _fits(holder)
    line = line_option(holder, "Respite breaks")
    holder.locator("#amount").fill("45.00")
    holder.locator("#payee").fill("Seaside Breaks")
    holder.locator("#line_id").select_option(line)
    holder.get_by_role("button", name="Record payment").click()
    expect(holder.locator("main")).to_contain_text("Seaside Breaks")
    check_page(holder)


def test_an_org_admin_invites_a_case_manager_who_sets_up_two_factor(open_page, live_server):
    admin = open_page(viewport=SMALL)
    sign_in(admin, "council.admin@example.org")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Staff")
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("Set up two-factor sign-in")
    check_page(admin)
    _fits(admin)
    admin.get_by_role("link", name="Invite someone").click()
    check_page(admin)
    admin.get_by_label("Full name").fill("Nia New")
    admin.get_by_label("Email address").fill("nia.new@example.org")
    admin.get_by_label("Case manager").check()
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Nia New")
    expect(admin.locator("main")).to_contain_text("Invited, link expires")
    check_page(admin)
    _fits(admin)

    cm = open_page(viewport=SMALL)
    cm.goto(emailed_link(live_server, "nia.new@example.org", "/invitation/"))
    expect(cm.get_by_role("heading", level=1)).to_have_text("Join Demo Council")
    cm.get_by_label("Choose a password").fill(CHOSEN)
    cm.get_by_label("Type the password again").fill(CHOSEN)
    cm.get_by_role("button", name="Join pbportal").click()
    expect(cm.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(cm.locator("svg.pb-qr")).to_be_visible()
    check_page(cm)
    _fits(cm)
    key = cm.locator("#totp-key").inner_text().replace(" ", "")
    cm.get_by_label("Code from the app").fill(pyotp.TOTP(key).now())
    cm.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(cm.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    check_page(cm)
    _fits(cm)
    cm.get_by_role("link", name="I have saved my recovery codes").click()
    expect(cm.get_by_role("heading", level=1)).to_have_text("Your caseload")
    cm.get_by_role("button", name="Sign out").click()

    again = open_page(viewport=SMALL)
    quick_sign_in_page(again, "nia.new@example.org")
    expect(again.get_by_role("heading", level=1)).to_have_text("Enter your code")
    check_page(again)
    totp = pyotp.TOTP(key)
    again.get_by_label("Code").fill(totp.at(time.time() + totp.interval))
    again.get_by_role("button", name="Continue").click()
    expect(again.get_by_role("heading", level=1)).to_have_text("Your caseload")


def quick_sign_in_page(page, email):
    page.goto("/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(CHOSEN)
    page.get_by_role("button", name="Sign in").click()

