"""A direct-payment holder does the audit the council asks for on a phone at 320 px: imports a week of their
account's statement, accepts every suggestion (each line a payment or money in they recorded already), closes a
period that agrees with the bank and sends the monitoring return; the case manager sees it waiting on the
caseload and accepts it. Every page is checked with axe."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pbportal.budget.models import Budget, MoneyIn
from pbportal.extensions import db
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today

from .helpers import PHONE, check_page
from .journeys import CASE_MANAGER, HOLDER, quick_sign_in

pytestmark = pytest.mark.e2e
SMALL = {"width": 320, "height": PHONE["height"]}
OPENING_PENCE = 100_000


@pytest.fixture
def live_server(own_live_server):
    """Its own server: the journey closes a period of Alex's books."""
    return own_live_server


def _week_of_statement(live_server) -> tuple[bytes, date, date, int, int]:
    """Every payment and money in Alex recorded in the last full pay week, as the bank's CSV gives them: the
    file, the first and last day, the closing balance in pence and the number of lines."""
    with live_server.app.app_context():
        alex = db.session.scalar(select(Budget).where(Budget.person_name == "Alex Morgan"))
        last = today() - timedelta(days=(today().weekday() - 4) % 7 or 7)  # the last Friday before today
        first = last - timedelta(days=6)
        rows = [(e.paid_on, e.payee.upper(), -e.amount_pence) for e in db.session.scalars(select(SpendingEntry).where(
            SpendingEntry.budget_id == alex.id, SpendingEntry.status == "active",
            SpendingEntry.paid_on.between(first, last)))]
        rows += [(m.received_on, "DEMO COUNCIL DIRECT PAYMENT" if m.source == "funder" else "ALEX MORGAN",
                  m.amount_pence) for m in db.session.scalars(select(MoneyIn).where(
                      MoneyIn.budget_id == alex.id, MoneyIn.status == "active",
                      MoneyIn.received_on.between(first, last)))]
        db.session.remove()
    rows.sort()
    balance, out = OPENING_PENCE, ["Date,Description,Amount,Balance"]
    for day, description, pence in rows:
        balance += pence
        out.append(f"{day:%d/%m/%Y},{description},{pence / 100:.2f},{balance / 100:.2f}")
    return ("\r\n".join(out) + "\r\n").encode(), first, last, balance, len(rows)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def test_a_holder_sends_the_return_from_their_own_statement_and_the_case_manager_accepts(open_page, live_server):
    content, first, last, closing, count = _week_of_statement(live_server)
    assert count >= 5
    page = open_page(viewport=SMALL)
    quick_sign_in(page, HOLDER)
    page.get_by_role("link", name="Bank statements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bank statements")
    check_page(page)
    page.get_by_role("link", name="Import a statement").click()
    check_page(page)
    page.locator("#file").set_input_files(files=[{"name": "statement.csv", "mimeType": "text/csv",
                                                  "buffer": content}])
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the statement")
    expect(page.locator(".govuk-caption-l")).to_contain_text("Alex Morgan’s direct payment account")
    check_page(page)
    _fits(page)
    page.get_by_role("button", name="Import these lines").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"{count} lines imported.")

    page.get_by_role("link", name="Match lines").click()
    expect(page.locator("#match-summary")).to_contain_text(f"{count} lines on this page have a suggestion")
    check_page(page)
    _fits(page)
    page.get_by_role("button", name="Accept every suggestion on this page").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"{count} suggestions accepted.")
    expect(page.locator("main")).to_contain_text("Every statement line is matched or set aside.")
    check_page(page)

    page.get_by_role("link", name="Reconcile a period").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reconciliation")
    check_page(page)
    for field, day in (("starts_on", first), ("ends_on", last)):
        page.locator(f"#{field}-day").fill(str(day.day))
        page.locator(f"#{field}-month").fill(str(day.month))
        page.locator(f"#{field}-year").fill(str(day.year))
    page.get_by_label("Opening balance").fill(f"{OPENING_PENCE / 100:.2f}")
    page.get_by_label("Closing balance on the bank statement").fill(f"{closing / 100:.2f}")
    page.get_by_role("button", name="Start the period").click()
    expect(page.locator("main")).to_contain_text("None: they agree")
    check_page(page)
    _fits(page)
    page.get_by_role("button", name="Close the period").click()
    expect(page.locator("main .govuk-tag").first).to_have_text("Closed")

    page.goto(page.url.rsplit("/reconciliation", 1)[0] + "/returns")
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring returns")
    check_page(page)
    page.get_by_role("button", name="See the return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the monitoring return")
    expect(page.locator("main")).to_contain_text("I confirm that these figures are taken from my direct payment "
                                                 "account’s bank statements")
    check_page(page)
    _fits(page)
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring return")
    expect(page.locator("main")).to_contain_text("Waiting for the case manager")
    check_page(page)

    cm = open_page(viewport=SMALL)
    quick_sign_in(cm, CASE_MANAGER)
    row = cm.locator("#budget-table tbody tr").filter(has_text="Alex Morgan")
    expect(row).to_contain_text("Return to check")
    check_page(cm)
    row.get_by_role("link", name=re.compile("Return to check")).click()
    cm.locator("main ul.pb-records").get_by_role("link").first.click()
    expect(cm.get_by_role("heading", level=2, name="Your response")).to_be_visible()
    check_page(cm)
    cm.get_by_label("Accept it").check()
    cm.get_by_role("button", name="Send").click()
    expect(cm.locator(".govuk-notification-banner--success")).to_contain_text("Return accepted.")
    expect(cm.locator("main")).to_contain_text("Accepted")
    check_page(cm)
    _fits(cm)
