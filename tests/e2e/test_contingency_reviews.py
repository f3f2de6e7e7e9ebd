"""If something goes wrong, reviews and plan sign-off: the holder's contingency card (printed, and shared
with a back-up carer by a link that can be turned off), asking for a review, the case manager's caseload
filters, scheduling a request with htmx and recording the review, agreeing a plan, a risk added with
JavaScript off, and the pages at 320px. Every page visited is checked."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from pbportal.timeutil import today

from .helpers import PHONE, RESULTS_DIR, check_page, page_log
from .journeys import CASE_MANAGER, HOLDER, HOLDER_NAME, quick_sign_in, sign_in

pytestmark = pytest.mark.e2e

SAM = "Sam Okafor"
NARROW = {"width": 320, "height": PHONE["height"]}
SHARE_LABEL = "Sam (back-up PA)"
LAST_RESORT = "Demo Council out-of-hours social care"
DEMO_ARRANGEMENTS = ["A PA is off sick", "A PA is on holiday or leave", "I am unwell or in hospital",
                     "The money does not arrive"]
SAM_REQUEST = "Money is building up"


def fill_date(scope: Locator | Page, field_id: str, day: date) -> None:
    scope.locator(f"#{field_id}-day").fill(str(day.day))
    scope.locator(f"#{field_id}-month").fill(str(day.month))
    scope.locator(f"#{field_id}-year").fill(str(day.year))


def govuk_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def assert_no_sideways_scroll(page: Page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{what} is {width}px wide at {viewport}px: it scrolls sideways"


def open_contingency_from_budget(page: Page, live_server) -> int:
    budget_id = live_server.budget_id(HOLDER_NAME)
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}")
    plan = page.locator("section[aria-labelledby=plan-heading]")
    plan.get_by_role("link", name="If something goes wrong").click()
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}/contingency")
    expect(page.get_by_role("heading", level=1)).to_have_text("If something goes wrong")
    return budget_id


def expect_not_found(page: Page) -> None:
    """The app's 404 page. Chromium logs the document's own 404 status as a console error: that one
    message (only one: a missing stylesheet would add another) is taken off the page's log, so the
    fixture's no-console-errors check still holds for everything else."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    log = page_log(page)
    document_404 = "console: Failed to load resource: the server responded with a status of 404 (NOT FOUND)"
    if document_404 in log.errors:
        log.errors.remove(document_404)


def expect_card(page: Page) -> None:
    """The contingency card as the demo data has it: the last-resort number as a tel: link, and each
    arrangement with who steps in and how to reach them."""
    card = page.locator("#contingency-card")
    last = card.locator(".pb-last-resort")
    expect(last).to_contain_text(f"If nothing else works, call {LAST_RESORT}: 0300 123 9999")
    expect(last.get_by_role("link", name="0300 123 9999")).to_have_attribute("href", "tel:03001239999")
    headings = card.locator(".pb-arrangement h2")
    expect(headings).to_have_text(DEMO_ARRANGEMENTS)
    sick = card.locator(".pb-arrangement").filter(has=page.get_by_role("heading", name="A PA is off sick"))
    expect(sick).to_contain_text("Tom covers Maria's mornings")
    expect(sick).to_contain_text("Tom Price (back-up PA): 07700 900456")
    expect(sick.get_by_role("link", name="07700 900456")).to_have_attribute("href", "tel:07700900456")
    expect(sick).to_contain_text("About £381.30 extra a week, paid from Personal assistant wages.")


def pdf_page_count(pdf: bytes) -> int:
    """Pages in a PDF, by its page objects ('/Type /Page', not '/Type /Pages'). Chromium writes page
    objects uncompressed, so counting them in the bytes is enough without a PDF library."""
    try:
        from pypdf import PdfReader
    except ImportError:  # not installed here: count the page objects in the bytes
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    return len(PdfReader(io.BytesIO(pdf)).pages)


# ---- 1. the card: seen, printed, shared and turned off -------------------------------------------------

