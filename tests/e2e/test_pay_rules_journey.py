"""Employing a PA by the rules, on a phone (issue 14): the holder records a sickness and a pay period with
sleep-ins for Maria at 320 px, with htmx; the sick pay owed, the pay and its payslip are shown in plain words, and
every page passes axe and fits the screen."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from pbportal.timeutil import today

from .helpers import PHONE, check_page
from .journeys import HOLDER, HOLDER_NAME, quick_sign_in
from .test_pa_journey import assert_no_sideways_scroll, fill_date, open_details, submit

pytestmark = pytest.mark.e2e
NARROW = {"width": 320, "height": PHONE["height"]}


@pytest.fixture
def live_server(own_live_server):
    """Its own server: this journey records pay and a sickness for Maria."""
    return own_live_server


def test_a_holder_records_a_sickness_and_a_week_with_sleep_ins_on_a_phone(open_page, live_server):
    now = today()
    page = open_page(viewport=NARROW)
    quick_sign_in(page, HOLDER)
    page.goto(f"/budgets/{live_server.budget_id(HOLDER_NAME)}/pas")
    page.get_by_role("link", name="Maria Santos", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Santos")
    check_page(page)
    assert_no_sideways_scroll(page, "Maria's page")

    # Off sick Monday to Wednesday last week: SSP from the first day, at the lower of £123.25 and 80% of her
    # average £283.80 a week (£227.04), over her 5 working days: 3 × £123.25 / 5 = £73.95.
    monday = now - timedelta(days=now.weekday() + 7)
    absences = page.locator("#absences")
    form = open_details(absences, "Add holiday or sickness")
    form.locator("input[name=absences-kind][value=sick]").check()
    fill_date(absences, "absences-start_date", monday)
    fill_date(absences, "absences-end_date", monday + timedelta(days=2))
    submit(page, form, "Add absence")
    expect(absences.locator(".govuk-notification-banner--success")).to_contain_text("Absence added.")
    expect(absences.locator(".pb-records")).to_contain_text(
        "Statutory Sick Pay: £73.95 (3 of 3 working days at £123.25 a week)")
    expect(absences).to_contain_text("Sickness this plan year: 3 working days, Statutory Sick Pay £73.95")
    expect(absences).to_contain_text("Entitlement: 123.2 hours (5.6 weeks of 22 hours)")
    check_page(page)
    assert_no_sideways_scroll(page, "the absences section")

    # The week after the last one recorded: 30 hours awake at £12.90 (£387) and 2 sleep-ins at £60 (£120).
    last_friday = now - timedelta(days=(now.weekday() - 4) % 7)
    start = last_friday + timedelta(days=1)
    pay = page.locator("#pay")
    form = open_details(pay, "Record pay for a period")
    fill_date(pay, "pay-period_start", start)
    fill_date(pay, "pay-period_end", start + timedelta(days=6))
    form.locator("#pay-hours").fill("30")
    form.locator("#pay-sleep_ins").fill("2")
    form.locator("#pay-sleep_in_pay").fill("120")
    form.locator("#pay-gross").fill("507.00")
    form.locator("#pay-employer_ni").fill("61.65")  # 15% of (£507 − £96)
    form.locator("#pay-employee_pension").fill("15.48")
    form.locator("#pay-employer_pension").fill("11.61")
    form.locator("#pay-net").fill("470.00")
    check_page(page)
    submit(page, form, "Record pay")
    expect(pay.locator(".govuk-notification-banner--success")).to_contain_text("Pay of £507.00 gross recorded")
    expect(pay.locator(".govuk-warning-text")).to_have_count(0)  # 30 awake hours at £12.90: above £12.71
    expect(pay.locator(".govuk-inset-text")).to_have_count(0)  # the NI entered is the period's
    entry = pay.locator(".pb-entries li").filter(has_text="2 sleep-ins")
    expect(entry).to_have_count(1)
    check_page(page)
    assert_no_sideways_scroll(page, "the pay section")

    entry.get_by_role("link", name="Payslip").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payslip: Maria Santos")
    slip = page.locator(".pb-payslip")
    expect(slip.get_by_role("row", name="Sleep-in pay (2) £120.00")).to_be_visible()
    expect(slip.get_by_role("row", name="Pay for hours worked £387.00")).to_be_visible()
    expect(slip.get_by_role("row", name="Net pay £470.00")).to_be_visible()
    expect(slip).to_contain_text("kept for 6 years")
    check_page(page)
    assert_no_sideways_scroll(page, "the payslip")
    page.get_by_role("link", name="Back to Maria Santos").click()
    page.get_by_role("link", name="Maria Santos’s payslips for this tax year").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Payslips for the tax year")
    expect(page.get_by_role("link", name="Download this tax year’s payslips as one file")).to_be_visible()
    check_page(page)
    assert_no_sideways_scroll(page, "the tax year's payslips")
