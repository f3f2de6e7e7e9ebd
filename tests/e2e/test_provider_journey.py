"""The managed-account round in the browser, on a phone and on a desktop: the provider imports the demo's sample
statement through the real upload, check and import steps, matches its lines (a suggestion accepted, a payment
split, a transfer set aside) with htmx and then without JavaScript, and reads the reconciled period and the
submitted return; the case manager queries the return; the holder reads the account and asks about a line.

Each test gets a server with fresh demo data of its own (the import and the query change what the shared
server's other journeys read, and can be done only once)."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .helpers import PHONE, check_page
from .journeys import CASE_MANAGER, PROVIDER, figure, quick_sign_in, sign_in

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
PERSON = "Priya Shah"
MA_HOLDER = "ma.holder@example.org"
SET_ASIDE_REASON = "Paid in by mistake from the provider’s holding account and moved back the next day"


@pytest.fixture
def live_server(own_live_server):
    """This module's journeys each run on their own server (see the module docstring)."""
    return own_live_server


def fits_320px(page: Page) -> None:
    """At 320px (the narrowest phone supported) the page does not scroll sideways, and still passes axe."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": size["height"]})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{page.url} is {width}px wide at 320px: it scrolls sideways"
        check_page(page)
    finally:
        page.set_viewport_size(size)


def statement_lines(content: bytes) -> list[dict[str, str]]:
    """The transactions in a statement CSV, as {column: value}, after the rows about the account."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header = next(i for i, row in enumerate(rows) if row[:1] == ["Date"])
    return [dict(zip(rows[header], row, strict=True)) for row in rows[header + 1:] if row]


def match_row(page: Page, description: str):
    return page.locator("li.pb-match").filter(has=page.get_by_role("heading", name=description, exact=True))


def totals(page: Page) -> dict[str, str]:
    box = page.locator("#match-totals")
    return {label: figure(box, label).inner_text().strip() for label in ("To match", "Matched", "Set aside")}


def moved(before: dict[str, str], **change: int) -> dict[str, str]:
    keys = {"to_match": "To match", "matched": "Matched", "set_aside": "Set aside"}
    after = dict(before)
    for key, by in change.items():
        after[keys[key]] = str(int(before[keys[key]]) + by)
    return after