def test_holder_prints_and_shares_the_contingency_card(open_page, live_server):
    page = open_page()
    sign_in(page, HOLDER)
    check_page(page)
    budget_id = open_contingency_from_budget(page, live_server)
    expect_card(page)
    risks = page.locator("#risks")
    expect(risks).to_contain_text("Falls when transferring from bed to chair")
    expect(risks).to_contain_text("Mitigated: Two-person transfer in the mornings")
    expect(risks).to_contain_text("Going to football matches alone")
    expect(risks).to_contain_text(f"Accepted as {HOLDER_NAME}’s own choice by Alex Morgan, who has capacity")
    check_page(page)

    # Printed: only the card, on one A4 page.
    RESULTS_DIR.mkdir(exist_ok=True)
    page.emulate_media(media="print")
    expect(page.locator("#risks")).to_be_hidden()
    expect(page.locator("#share")).to_be_hidden()
    expect(page.locator(".pb-header")).to_be_hidden()
    expect(page.locator("#contingency-card")).to_be_visible()
    page.screenshot(path=RESULTS_DIR / "contingency-print.png", full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    (RESULTS_DIR / "contingency.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF"), "page.pdf() gave no PDF"
    pages = pdf_page_count(pdf)
    assert pages == 1, f"the printed contingency card takes {pages} A4 pages, not 1"
    page.emulate_media(media="screen")

    # A link for Sam: shown once, to copy.
    share = page.locator("#share")
    share.get_by_role("link", name="Create a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a link to share")
    expect(page.get_by_label("How many days should it work?")).to_have_value("30")
    check_page(page)
    page.get_by_label("Who is this link for?").fill(SHARE_LABEL)
    page.get_by_role("button", name="Create link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Link for {SHARE_LABEL} created")
    field = page.get_by_label("The link")
    expect(field).to_have_attribute("readonly", "")
    url = field.input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/share/[^/?#]+", url), url
    assert len(url.rsplit("/", 1)[1]) >= 20, f"the link's token is short enough to guess: {url}"
    check_page(page)

    # Sam, not signed in, sees the card and nothing else.
    sam = open_page()
    response = sam.goto(url)
    assert response.status == 200
    assert response.headers.get("cache-control") == "no-store", response.headers
    assert response.headers.get("referrer-policy") == "no-referrer", response.headers
    assert "noindex" in response.headers.get("x-robots-tag", ""), response.headers
    expect(sam.get_by_role("heading", level=1)).to_have_text("If something goes wrong")
    expect(sam.locator(".govuk-caption-l")).to_have_text(f"Shared with {SHARE_LABEL} by {HOLDER_NAME}")
    expect_card(sam)
    expect(sam.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(sam.locator("#risks, #share, form")).to_have_count(0)
    expect(sam.get_by_role("link", name=re.compile(r"^Change"))).to_have_count(0)
    to_app = sam.evaluate("""() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))
        .filter(href => !href.startsWith('tel:') && !href.startsWith('#') && href !== '/sign-in')""")
    # The statutory pages are public and in every page's footer; nothing else of the app is linked.
    to_app = [href for href in to_app if href not in ("/help", "/accessibility", "/privacy", "/cookies")]
    assert not to_app, f"the shared page links into the app: {to_app}"
    expect(sam.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement")).to_have_count(1)
    check_page(sam)
    for path in (f"/budgets/{budget_id}", f"/budgets/{budget_id}/contingency"):
        sam.goto(path)
        expect(sam).to_have_url(re.compile(r"/sign-in(\?|$)"))
        expect(sam.get_by_role("heading", level=1)).to_have_text("Sign in to pbportal")
    check_page(sam)

    # The holder sees it opened once, and turns it off.
    page.get_by_role("link", name="Back to your contingency plan").click()
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}/contingency#share")
    item = page.locator("#share li").filter(has_text=SHARE_LABEL).filter(
        has=page.get_by_role("button", name=f"Turn off the link for {SHARE_LABEL}"))
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Opened 1 time, last ")
    item.get_by_role("button", name=f"Turn off the link for {SHARE_LABEL}").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"The link for {SHARE_LABEL} no longer works.")
    expect(page.locator("#share li").filter(has_text=SHARE_LABEL).filter(has_text="turned off")).not_to_have_count(0)
    expect(page.get_by_role("button", name=f"Turn off the link for {SHARE_LABEL}")).to_have_count(0)
    check_page(page)

    # The same URL is now the 404 page.
    response = sam.goto(url)
    assert response.status == 404, f"a turned-off link answers {response.status}"
    expect_not_found(sam)
    expect(sam.locator("#contingency-card")).to_have_count(0)
    check_page(sam)


# ---- 2. the holder asks for a review -------------------------------------------------------------------

def test_holder_asks_for_a_review(open_page, live_server):
    page = open_page()
    quick_sign_in(page, HOLDER)
    budget_id = live_server.budget_id(HOLDER_NAME)
    plan = page.locator("section[aria-labelledby=plan-heading]")
    expect(plan.locator("li").filter(has_text="Reviews")).to_contain_text("Overdue")
    plan.get_by_role("link", name="Reviews").click()
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}/reviews")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews")
    expect(page.locator(".pb-summary")).to_contain_text("Overdue")
    check_page(page)

    page.get_by_role("link", name="Ask for a review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for a review")
    page.get_by_role("button", name="Ask for a review").click()  # empty: GOV.UK errors
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select why you want a review")
    expect(summary).to_contain_text("Enter what has changed")
    expect(summary).to_contain_text("Select how soon the review is needed")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page)

    details = "My PA is leaving and I need more hours at weekends."
    page.get_by_label("My needs have changed").check()
    page.get_by_label("Tell us more").fill(details)
    page.get_by_label("Soon (within a month)").check()
    page.get_by_role("button", name="Ask for a review").click()
    expect(page).to_have_url(re.compile(rf"/budgets/{budget_id}/reviews/requests/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Review request")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your request for a review has been sent to the case manager.")
    expect(page.locator("main")).to_contain_text("My needs have changed · Soon (within a month)")
    expect(page.locator("main")).to_contain_text(details)
    status = page.locator("#request-status")
    expect(status.locator(".govuk-tag")).to_have_text("Requested")
    steps = status.locator("ol li")
    expect(steps).to_have_count(1)
    expect(steps.first).to_contain_text(f"Requested by {HOLDER_NAME}")
    expect(status.locator("form")).to_have_count(0)  # only the case manager moves it on
    check_page(page)

    page.get_by_role("link", name="Back to reviews").click()
    mine = page.locator("main li").filter(has=page.get_by_role("link", name="My needs have changed"))
    expect(mine.first).to_contain_text("Requested")


# ---- 3. the case manager: caseload filter, scheduling with htmx, recording the review ----------------

def test_case_manager_schedules_a_request_and_records_the_review(open_page, live_server):
    page = open_page()
    quick_sign_in(page, CASE_MANAGER)
    expect(page).to_have_url(f"{live_server.url}/caseload")
    table = page.locator("#budget-table")
    people = table.locator("tbody th[scope=row] > a:first-of-type")  # not the "Return to check" link after it
    expect(people).to_have_text([HOLDER_NAME, "Hannah Whitfield", "Margaret Ellis", "Priya Shah", SAM])
    check_page(page)

    # Review overdue, by htmx as soon as it is ticked: only Alex, marked overdue, without a reload.
    page.evaluate("window.__marker = 1")
    overdue = page.get_by_label("Review overdue")
    with page.expect_response(lambda r: "overdue=1" in r.url) as filtered:
        overdue.check()
    assert filtered.value.request.headers.get("hx-request") == "true", "the filter should go by htmx"
    expect(people).to_have_text([HOLDER_NAME])
    expect(table.locator("p").first).to_have_text(re.compile(r"^\s*1 person\. Showing only: review overdue\.\s*$"))
    alex = table.locator("tbody tr").filter(has=page.get_by_role("link", name=HOLDER_NAME))
    expect(alex.locator(".govuk-tag", has_text=re.compile(r"^Overdue$"))).to_have_count(1)  # the review's
    expect(page).to_have_url(re.compile(r"/caseload\?.*overdue=1"))
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    check_page(page)

    # Untick, then tick and press Show: the same narrowing, still by htmx.
    with page.expect_response(lambda r: "/caseload" in r.url and "overdue=1" not in r.url):
        overdue.uncheck()
    expect(people).to_have_count(5)
    overdue.check()
    with page.expect_response(lambda r: "overdue=1" in r.url) as shown:
        page.get_by_role("button", name="Show").click()
    assert shown.value.request.headers.get("hx-request") == "true"
    expect(people).to_have_text([HOLDER_NAME])
    assert page.evaluate("window.__marker") == 1, "the page reloaded"

    # Sam's acknowledged request, from the caseload without the filter.
    overdue.uncheck()
    expect(people).to_have_count(5)
    sam_row = table.locator("tbody tr").filter(has=page.get_by_role("link", name=SAM))
    sam_row.get_by_role("link", name=re.compile(rf"reviews for {SAM}")).click()
    sam_id = live_server.budget_id(SAM)
    expect(page).to_have_url(f"{live_server.url}/budgets/{sam_id}/reviews")
    page.get_by_role("link", name=SAM_REQUEST).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review request")
    status = page.locator("#request-status")
    expect(status.locator(".govuk-tag")).to_have_text("Acknowledged")
    check_page(page)

    # Schedule it in three weeks, with htmx: the status changes in place.
    page.evaluate("window.__marker = 2")
    when = today() + timedelta(days=21)
    status.get_by_label("Schedule the review").check()
    fill_date(status, "scheduled_for", when)
    status.get_by_label("Note or reason").fill("At Sam's home, 10am.")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        status.get_by_role("button", name="Save").click()
    assert posted.value.request.headers.get("hx-request") == "true", "the status form should post with htmx"
    status = page.locator("#request-status")
    expect(status.locator(".govuk-notification-banner--success")).to_contain_text("Request scheduled.")
    expect(status.locator(".govuk-notification-banner--success")).to_be_focused()
    expect(status.locator(".govuk-tag")).to_have_text("Scheduled")
    expect(status).to_contain_text(f"Status: Scheduled for {govuk_date(when)}")
    expect(status.locator("ol li").last).to_contain_text(f"Scheduled for {govuk_date(when)} by Dana Hughes")
    expect(status.locator("ol li").last).to_contain_text("At Sam's home, 10am.")
    expect(page.locator("#request-status")).to_have_count(1)
    assert page.evaluate("window.__marker") == 2, "the page reloaded"
    check_page(page)

    # Moving it into the past: the error, in place, and the date kept.
    status.get_by_label("Schedule the review").check()
    fill_date(status, "scheduled_for", today() - timedelta(days=2))
    with page.expect_response(lambda r: r.request.method == "POST"):
        status.get_by_role("button", name="Save").click()
    summary = status.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The review cannot be scheduled in the past")
    expect(summary).to_be_focused()
    expect(status.locator("#scheduled_for-error")).to_contain_text("The review cannot be scheduled in the past")
    expect(status.locator(".govuk-tag")).to_have_text("Scheduled")  # unchanged
    expect(status).to_contain_text(f"Status: Scheduled for {govuk_date(when)}")
    assert page.evaluate("window.__marker") == 2, "the page reloaded"
    check_page(page)

    # Record the review for this request: each outcome rated, a decision, the next review date.
    status.get_by_role("link", name="Record the review for this request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a review")
    expect(page.locator("#request_id option:checked")).to_contain_text(SAM_REQUEST)
    outcomes = page.locator("fieldset.pb-arrangement")
    expect(outcomes.locator("legend")).to_have_text(
        ["Employ my PA legally", "Get to work and stay in work", "Keep my pain manageable"])
    check_page(page)
    for n, rating in enumerate(["met", "partly", "met"]):
        outcomes.nth(n).get_by_label("Is it being met?").select_option(rating)
    outcomes.nth(1).get_by_label("Comment (optional)").fill("Ben is off until next month.")
    page.get_by_label("Keep the plan as it is").check()
    page.get_by_label("Details of the decision").fill("Use the money built up for cover while Ben is off.")
    next_review = today() + timedelta(days=180)
    fill_date(page, "next_review_on", next_review)
    page.get_by_role("button", name="Record the review").click()
    expect(page).to_have_url(f"{live_server.url}/budgets/{sam_id}/reviews")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Review recorded. The next review is due by {govuk_date(next_review)}.")
    request_item = page.locator("main li").filter(has=page.get_by_role("link", name=SAM_REQUEST))
    expect(request_item).to_contain_text("Completed")
    held = page.locator("section.pb-arrangement").filter(has_text="Keep the plan as it is").first
    expect(held).to_contain_text(f"{govuk_date(today())}: Keep the plan as it is")
    expect(held).to_contain_text("Get to work and stay in work: Partly met. Ben is off until next month.")
    check_page(page)

    page.get_by_role("link", name=SAM_REQUEST).click()
    status = page.locator("#request-status")
    expect(status.locator(".govuk-tag")).to_have_text("Completed")
    done = status.locator("ol li").last
    expect(done).to_contain_text("Completed by Dana Hughes, ")
    expect(done).to_contain_text(f": Review held on {govuk_date(today())} recorded")
    expect(status.locator("form")).to_have_count(0)  # a completed request cannot move again
    check_page(page)


# ---- 4. plan sign-off ----------------------------------------------------------------------------------

def test_case_manager_agrees_the_plan_and_the_holder_sees_it(open_page, live_server):
    budget_id = live_server.budget_id(HOLDER_NAME)
    page = open_page()
    quick_sign_in(page, CASE_MANAGER)
    page.goto(f"/budgets/{budget_id}/plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Care and support plan")
    versions = page.locator("table.govuk-table tbody tr")
    expect(versions).to_have_count(1)
    expect(versions.first).to_contain_text("Draft")
    check_page(page)
    page.get_by_role("button", name="Agree and sign off this version").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        re.compile(r"Version 1 agreed\. It is in force from \d{1,2} \w+ \d{4}\."))
    expect(versions.first).to_contain_text("Agreed by Dana Hughes on ")
    expect(versions.first.locator(".govuk-tag")).to_have_text("In force")
    expect(page.get_by_role("button", name="Agree and sign off this version")).to_have_count(0)
    check_page(page)

    holder = open_page()
    quick_sign_in(holder, HOLDER)
    expect(holder).to_have_url(f"{live_server.url}/budgets/{budget_id}")
    expect(holder.locator("#budget-lines")).to_contain_text("Plan version 1: agreed by Dana Hughes on ")
    check_page(holder)
    holder.locator("#budget-lines").get_by_role("link", name="Plan versions").click()
    expect(holder.get_by_role("heading", level=1)).to_have_text("Care and support plan")
    expect(holder.get_by_role("heading", name="Change the plan")).to_be_visible()
    expect(holder.get_by_role("button", name="Start a new version")).to_be_visible()
    expect(holder.get_by_role("link", name=re.compile(r"^Change "))).to_have_count(0)
    check_page(holder)


