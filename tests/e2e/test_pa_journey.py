"""Employing personal assistants: a holder keeps a PA's checks, training and pay (with htmx, and again with
JavaScript off), adds a PA, and staff see the PA records from their side. Every page visited is checked."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from pbportal.timeutil import today

from .helpers import PHONE, check_page
from .journeys import CASE_MANAGER, HOLDER, HOLDER_NAME, quick_sign_in, sign_in

pytestmark = pytest.mark.e2e

ADMIN = "admin@example.org"
NARROW = {"width": 320, "height": PHONE["height"]}
DBS_SOON = "Tom Price’s DBS check (renewal date) expires"


def fill_date(scope: Locator, field_id: str, day: date) -> None:
    """A GOV.UK date input (day, month, year boxes) inside `scope`. The PA page's five forms prefix their
    fields with the section ("training-completed_on"), and each is looked up inside its own section too."""
    scope.locator(f"#{field_id}-day").fill(str(day.day))
    scope.locator(f"#{field_id}-month").fill(str(day.month))
    scope.locator(f"#{field_id}-year").fill(str(day.year))


def open_details(section: Locator, summary: str) -> Locator:
    """Open a section's native <details> by its summary and return the form inside."""
    details = section.locator(":scope > details")  # the section's own form, not a file upload beside a record
    details.locator("summary").filter(has_text=summary).click()
    form = details.locator("form")
    expect(form).to_be_visible()
    return form


def submit(page: Page, form: Locator, button: str, *, htmx: bool = True) -> None:
    """Submit with the form's own button; with htmx, prove the POST went by htmx."""
    if not htmx:
        form.get_by_role("button", name=button).click()
        return
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name=button).click()
    assert posted.value.request.headers.get("hx-request") == "true", "the form should post with htmx"


def pa_warning_count(live_server, person_name: str) -> int:
    """How many PA warnings the server has for a budget now (other journeys on this worker add PAs and
    checks, so counts are read from the app, not written down)."""
    from pbportal.employment.services import employment_for

    budget_id = live_server.budget_id(person_name)
    with live_server.app.app_context():
        return len(employment_for(budget_id, today()).warnings)


def go_to_pas_from_budget(page: Page, live_server) -> int:
    """From the budget page, follow the Personal assistants section's link to the PA list."""
    budget_id = live_server.budget_id(HOLDER_NAME)
    section = page.locator("section[aria-labelledby=pa-heading]")
    expect(section.get_by_role("heading", name="Personal assistants")).to_be_visible()
    section.get_by_role("link", name=re.compile(r"PAs? working now")).click()
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}/pas")
    expect(page.get_by_role("heading", level=1)).to_have_text("Personal assistants")
    return budget_id


