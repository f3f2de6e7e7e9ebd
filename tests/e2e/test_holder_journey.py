"""A direct-payment holder records a payment and voids it: with htmx, and again with JavaScript off."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from pbportal.timeutil import today

from .helpers import RESULTS_DIR, check_page
from .journeys import (
    HOLDER,
    HOLDER_NAME,
    Figures,
    after_paying,
    expect_error,
    expect_figures,
    expect_voided,
    jpeg_with_gps,
    line_option,
    photo_metadata,
    sign_in,
    void_entry,
)

pytestmark = pytest.mark.e2e

AMOUNT_ERROR = "Enter an amount in pounds and pence, like 12.50 or £1,234.50"


def test_holder_records_a_payment_with_htmx_and_voids_it(open_page, live_server, tmp_path):
    page = open_page()
    budget_id = live_server.budget_id(HOLDER_NAME)
    sign_in(page, HOLDER)
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{HOLDER_NAME}’s budget")
    check_page(page)

    line_id = line_option(page, "Riverside Arts Club")
    before = Figures.read(page, line_id)
    day = today()
    expect(page.locator("#paid_on-day")).to_have_value(str(day.day))
    expect(page.locator("#paid_on-month")).to_have_value(str(day.month))
    expect(page.locator("#paid_on-year")).to_have_value(str(day.year))
    page.evaluate("window.__marker = 1")  # gone if the page reloads

    # A typing slip: the form comes back in place with GOV.UK errors, and what was typed is kept.
    page.locator("#amount").fill("abc")
    page.locator("#payee").fill("Corner Shop")
    page.locator("#line_id").select_option(line_id)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Record payment").click()
    assert posted.value.request.headers.get("hx-request") == "true", "the form should post with htmx"
    expect_error(page, "amount", AMOUNT_ERROR)
    expect(page.locator("#payment-form .govuk-error-summary")).to_be_focused()
    expect(page.locator("#payee")).to_have_value("Corner Shop")
    expect(page.locator("#amount")).to_have_value("abc")
    expect(page.locator("#line_id")).to_have_value(line_id)
    expect(page.locator("#paid_on-day")).to_have_value(str(day.day))
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    expect_figures(page, line_id, before)
    check_page(page)

    # Put it right and add a photo of the receipt that says where it was taken.
    photo = tmp_path / "receipt-gps.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.locator("#amount").fill("12.34")
    page.locator("#note").fill("Paint for the art club")
    page.locator("#receipt").set_input_files(photo)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Record payment").click()
    assert posted.value.request.headers.get("hx-request") == "true"
    banner = page.locator("#payment-form .govuk-notification-banner--success")
    expect(banner).to_contain_text("£12.34 paid to Corner Shop recorded against Riverside Arts Club.")
    expect(banner).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("#amount")).to_have_value("")  # a fresh form for the next payment
    expect(page.locator("#payee")).to_have_value("")
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    newest = page.locator("#recent-spending li").first
    expect(newest).to_contain_text("Corner Shop")
    expect(newest).to_contain_text("£12.34")
    expect(newest).to_contain_text("Riverside Arts Club")
    expect(newest).to_contain_text("receipt")
    paid = after_paying(before, 1234)
    expect_figures(page, line_id, paid)
    check_page(page)
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / "budget-page-after-payment.png", full_page=True)

    # The entry's page, and the receipt as the server hands it back: no location left in it.
    newest.get_by_role("link", name="Corner Shop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment to Corner Shop")
    entry_url = page.url
    assert re.search(rf"/budgets/{budget_id}/spending/\d+$", entry_url), entry_url
    details = page.locator(".govuk-summary-list")
    expect(details).to_contain_text("£12.34")
    expect(details).to_contain_text("Paint for the art club")
    check_page(page)
    receipt_link = details.get_by_role("link", name="receipt-gps.jpg")
    response = page.request.get(receipt_link.get_attribute("href"))
    assert response.ok, response.status
    assert response.headers["content-type"] == "image/jpeg"
    served = response.body()
    with Image.open(io.BytesIO(served)) as image:
        assert image.format == "JPEG"
        assert image.size == (320, 200)
    assert photo_metadata(served) == {}, "the served receipt still says where it was taken, or with what"

    # Void it: the figures go back, and the entry says what happened.
    void_entry(page, "Recorded twice by mistake")
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Payment of £12.34 to Corner Shop voided.")
    expect_figures(page, line_id, before)
    expect(page.locator("#recent-spending")).not_to_contain_text("Corner Shop")
    check_page(page)
    page.goto(entry_url)
    expect_voided(page, "Corner Shop", "£12.34", "Recorded twice by mistake")


def test_holder_records_a_payment_without_javascript_and_voids_it(open_page, live_server):
    page = open_page(js=False)
    budget_id = live_server.budget_id(HOLDER_NAME)
    sign_in(page, HOLDER)
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}")
    check_page(page)
    line_id = line_option(page, "Payroll service")
    before = Figures.read(page, line_id)

    # A typing slip: the full payment page comes back with the errors and what was typed.
    page.locator("#amount").fill("abc")
    page.locator("#payee").fill("Payroll Plus Ltd (no JS)")
    page.locator("#line_id").select_option(line_id)
    page.get_by_role("button", name="Record payment").click()
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}/payments/new")
    expect(page).to_have_title(re.compile(r"^Error: Record a payment"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a payment")
    expect_error(page, "amount", AMOUNT_ERROR)
    expect(page.locator("#payee")).to_have_value("Payroll Plus Ltd (no JS)")
    expect(page.locator("#line_id")).to_have_value(line_id)
    check_page(page)

    # Put it right: POST, redirect, GET the budget page with the message.
    page.locator("#amount").fill("7.50")
    page.get_by_role("button", name="Record payment").click()
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}#recent-spending")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "£7.50 paid to Payroll Plus Ltd (no JS) recorded against Payroll service.")
    newest = page.locator("#recent-spending li").first
    expect(newest).to_contain_text("Payroll Plus Ltd (no JS)")
    expect(newest).to_contain_text("£7.50")
    expect_figures(page, line_id, after_paying(before, 750))
    check_page(page)

    newest.get_by_role("link", name="Payroll Plus Ltd (no JS)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment to Payroll Plus Ltd (no JS)")
    entry_url = page.url
    check_page(page)
    void_entry(page, "Paid from my own account")
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Payment of £7.50 to Payroll Plus Ltd (no JS) voided.")
    expect_figures(page, line_id, before)
    expect(page.locator("#recent-spending")).not_to_contain_text("Payroll Plus Ltd (no JS)")
    check_page(page)
    page.goto(entry_url)
    expect_voided(page, "Payroll Plus Ltd (no JS)", "£7.50", "Paid from my own account")
