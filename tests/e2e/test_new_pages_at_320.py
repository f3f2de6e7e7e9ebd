"""The pages this stop added that no journey passes through, at 320 px with axe: the columns step for a file with
no header row (its first rows shown), the question of which account a two-account file is for, and removing a
check or a PA entered by mistake. Nothing is saved: an upload waits unimported, and no removal is confirmed."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, check_page
from .journeys import HOLDER, PROVIDER, quick_sign_in

pytestmark = pytest.mark.e2e
SMALL = {"width": 320, "height": PHONE["height"]}
HEADERLESS = b"01/10/2026,DEMO COUNCIL DP PAYMENT,1250.00\r\n02/10/2026,HOMECARE PARTNERS LTD,-343.00\r\n"
TWO_ACCOUNTS = (b"Date,Account Name,Description,Amount\r\n01/10/2026,Client account,DEMO COUNCIL,1250.00\r\n"
                b"01/10/2026,Holding account,TFR,5000.00\r\n")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def _upload(page, budget_id: int, content: bytes) -> None:
    page.goto(f"/budgets/{budget_id}/statements/import")
    page.locator("#file").set_input_files(files=[{"name": "statement.csv", "mimeType": "text/csv",
                                                  "buffer": content}])
    page.get_by_role("button", name="Check the file").click()


def test_the_columns_step_and_the_account_question_pass_axe(open_page, live_server):
    other = live_server.budget_id("Hannah Whitfield")  # a managed account with no statement yet
    page = open_page(viewport=SMALL)
    quick_sign_in(page, PROVIDER)
    _upload(page, other, HEADERLESS)
    expect(page.get_by_role("heading", level=1)).to_have_text("Which column holds what")
    expect(page.locator("main")).to_contain_text("The file has no row naming its columns")
    expect(page.get_by_label("Date", exact=True)).to_have_value("Column 1")
    check_page(page)
    _fits(page)
    _upload(page, live_server.budget_id("Priya Shah"), TWO_ACCOUNTS)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the statement")
    expect(page.get_by_role("group", name="Which account is this statement for?")).to_be_visible()
    check_page(page)
    _fits(page)


def test_removing_a_check_or_a_pa_entered_by_mistake_passes_axe(open_page, live_server):
    page = open_page(viewport=SMALL)
    quick_sign_in(page, HOLDER)
    page.goto(f"/budgets/{live_server.budget_id('Alex Morgan')}/pas")
    page.get_by_role("link", name="Tom Price").first.click()
    page.get_by_role("link", name=re.compile(r"^Remove\s+right to work")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove Tom Price’s check")
    check_page(page)
    _fits(page)
    page.go_back()
    page.get_by_role("link", name="Remove Tom Price (entered by mistake)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove Tom Price")
    expect(page.locator("main")).to_contain_text("Pay has been recorded for Tom Price")
    check_page(page)
    _fits(page)


def test_the_progress_of_accepting_every_suggestion_passes_axe(open_page, live_server):
    """The job's page while it waits for the worker (none runs beside these tests): it polls with htmx, says
    how far it has got, and offers a refresh link."""
    page = open_page(viewport=SMALL)
    quick_sign_in(page, PROVIDER)
    budget = live_server.budget_id("Priya Shah")
    page.goto(f"/budgets/{budget}/matching")
    # As the "Accept every suggestion on every page" button would (it shows only when there is more than a
    # page of lines to match): a form posted with this page's CSRF token.
    page.evaluate("""(action) => {
        const form = document.createElement("form");
        form.method = "post"; form.action = action;
        const token = document.querySelector("input[name=csrf_token]").cloneNode();
        form.appendChild(token); document.body.appendChild(form); form.submit();
    }""", f"/budgets/{budget}/matching/accept-everything")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accepting every suggestion")
    expect(page.get_by_role("status")).to_contain_text("Waiting to start")
    expect(page.locator("progress")).to_have_attribute("value", "0")
    check_page(page)
    _fits(page)