def expect_totals(page: Page, wanted: dict[str, str]) -> None:
    box = page.locator("#match-totals")
    for label, value in wanted.items():
        expect(figure(box, label)).to_have_text(value)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_managed_account_round(open_page, live_server, viewport):
    budget_id = live_server.budget_id(PERSON)

    # ---- the provider: accounts, Priya's statements, the sample statement imported ------------------------
    page = open_page(viewport=viewport)
    sign_in(page, PROVIDER)
    expect(page).to_have_url(f"{live_server.url}/accounts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Managed accounts")
    expect(page.locator("#budget-table")).to_contain_text("5 people.")
    check_page(page)
    page.locator("#budget-table").get_by_role("link", name=PERSON, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{PERSON}’s budget")
    check_page(page)
    page.get_by_role("link", name="Bank statements", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}/statements")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bank statements")
    expect(page.locator("main")).to_contain_text("Imported by Chris Lee")
    check_page(page)

    page.get_by_role("link", name="Import a statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a bank statement")
    check_page(page)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download a sample statement for this account").click()
    download = downloading.value
    assert re.fullmatch(r"sample-statement-\d{8}-\d{8}\.csv", download.suggested_filename)
    content = Path(download.path()).read_bytes()
    lines = statement_lines(content)
    assert content.startswith(b"Made up by the pbportal demo") and len(lines) >= 7  # two weeks at least

    page.locator("#file").set_input_files(files=[{"name": download.suggested_filename, "mimeType": "text/csv",
                                                  "buffer": content}])
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the statement")
    expect(figure(page.locator("main"), "New")).to_have_text(str(len(lines)))
    expect(figure(page.locator("main"), "Already held")).to_have_text("0")
    expect(page.locator(".govuk-warning-text")).to_have_count(0)  # the running balance adds up
    check_page(page)
    page.get_by_role("button", name="Import these lines").click()
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}/statements")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"{len(lines)} lines imported.")
    check_page(page)

    # ---- matching with htmx: accept a suggestion, split a payment, set a line aside -------------------------
    page.get_by_role("link", name="Match lines").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Match statement lines")
    before = totals(page)
    assert before["To match"] == str(len(lines))
    check_page(page)
    fits_320px(page)

    descriptions = [line["Description"] for line in lines]
    centre = next(d for d in descriptions if d.startswith("OAKWOOD DAY CENTRE"))
    visits = next(d for d in descriptions if d.startswith("HOMECARE") and "ESCORT" not in d)
    escort = next(d for d in descriptions if "ESCORT" in d)
    row = match_row(page, centre)
    expect(row).to_contain_text("Suggested: Day centre")
    expect(row).to_contain_text(re.compile(r"Matched like this \d+ times before"))
    row_id = row.get_attribute("id")
    page.evaluate("window.__marker = 1")  # gone if the page reloads
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/accept")) as accepted:
        row.get_by_role("button", name=re.compile(r"^Accept")).click()
    assert accepted.value.request.headers.get("hx-request") == "true", "Accept should go by htmx"
    row = page.locator(f"#{row_id}")
    expect(row.locator(".govuk-notification-banner--success")).to_contain_text(f"{centre} matched to Day centre.")
    expect(row.locator(".govuk-tag")).to_have_text("Matched")
    expect(row).to_contain_text("Matched to Day centre (£96.00).")
    expect(page.locator(f"#{row_id}")).to_have_count(1)  # swapped in place, not added
    expect_totals(page, moved(before, to_match=-1, matched=1))
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    check_page(page)

    # The invoice for care and an escort: split across two lines, a wrong total first.
    row = match_row(page, escort)
    expect(row).not_to_contain_text("Suggested:")
    row_id = row.get_attribute("id")
    row.get_by_role("link", name=re.compile(r"^Split across lines")).click()
    row = page.locator(f"#{row_id}")
    expect(row.get_by_text("Split £391.00 across budget lines")).to_be_visible()
    check_page(page)
    row.get_by_label("Part 1: budget line").select_option(label="Agency care visits")
    row.get_by_label("Part 1: amount").fill("343.00")
    row.get_by_label("Part 2: budget line").select_option(label="Day centre")
    row.get_by_label("Part 2: amount").fill("40")
    row.get_by_role("button", name="Save the split").click()
    expect(row.locator(".govuk-error-summary")).to_contain_text("they must add up to £391.00")
    expect(row.get_by_label("Part 1: amount")).to_have_value("343.00")  # what was typed is kept
    check_page(page)
    row.get_by_label("Part 2: amount").fill("48.00")
    row.get_by_role("button", name="Save the split").click()
    expect(row).to_contain_text("Matched to Agency care visits (£343.00), Day centre (£48.00).")
    expect(row.locator(".govuk-notification-banner--success")).to_contain_text("split across 2 budget lines")
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    check_page(page)

    # The transfer in by mistake: set aside, with why.
    row = match_row(page, "TFR FROM DMA HOLDING ACCOUNT")
    expect(row).not_to_contain_text("Suggested:")
    row_id = row.get_attribute("id")
    row.get_by_role("link", name=re.compile(r"^Set aside: not for the plan")).click()
    row = page.locator(f"#{row_id}")
    row.get_by_label("Why is this line not for the plan?").fill(SET_ASIDE_REASON)
    check_page(page)
    row.get_by_role("button", name="Set aside", exact=True).click()
    expect(row.locator(".govuk-tag")).to_have_text("Set aside")
    expect(row).to_contain_text(f"Set aside: {SET_ASIDE_REASON}")
    expect_totals(page, moved(before, to_match=-3, matched=2, set_aside=1))
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    check_page(page)

    # Undo offers its form in place; cancelling goes back to the list as it was.
    row = match_row(page, centre)
    row.get_by_role("link", name=f"Undo the match of {centre}").click()
    expect(row.get_by_label("Why are you undoing this match?")).to_be_visible()
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    check_page(page)
    row.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}/matching")
    expect_totals(page, moved(before, to_match=-3, matched=2, set_aside=1))
    fits_320px(page)

    # ---- reconciliation: the closed period agrees with the bank --------------------------------------------
    page.get_by_role("link", name="Reconcile a period").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reconciliation")
    periods = page.get_by_role("region", name="Periods")
    expect(periods.locator("tbody tr")).to_have_count(1)
    expect(periods.locator(".govuk-tag")).to_have_text("Closed")
    check_page(page)
    periods.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^1 \w+ \d{4} to \d+ \w+ \d{4}$"))
    expect(page.locator("main")).to_contain_text("None: they agree")
    expect(page.locator("main .govuk-tag").first).to_have_text("Closed")
    check_page(page)
    fits_320px(page)

    # ---- the submitted return, and its printable version ----------------------------------------------------
    page.get_by_role("link", name="Back to reconciliation").click()
    page.get_by_role("link", name="Monitoring returns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring returns")
    check_page(page)
    page.get_by_role("button", name="See the return").click()  # the one already submitted, as it would be sent
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the monitoring return")
    expect(page.locator("main")).to_contain_text("Declaration")
    check_page(page)
    page.get_by_role("link", name="Back to monitoring returns").click()
    page.locator("main ul.pb-records").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring return")
    expect(page.locator("main")).to_contain_text("Waiting for the case manager")
    expect(page.locator("main")).to_contain_text("Submitted by Chris Lee of Demo Managed Accounts")
    return_url = page.url
    check_page(page)
    fits_320px(page)
    page.get_by_role("link", name="Printable version (print or save as PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Monitoring return: {PERSON}")
    check_page(page)

    # ---- the same without JavaScript: each form posts, and the list comes back (303) -----------------------
    # (Signing in again ends the first session: a user's session token is rotated at each sign-in.)
    plain = open_page(js=False, viewport=viewport)
    quick_sign_in(plain, PROVIDER)
    plain.goto(f"/budgets/{budget_id}/matching")
    expect(plain.get_by_role("heading", level=1)).to_have_text("Match statement lines")
    check_page(plain)
    match_row(plain, visits).get_by_role("button", name=re.compile(r"^Accept")).click()
    expect(plain).to_have_url(f"{live_server.url}/budgets/{budget_id}/matching")
    expect(plain.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{visits} matched to Agency care visits.")
    expect(match_row(plain, visits)).to_have_count(0)  # no longer among the lines to match
    expect_totals(plain, moved(before, to_match=-4, matched=3, set_aside=1))
    check_page(plain)

    match_row(plain, "TFR TO DMA HOLDING ACCOUNT").get_by_role(
        "link", name=re.compile(r"^Set aside: not for the plan")).click()
    expect(plain).to_have_url(re.compile(rf"/budgets/{budget_id}/matching/\d+/set-aside$"))
    expect(plain.get_by_role("heading", level=1)).to_have_text("Set a line aside")
    check_page(plain)
    plain.get_by_role("button", name="Set aside", exact=True).click()  # no reason: the page says so
    expect(plain).to_have_title(re.compile(r"^Error: "))
    expect(plain.locator(".govuk-error-summary")).to_contain_text("Enter a reason")
    check_page(plain)
    plain.get_by_label("Why is this line not for the plan?").fill(SET_ASIDE_REASON)
    plain.get_by_role("button", name="Set aside", exact=True).click()
    expect(plain).to_have_url(f"{live_server.url}/budgets/{budget_id}/matching")
    expect(plain.locator(".govuk-notification-banner--success")).to_contain_text(
        "TFR TO DMA HOLDING ACCOUNT set aside: not for the plan.")
    expect_totals(plain, moved(before, to_match=-5, matched=3, set_aside=2))
    check_page(plain)

    # ---- the case manager queries the return ---------------------------------------------------------------
    cm = open_page(viewport=viewport)
    quick_sign_in(cm, CASE_MANAGER)
    expect(cm).to_have_url(f"{live_server.url}/caseload")
    cm.locator("#budget-table").get_by_role("link", name=PERSON, exact=True).click()
    expect(cm.get_by_role("heading", level=1)).to_have_text(f"{PERSON}’s budget")
    cm.get_by_role("link", name="monitoring returns").click()
    expect(cm.get_by_role("heading", level=1)).to_have_text("Monitoring returns")
    check_page(cm)
    cm.locator("main ul.pb-records").get_by_role("link").click()
    expect(cm).to_have_url(return_url)
    expect(cm.get_by_role("heading", level=2, name="Your response")).to_be_visible()
    check_page(cm)
    query = "Please send the Homecare Partners invoice for the week with the escort."
    cm.get_by_label("Query it: ask whoever sent it to check something").check()
    cm.get_by_label("Comment").fill(query)
    cm.get_by_role("button", name="Send").click()
    expect(cm).to_have_url(return_url)
    expect(cm.locator(".govuk-notification-banner--success")).to_contain_text("Query sent to Demo Managed Accounts.")
    expect(cm.locator("main")).to_contain_text("Queried by the case manager")
    expect(cm.locator("main ol.pb-records li").last).to_contain_text("Queried by Dana Hughes")
    expect(cm.locator("main ol.pb-records li").last).to_contain_text(query)
    check_page(cm)

    # ---- the holder reads the account and asks about a line ------------------------------------------------
    holder = open_page(viewport=viewport)
    quick_sign_in(holder, MA_HOLDER)
    expect(holder).to_have_url(f"{live_server.url}/budgets/{budget_id}")
    holder.get_by_role("link", name="The account and its bank statements").click()
    expect(holder.get_by_role("heading", level=1)).to_have_text("The account")
    expect(holder.locator("main")).to_contain_text("The books have been checked against the bank up to")
    check_page(holder)
    fits_320px(holder)
    holder.get_by_role("link", name=escort, exact=True).click()
    expect(holder.get_by_role("heading", level=1)).to_have_text(escort)
    expect(holder.locator("main")).to_contain_text("Agency care visits (£343.00), Day centre (£48.00)")
    check_page(holder)
    question = "Which day did Homecare Partners take me to the day centre?"
    holder.get_by_label("Note or question").fill(question)
    holder.get_by_label("This is a question for the provider: I would like an answer").check()
    holder.get_by_role("button", name="Add to this line").click()
    expect(holder.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your question has been sent to the provider.")
    asked = holder.locator("main ul.pb-records li").last
    expect(asked).to_contain_text("Question waiting for an answer")
    expect(asked).to_contain_text(question)
    check_page(holder)
    fits_320px(holder)
    holder.get_by_role("link", name="Back to the account").click()
    expect(holder.locator(".govuk-inset-text")).to_contain_text("1 question waiting for an answer from the provider.")
    check_page(holder)