# ---- 5. a risk, with JavaScript off --------------------------------------------------------------------

def test_holder_adds_an_accepted_risk_without_javascript(open_page, live_server):
    page = open_page(js=False)
    sign_in(page, HOLDER)
    budget_id = open_contingency_from_budget(page, live_server)
    check_page(page)
    page.locator("#risks").get_by_role("link", name="Add a risk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a risk")
    check_page(page)

    description = "Swimming on my own at the leisure centre (no JS)"
    page.get_by_label("The risk").fill(description)
    page.get_by_label("Accepted by the person as their own choice").check()
    page.get_by_label("Who accepted it").fill("Alex Morgan, who has capacity and chooses this")
    look_again = today() + timedelta(days=60)
    fill_date(page, "review_on", look_again)
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.get_by_role("button", name="Save risk").click()
    assert posted.value.headers.get("hx-request") is None, "with JavaScript off the form posts plainly"
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}/contingency#risks")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Risk saved.")
    risk = page.locator("#risks li").filter(has_text=description)
    expect(risk).to_have_count(1)
    expect(risk).to_contain_text(f"Accepted as {HOLDER_NAME}’s own choice by Alex Morgan, who has capacity and "
                                 f"chooses this on {govuk_date(today())}, recorded by {HOLDER_NAME}")
    expect(risk).to_contain_text(f"Look again {govuk_date(look_again)}")
    check_page(page)