def assert_no_sideways_scroll(page: Page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{what} is {width}px wide at {viewport}px: it scrolls sideways"


def test_holder_keeps_training_checks_and_pay_with_htmx(open_page, live_server):
    page = open_page()
    sign_in(page, HOLDER)
    budget_id = live_server.budget_id(HOLDER_NAME)
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}")
    check_page(page)

    # The PA list: what needs attention, and the true cost of employing them all.
    go_to_pas_from_budget(page, live_server)
    warnings = page.locator("#budget-warnings")
    expect(warnings).to_contain_text(re.compile(r"\d+ things? to check"))
    expect(warnings).to_contain_text(DBS_SOON)
    cost = page.locator("#employment-cost")
    expect(cost.get_by_role("heading", level=2)).to_have_text("True cost of employing PAs")
    expect(cost).to_contain_text("True cost a year")
    expect(cost).to_contain_text("The plan provides")
    check_page(page)

    # Tom's page: his DBS renewal is close.
    page.get_by_role("link", name="Tom Price", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tom Price")
    pa_url = page.url
    assert re.search(rf"/budgets/{budget_id}/pas/\d+$", pa_url), pa_url
    expect(page.locator("#pa-warnings")).to_contain_text(DBS_SOON)
    expect(page.locator("#pa-cost")).to_contain_text("True cost of Tom Price a year")
    check_page(page)
    page.evaluate("window.__marker = 1")  # gone if the page reloads

    # Training, sent empty: the section comes back in place with its errors, the summary focused, and the
    # title says there is an error (the htmx answer carries its own <title>).
    training = page.locator("#training")
    form = open_details(training, "Add training")
    submit(page, form, "Add training")
    summary = training.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("a[href='#training-course']")).to_have_text("Enter the name of the course")
    expect(summary.locator("a[href='#training-completed_on-day']")).to_have_text(
        "Enter the date the course was completed")
    expect(page).to_have_title(re.compile(r"^Error: Tom Price"))
    expect(training.locator("#training-course-error")).to_contain_text("Enter the name of the course")
    expect(training.locator("#training-course")).to_have_class(re.compile(r"govuk-input--error"))
    expect(training.locator("#training-completed_on-error")).to_contain_text("Enter the date the course was completed")
    expect(training.locator("details")).to_have_attribute("open", "")
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    check_page(page)

    # Put it right: the banner, the course in the list, the form closed and empty again, the title clean.
    now = today()
    training.locator("#training-course").fill("Epilepsy awareness")
    fill_date(training, "training-completed_on", now - timedelta(days=3))
    fill_date(training, "training-expires_on", now + timedelta(days=3 * 365))
    submit(page, training.locator("form"), "Add training")
    banner = training.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Training added.")
    expect(banner).to_be_focused()
    expect(training.locator(".govuk-error-summary")).to_have_count(0)
    expect(training.locator(".pb-records")).to_contain_text("Epilepsy awareness")
    expect(training.locator("#training-course")).to_have_value("")
    expect(page).to_have_title(re.compile(r"^Tom Price"))
    expect(page.locator("#pa-warnings")).to_contain_text(DBS_SOON)  # swapped out-of-band, still there
    expect(page.locator("#pa-cost")).to_contain_text("True cost of Tom Price a year")
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    check_page(page)

    # A renewed DBS check: the warning goes from the out-of-band warnings without a reload.
    checks = page.locator("#checks")
    form = open_details(checks, "Add a check")
    form.locator("input[name=checks-kind][value=dbs]").check()
    fill_date(checks, "checks-checked_on", now)
    fill_date(checks, "checks-expires_on", now + timedelta(days=3 * 365))
    form.locator("#checks-dbs_level").select_option("enhanced_barred")
    form.locator("#checks-dbs_certificate").fill("001234567890")
    form.locator("#checks-evidence").fill("Enhanced DBS with barred list, certificate seen")
    submit(page, form, "Add check")
    expect(checks.locator(".govuk-notification-banner--success")).to_contain_text("Check added.")
    expect(checks.locator(".govuk-notification-banner--success")).to_be_focused()
    expect(checks.locator(".pb-records")).to_contain_text("certificate 001234567890")
    expect(page.locator("#pa-warnings")).to_be_attached()
    expect(page.locator("#pa-warnings")).not_to_contain_text("DBS check")
    expect(page.locator("#pa-cost")).to_contain_text("True cost of Tom Price a year")
    expect(page.locator("#pa-warnings")).to_have_count(1)  # replaced, not added to
    expect(page.locator("#pa-cost")).to_have_count(1)
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    check_page(page)

    # Pay for Maria this month: one form records the net pay, HMRC and pension payments.
    page.get_by_role("link", name="Back to personal assistants").click()
    page.get_by_role("link", name="Maria Santos", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Santos")
    page.evaluate("window.__marker = 2")
    pay = page.locator("#pay")
    form = open_details(pay, "Record pay for a period")
    expect(form.locator("#pay-paid_on-day")).to_have_value(str(now.day))
    expect(form.locator("#pay-paid_on-month")).to_have_value(str(now.month))
    expect(form.locator("#pay-paid_on-year")).to_have_value(str(now.year))
    check_page(page)
    fill_date(pay, "pay-period_start", now.replace(day=1))
    fill_date(pay, "pay-period_end", now)
    form.locator("#pay-hours").fill("95.5")
    form.locator("#pay-gross").fill("1,231.95")
    form.locator("#pay-employer_ni").fill("0")
    form.locator("#pay-employee_pension").fill("36.96")
    form.locator("#pay-employer_pension").fill("22.18")
    form.locator("#pay-net").fill("1050.00")
    submit(page, form, "Record pay")
    banner = pay.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Pay of £1,231.95 gross recorded: £1,050.00 to Maria Santos, £144.99 to HMRC, "
                                   "£59.14 to the pension.")
    expect(banner).to_be_focused()
    expect(pay.locator(".pb-entries").first).to_contain_text("net £1,050.00 · HMRC £144.99 · pension £59.14")
    expect(page.locator("#pa-warnings")).to_have_count(1)
    expect(page.locator("#pa-cost")).to_contain_text("True cost of Maria Santos a year")
    assert page.evaluate("window.__marker") == 2, "the page reloaded"
    check_page(page)

    # The budget page's latest payments: the net pay to Maria and the payment to HMRC.
    page.goto(f"/budgets/{budget_id}")
    latest = page.locator("#recent-spending li")
    maria = latest.filter(has=page.get_by_role("link", name="Maria Santos", exact=True)).filter(
        has_text="£1,050.00")
    hmrc = latest.filter(has=page.get_by_role("link", name="HMRC", exact=True)).filter(has_text="£144.99")
    expect(maria).to_have_count(1)
    expect(hmrc).to_have_count(1)
    expect(latest.filter(has_text="Workplace pension").filter(has_text="£59.14")).to_have_count(1)
    check_page(page)


