"""Every page the accounts and notifications work added, as the person who uses it, on a phone at 320 px: axe
finds nothing, nothing comes from another site, and nothing scrolls sideways."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, check_page
from .journeys import CASE_MANAGER, HOLDER, quick_sign_in

pytestmark = pytest.mark.e2e
SMALL = {"width": 320, "height": PHONE["height"]}


def _visit(page, path: str, heading: str) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    check_page(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], path


@pytest.mark.parametrize("email, pages", [
    (HOLDER, [("/your-account", "Your account"), ("/your-account/devices", "Signed-in devices"),
              ("/your-account/email", "Change your email address"), ("/your-account/two-factor", "Set up two-factor"),
              ("/notifications", "Notifications"), ("/notifications/settings", "How you hear about things"),
              ("/budgets/{dp}/people", "Who can see this budget")]),
    (CASE_MANAGER, [("/caseload/new", "Add a person"), ("/budgets/{dp}/end", "End this budget"),
                    ("/notifications/settings", "How you hear about things")]),
    ("council.admin@example.org", [("/organisation/staff", "Staff"), ("/organisation/staff/invite", "Invite someone"),
                                   ("/organisation/people", "People and their case managers")]),
    ("admin@example.org", [("/admin", "Administration"), ("/organisations/new", "Add an organisation")]),
], ids=["holder", "case-manager", "org-admin", "site-admin"])
def test_the_new_pages_pass_axe_at_320px(open_page, live_server, email, pages):
    page = open_page(viewport=SMALL)
    quick_sign_in(page, email)
    dp = live_server.budget_id("Alex Morgan")
    for path, heading in pages:
        _visit(page, path.format(dp=dp), heading)


def test_an_org_admins_person_pages_pass_axe(open_page, live_server):
    page = open_page(viewport=SMALL)
    quick_sign_in(page, "council.admin@example.org")
    page.goto("/organisation/staff")
    page.get_by_role("link", name="Dana Hughes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dana Hughes")
    check_page(page)
    page.get_by_role("link", name="Deactivate Dana Hughes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Dana Hughes?")
    check_page(page)