# ---- 6. 320px ------------------------------------------------------------------------------------------

def test_contingency_and_review_pages_fit_320px(open_page, live_server):
    budget_id = live_server.budget_id(HOLDER_NAME)
    page = open_page(viewport=NARROW)
    sign_in(page, HOLDER)
    for path, heading in [
        (f"/budgets/{budget_id}/contingency", "If something goes wrong"),
        (f"/budgets/{budget_id}/reviews", "Reviews"),
        (f"/budgets/{budget_id}/reviews/request", "Ask for a review"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_no_sideways_scroll(page, path)
        check_page(page)

    # The caseload, with JavaScript off: Show filters by a plain GET; at 320px each row stacks, every column's
    # value after its name, so nothing scrolls sideways, neither the table's region nor the page.
    staff = open_page(js=False, viewport=NARROW)
    quick_sign_in(staff, CASE_MANAGER)
    expect(staff).to_have_url(f"{live_server.url}/caseload")
    check_page(staff)
    staff.get_by_label("Review overdue").check()
    staff.get_by_role("button", name="Show").click()
    expect(staff).to_have_url(re.compile(r"/caseload\?.*overdue=1"))
    expect(staff.locator("#budget-table tbody th[scope=row] > a:first-of-type")).to_have_text([HOLDER_NAME])
    expect(staff.get_by_label("Review overdue")).to_be_checked()
    region = staff.get_by_role("region", name="Your caseload")
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("el => el.scrollWidth <= el.clientWidth"), "the rows should stack, not scroll"
    expect(region.locator('td[data-label="Next review"]').first).to_be_visible()
    region.focus()
    expect(region).to_be_focused()
    check_page(staff)
    width = staff.evaluate("document.documentElement.scrollWidth")
    escaping = staff.evaluate("""() => [...document.querySelectorAll('.pb-table-wrap *')]
        .filter(el => getComputedStyle(el).position === 'absolute' && el.getBoundingClientRect().right > innerWidth)
        .map(el => `${el.className}: ${el.textContent.trim()}`)""")
    assert width <= NARROW["width"], f"/caseload is {width}px wide; escaping the table's region: {escaping}"