def test_holder_adds_a_check_without_javascript(open_page, live_server):
    page = open_page(js=False)
    sign_in(page, HOLDER)
    budget_id = go_to_pas_from_budget(page, live_server)
    check_page(page)
    page.get_by_role("link", name="Kemi Adeyemi", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kemi Adeyemi")
    pa_url = page.url
    checks = page.locator("#checks")
    expect(checks.locator(":scope > details")).not_to_have_attribute("open", "")
    check_page(page)

    # A native <details>: it opens without any script.
    form = open_details(checks, "Add a check")
    form.locator("input[name=checks-kind][value=contract]").check()
    fill_date(checks, "checks-checked_on", today() - timedelta(days=1))
    form.locator("#checks-evidence").fill("Signed agreement for services (no JS)")
    submit(page, form, "Add check", htmx=False)
    expect(page).to_have_url(f"{pa_url}#checks")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Check added.")
    expect(checks.locator(".pb-records")).to_contain_text("Written contract and terms")
    expect(checks.locator(".pb-records")).to_contain_text("Signed agreement for services (no JS)")
    expect(checks.locator(":scope > details")).not_to_have_attribute("open", "")
    check_page(page)

    # An empty form: the whole page comes back with the form open, its errors by the fields, and one
    # error summary at the top of the page (not down in the section).
    form = open_details(page.locator("#training"), "Add training")
    submit(page, form, "Add training", htmx=False)
    expect(page).to_have_url(re.compile(rf"/budgets/{budget_id}/pas/\d+/training$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kemi Adeyemi")
    expect(page).to_have_title(re.compile(r"^Error: Kemi Adeyemi"))
    training = page.locator("#training")
    expect(training.locator("details")).to_have_attribute("open", "")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_have_count(1)
    expect(training.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("main > .govuk-error-summary")).to_have_count(1)
    expect(summary.locator("a[href='#training-course']")).to_have_text("Enter the name of the course")
    expect(training.locator("#training-course-error")).to_contain_text("Enter the name of the course")
    check_page(page)


def test_holder_adds_a_pa_and_pa_pages_fit_320px(open_page, live_server):
    page = open_page(viewport=NARROW)
    sign_in(page, HOLDER)
    budget_id = go_to_pas_from_budget(page, live_server)
    assert_no_sideways_scroll(page, "/pas")
    check_page(page)

    page.get_by_role("link", name="Add a PA").click()
    expect(page).to_have_url(f"{live_server.url}/budgets/{budget_id}/pas/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a personal assistant")
    expect(page.get_by_label("Employed: I pay them through payroll")).to_be_checked()
    assert_no_sideways_scroll(page, "/pas/new")
    check_page(page)

    page.get_by_label("Full name").fill("Jordan Ellis")
    fill_date(page.locator("main form"), "start_date", today() - timedelta(days=14))
    page.locator("#day_rate").fill("13.50")
    page.locator("#day_hours").fill("15")
    page.get_by_role("button", name="Save PA").click()
    expect(page).to_have_url(re.compile(rf"/budgets/{budget_id}/pas/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan Ellis")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Jordan Ellis’s details saved.")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Day: £13.50 an hour, 15 hours a week")
    # A new employee with no paperwork yet: the page says what is missing.
    expect(page.locator("#pa-warnings")).to_contain_text("No written contract recorded for Jordan Ellis")
    expect(page.locator("#pa-warnings")).to_contain_text("No DBS check recorded for Jordan Ellis")
    expect(page.locator("#pa-cost")).to_contain_text("True cost of Jordan Ellis a year")
    assert_no_sideways_scroll(page, "the new PA's page")
    for summary in page.locator("details summary").all():  # every form open: the widest the page gets
        summary.click()
    expect(page.locator("details[open]")).to_have_count(5)
    assert_no_sideways_scroll(page, "the new PA's page with every form open")
    check_page(page)

    page.goto(f"/budgets/{budget_id}/pas/employer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Employer details")
    expect(page.get_by_label("PAYE reference (optional)")).to_have_value("123/AB45678")
    assert_no_sideways_scroll(page, "/pas/employer")
    check_page(page)


def test_case_manager_sees_pa_warnings_and_a_read_only_pa_list(open_page, live_server):
    page = open_page()
    sign_in(page, CASE_MANAGER)
    expect(page).to_have_url(f"{live_server.url}/caseload")
    person = page.get_by_role("link", name=HOLDER_NAME, exact=True)
    row = page.locator("#budget-table tbody tr").filter(has=person)
    expect(row).to_have_count(1)
    headers = [text.strip() for text in page.locator("#budget-table thead th").all_inner_texts()]
    assert "PA warnings" in headers, f"the caseload has no PA warnings column: {headers}"
    count = pa_warning_count(live_server, HOLDER_NAME)
    assert count > 0, "the demo data gives Alex PA warnings"
    expect(row.locator("th, td").nth(headers.index("PA warnings"))).to_have_text(
        re.compile(rf"^\s*{count}\s+warnings, some needing action now\s*$"))
    check_page(page)

    row.locator(person).click()
    budget_id = go_to_pas_from_budget(page, live_server)
    expect(page.locator("#budget-warnings")).to_contain_text(f"{count} thing{'s' if count != 1 else ''} to check")
    expect(page.get_by_role("link", name="Add a PA")).to_have_count(0)
    expect(page.get_by_role("link", name="Employer details")).to_have_count(0)
    expect(page.get_by_role("link", name="Import payroll CSV")).to_have_count(0)
    check_page(page)

    page.get_by_role("link", name="Tom Price", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tom Price")
    expect(page.locator("details")).to_have_count(0)
    expect(page.locator("form[method=post]").filter(has_not=page.get_by_role("button", name="Sign out"))
           ).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile(r"^Change Tom Price"))).to_have_count(0)
    check_page(page)
    response = page.request.get(f"/budgets/{budget_id}/pas/new")
    assert response.status == 404, f"a case manager can open the add-a-PA form: {response.status}"


def test_admin_opens_statutory_figures(open_page, live_server):
    page = open_page()
    sign_in(page, ADMIN)
    expect(page).to_have_url(f"{live_server.url}/admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    check_page(page)
    page.get_by_role("link", name="Statutory figures").click()
    expect(page).to_have_url(f"{live_server.url}/admin/rates")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statutory figures")
    expect(page.locator(".pb-records li").first).to_contain_text("From ")
    check_page(page)


# ---- the PA page's five forms, and where their errors lead ------------------------------------------

SECTIONS = ("checks", "training", "tasks", "absences", "pay")


def test_pa_page_forms_keep_apart_and_errors_lead_to_the_field(open_page, live_server):
    """Once known problems of the PA page, each now checked as fixed: the five forms share no ids, an htmx
    error answer sets the 'Error:' title, a date error's summary link focuses the day box, and without
    JavaScript the error summary is at the top of the page."""
    page = open_page()
    quick_sign_in(page, HOLDER)
    page.goto(f"/budgets/{live_server.budget_id(HOLDER_NAME)}/pas")
    page.get_by_role("link", name="Tom Price", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tom Price")
    tom = page.url

    # Every id on the page once; every label in a section names a field of its own form; every field in a
    # section's form is prefixed with the section's name.
    stray = page.evaluate("""() => [...document.querySelectorAll('section.pb-section label[for]')]
        .filter(label => !label.control || label.control.closest('form') !== label.closest('form'))
        .map(label => `${label.closest('section').id}: ${label.textContent.trim()} -> #${label.htmlFor}`)""")
    duplicated = page.evaluate("""() => { const seen = {};
        document.querySelectorAll('[id]').forEach(el => { seen[el.id] = (seen[el.id] || 0) + 1; });
        return Object.keys(seen).filter(id => seen[id] > 1); }""")
    # (A file uploaded beside one check is a form of its own, not the section's: section > details is.)
    unprefixed = page.evaluate("""() => [...document.querySelectorAll('section.pb-section > details form [name]')]
        .filter(el => el.name !== 'csrf_token' && el.type !== 'submit'
                      && !el.name.startsWith(el.closest('section').id + '-'))
        .map(el => `${el.closest('section').id}: ${el.name}`)""")
    assert not duplicated, f"ids used more than once on the PA page: {duplicated}"
    assert not stray, f"labels for another form's field: {stray}"
    assert not unprefixed, f"fields not prefixed with their section: {unprefixed}"
    for section in SECTIONS:
        expect(page.locator(f"#{section} > details form")).to_have_count(1)
    for field in ("#training-course", "#training-completed_on-day", "#pay-gross", "#checks-kind",
                  "#tasks-task", "#absences-start_date-day"):
        expect(page.locator(field)).to_have_count(1)

    # htmx: an error answer names itself in the title; the summary's date link focuses the day box.
    training = page.locator("#training")
    submit(page, open_details(training, "Add training"), "Add training")
    summary = training.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Tom Price"))
    link = summary.locator("a").filter(has_text="Enter the date the course was completed")
    expect(link).to_have_attribute("href", "#training-completed_on-day")
    link.click()
    expect(page.locator("#training-completed_on-day")).to_be_focused()
    summary.locator("a").filter(has_text="Enter the name of the course").click()
    expect(page.locator("#training-course")).to_be_focused()

    # A date with only its month missing: the link goes to the month box.
    fill_date(training, "training-completed_on", today())
    training.locator("#training-completed_on-month").fill("")
    training.locator("#training-course").fill("Manual handling refresher")
    submit(page, training.locator("form"), "Add training")
    summary = training.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("a")).to_have_count(1)
    expect(summary.locator("a")).to_have_attribute("href", "#training-completed_on-month")
    summary.locator("a").click()
    expect(page.locator("#training-completed_on-month")).to_be_focused()
    check_page(page)

    # Without JavaScript: the whole page, its title marked, the error summary at the top on a phone screen,
    # and its date link lands on the day box.
    page = open_page(js=False)
    quick_sign_in(page, HOLDER)
    page.goto(tom)
    submit(page, open_details(page.locator("#training"), "Add training"), "Add training", htmx=False)
    expect(page).to_have_title(re.compile(r"^Error: Tom Price"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_have_count(1)
    top = summary.evaluate("el => el.getBoundingClientRect().top")
    assert top < page.viewport_size["height"], (
        f"the error summary is {top:.0f}px down a {page.viewport_size['height']}px screen")
    heading_top = page.get_by_role("heading", level=1).evaluate("el => el.getBoundingClientRect().top")
    assert top < heading_top, "the error summary should come before the page's heading"
    summary.locator("a[href='#training-completed_on-day']").click()
    expect(page).to_have_url(re.compile(r"#training-completed_on-day$"))
    expect(page.locator("#training-completed_on-day")).to_be_focused()
    check_page(page)

