"""Short journeys for staff, the keyboard on the sign-in page, and a 320px-wide screen."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, check_page
from .journeys import CASE_MANAGER, HOLDER, HOLDER_NAME, PROVIDER, sign_in

pytestmark = pytest.mark.e2e


def test_provider_lands_on_managed_accounts_and_opens_one(open_page, live_server):
    page = open_page()
    sign_in(page, PROVIDER)
    expect(page).to_have_url(f"{live_server.url}/accounts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Managed accounts")
    table = page.locator("#budget-table")
    expect(table).to_contain_text("5 people.")
    expect(table.locator("tbody tr")).to_have_count(5)
    check_page(page)

    table.get_by_role("link", name="Priya Shah", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/budgets/{live_server.budget_id('Priya Shah')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Shah’s budget")
    expect(page.locator("#budget-summary")).to_be_visible()
    expect(page.locator("#recent-spending li").first).to_be_visible()
    check_page(page)


def test_case_manager_searches_the_caseload_with_htmx(open_page, live_server):
    page = open_page()
    sign_in(page, CASE_MANAGER)
    expect(page).to_have_url(f"{live_server.url}/caseload")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    table = page.locator("#budget-table")
    expect(table).to_contain_text("5 people.")
    people = table.locator("tbody th[scope=row] > a:first-of-type")  # not the "Return to check" link after it
    expect(people).to_have_text(["Alex Morgan", "Hannah Whitfield", "Margaret Ellis", "Priya Shah", "Sam Okafor"],
                                ignore_case=False)
    check_page(page)

    page.evaluate("window.__marker = 1")  # gone if the page reloads
    with page.expect_response(lambda r: "q=Sam" in r.url) as searched:
        page.get_by_label("Search by name").press_sequentially("Sam")
    assert searched.value.request.headers.get("hx-request") == "true", "the search should go by htmx"
    expect(table).to_contain_text("1 person matching ‘Sam’.")
    expect(people).to_have_text(["Sam Okafor"])
    expect(page).to_have_url(f"{live_server.url}/caseload?q=Sam&sort=name")
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    check_page(page)


def test_sign_in_page_by_keyboard(open_page):
    page = open_page()
    page.goto("/sign-in")
    check_page(page)
    page.keyboard.press("Tab")
    expect(page.locator(".govuk-skip-link")).to_be_focused()
    expect(page.locator(".govuk-skip-link")).to_have_text("Skip to main content")

    wanted = ["#email", "#password", "button:text-is('Sign in')"]
    reached = []
    for _ in range(10):  # the header's link comes first; then the form, in order
        page.keyboard.press("Tab")
        for selector in wanted:
            if page.locator(selector).evaluate("el => el === document.activeElement"):
                reached.append(selector)
        if reached[-1:] == wanted[-1:]:
            break
    assert reached == wanted, f"Tab reached {reached}"
    page.keyboard.press("Enter")  # on the button: submits the empty form
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page)


def test_no_sideways_scrolling_at_320px(open_page, live_server):
    page = open_page(viewport={"width": 320, "height": PHONE["height"]})
    budget_id = live_server.budget_id(HOLDER_NAME)
    sign_in(page, HOLDER)
    for path, heading in [
        (f"/budgets/{budget_id}", f"{HOLDER_NAME}’s budget"),
        (f"/budgets/{budget_id}/payments/new", "Record a payment"),
        (f"/budgets/{budget_id}/spending", "Spending"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width}px wide at 320px: it scrolls sideways"
        check_page(page)
