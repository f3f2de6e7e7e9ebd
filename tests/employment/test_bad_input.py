"""Employing PAs, 3. bad input: PA details, sections and pay that are refused, and why."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from pbportal.employment.models import (
    Absence,
    DelegatedTask,
    EmploymentCheck,
    PayRate,
    PayRecord,
    PayRecordEntry,
    PersonalAssistant,
    Training,
)
from pbportal.extensions import db
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today

from ..support import parts
from .helpers import PA, assert_error, count, events, pa_form, pay_data, post_pa, section_of


def _post_bad_pa(holder, world, overrides, message):
    r = holder.post(f"/budgets/{world.dp.id}/pas/new", data=pa_form(world, **overrides))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Error:" in page
    assert_error(page, message)
    if "name" not in overrides:
        assert 'value="Jo Bloggs"' in page
    if "night_rate" not in overrides:
        assert 'value="14.50"' in page  # what was typed is kept
    for field, value in overrides.items():
        if isinstance(value, str) and value and field.endswith(("_rate", "_hours")):
            assert f'value="{value}"' in page
    assert count(PersonalAssistant) == 0 and count(PayRate) == 0 and events("pa.added") == []


@pytest.mark.parametrize("overrides, message", [
    ({"day_hours": "-5"}, "Day hours a week cannot be negative"),
    ({"night_hours": "-1"}, "Night hours a week cannot be negative"),
    ({"day_rate": "0"}, "Day rate must be more than £0"),
    ({"night_rate": "£0.00"}, "Night rate must be more than £0"),
    ({"day_rate": ""}, "Enter the day rate"),
    ({"day_rate": "", "day_hours": ""}, "Enter the day rate"),
])
def test_bad_pay_rates_are_refused(holder, world, rates, overrides, message):
    _post_bad_pa(holder, world, overrides, message)


OTHER_BAD_PA_DETAILS = [
    ({"day_hours": ""}, "Enter day hours a week"),
    ({"day_rate": "thirteen"}, "Enter an amount in pounds and pence, like 12.50 or £1,234.50"),
    ({"day_rate": "150"}, "Day rate must be £100.00 an hour or less"),
    ({"day_hours": "200"}, "Day hours must be 168 a week or fewer"),
    ({"night_hours": "7.125"}, "Night hours a week must have no more than 2 decimal places"),
    ({"name": ""}, "Enter the PA’s full name"),
    ({"start_date": ["", "", ""]}, "Enter the date they started working for you"),
    ({"start_date": ["31", "2", "2026"]}, "The date they started working for you must be a real date"),
    ({"line_id": str(10**6)}, "Select the budget line their pay comes from"),
    ({"date_of_birth": parts(today() + timedelta(days=1))}, "Date of birth must be in the past"),
]


def test_other_bad_pa_details_are_refused(holder, world, rates):
    for overrides, message in OTHER_BAD_PA_DETAILS:
        _post_bad_pa(holder, world, overrides, message)


def test_a_line_of_another_budget_is_refused(holder, world, rates):
    _post_bad_pa(holder, world, {"line_id": str(world.lines["other"].id)},
                 "Select the budget line their pay comes from")


def test_a_line_not_offered_for_pay_is_refused(holder, world, rates):
    """The select offers only the wage lines; a hand-made POST naming the gym line should not get through."""
    _post_bad_pa(holder, world, {"line_id": str(world.lines["gym"].id)}, "Select the budget line their pay comes from")


def test_a_bad_email_address_is_refused(holder, world, rates):
    _post_bad_pa(holder, world, {"email": "not-an-email"}, "Enter an email address like name@example.com")


def test_a_relatives_exception_is_kept_only_for_relatives(holder, world, rates):
    holder.post(f"/budgets/{world.dp.id}/pas/new", data=pa_form(world, relative_exception="Agreed by Cara"))
    pa = db.session.scalars(select(PersonalAssistant)).one()
    assert pa.is_relative is False and pa.relative_exception == ""


@pytest.mark.parametrize("section, overrides, message, kept", [
    ("checks", {"expires_on": "BEFORE"}, "The expiry date must be after the date of the check", "Passport seen"),
    ("checks", {"kind": "dbs", "dbs_level": ""}, "Select the level of the DBS check", "Passport seen"),
    ("training", {"expires_on": "BEFORE"}, "The expiry date must be after the date completed", "First aid"),
    ("tasks", {"signed_off_by": ""}, "Enter who signed off competence as well as the date", "Suction"),
    ("absences", {"end_date": "BEFORE"}, "The last day must be on or after the first day", "Dentist"),
], ids=["check-expiry-before-check", "dbs-without-level", "training-expiry-before-completed",
        "sign-off-date-without-who", "absence-ends-before-start"])
def test_bad_section_input_is_refused_with_messages(holder, emp, section, overrides, message, kept):
    _post_bad_section(holder, emp, section, overrides, message, kept, hx=False)


def test_other_bad_section_input_is_refused(holder, emp):
    for section, overrides, message, kept in [
        ("checks", {"checked_on": "FUTURE"}, "The date of the check must be today or in the past", "Passport seen"),
        ("checks", {"evidence": ""}, "Enter the evidence for this check", None),
        ("checks", {"kind": ""}, "Select which check", "Passport seen"),
        ("training", {"cost": "-4"}, "Cost must be more than £0", "First aid"),
        ("training", {"course": ""}, "Enter the name of the course", None),
        ("tasks", {"practitioner_registration": ""}, "Enter the practitioner’s professional registration",
         "Suction"),
        ("tasks", {"review_on": ["", "", ""]}, "Enter the review date", "Suction"),
        ("tasks", {"trained_on": "AFTER"}, "Competence can only be signed off after the training", "Suction"),
        ("absences", {"kind": ""}, "Select holiday or sick", "Dentist"),
    ]:
        _post_bad_section(holder, emp, section, overrides, message, kept, hx=False)


@pytest.mark.parametrize("section, overrides, message, kept", [
    ("checks", {"expires_on": "BEFORE"}, "The expiry date must be after the date of the check", "Passport seen"),
    ("training", {"expires_on": "BEFORE"}, "The expiry date must be after the date completed", "First aid"),
    ("tasks", {"signed_off_by": ""}, "Enter who signed off competence as well as the date", "Suction"),
    ("absences", {"end_date": "BEFORE"}, "The last day must be on or after the first day", "Dentist"),
], ids=["checks", "training", "tasks", "absences"])
def test_bad_section_input_with_htmx_returns_the_section_with_errors(holder, emp, section, overrides, message,
                                                                      kept):
    _post_bad_section(holder, emp, section, overrides, message, kept, hx=True)


def _post_bad_section(holder, emp, section, overrides, message, kept, hx):
    day = today() - timedelta(days=20)
    data = {
        "checks": {"kind": "right_to_work", "checked_on": parts(day), "expires_on": "",
                   "evidence": "Passport seen", "dbs_level": ""},
        "training": {"course": "First aid", "completed_on": parts(day), "cost": ""},
        "tasks": {"task": "Suction", "practitioner": "Nurse Ng", "practitioner_registration": "NMC 1",
                  "signed_off_by": "Nurse Ng", "signed_off_on": parts(day), "review_on": parts(day + timedelta(99))},
        "absences": {"kind": "sick", "start_date": parts(day), "end_date": parts(day), "note": "Dentist"},
    }[section]
    special = {"BEFORE": parts(day - timedelta(days=1)), "FUTURE": parts(today() + timedelta(days=1)),
               "AFTER": parts(day + timedelta(days=1))}
    data.update({k: special.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()})
    model = {"checks": EmploymentCheck, "training": Training, "tasks": DelegatedTask, "absences": Absence}[section]
    r = post_pa(holder, emp, section, data, headers={"HX-Request": "true"} if hx else {})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert ("<html" in page) is not hx
    assert f'<section id="{section}"' in page and "hx-swap-oob" not in page
    assert_error(page, message)
    if section == "tasks" and "signed_off_by" in overrides:
        assert page.count("Enter who signed off competence") == 4  # both fields, each in summary and by field
    if kept:
        assert kept in page
    assert re.search(r'<details class="govuk-details"\s*open>', section_of(page, section))
    assert count(model) == 0


def test_free_training_can_be_recorded_with_a_cost_of_0(holder, emp):
    """Cost is optional and the database allows 0; typing 0 for a free course should not be an error."""
    data = {"course": "Fire safety", "completed_on": parts(today()), "cost": "0"}
    r = post_pa(holder, emp, "training", data)
    assert r.status_code == 303, re.findall(r"Error:</span>([^<]*)<", r.get_data(as_text=True))
    assert db.session.scalars(select(Training)).one().cost_pence == 0


def test_a_dbs_check_with_its_level_is_saved(holder, emp):
    day = today() - timedelta(days=5)
    r = post_pa(holder, emp, "checks", {
        "kind": "dbs", "checked_on": parts(day), "expires_on": parts(day + timedelta(days=1095)),
        "dbs_level": "enhanced_barred", "dbs_certificate": "001234567890", "dbs_update_service": "y",
        "evidence": "Certificate seen"})
    assert r.status_code == 303
    check = db.session.scalars(select(EmploymentCheck)).one()
    assert (check.dbs_level, check.dbs_certificate, check.dbs_update_service) == ("enhanced_barred", "001234567890",
                                                                                  True)
    page = holder.get(PA.format(**emp.ids)).get_data(as_text=True)
    assert "Enhanced with barred list, certificate 001234567890, on the Update Service" in page
    assert "No DBS check recorded for Pat Jones" not in page


def test_dbs_details_are_dropped_for_other_kinds_of_check(holder, emp):
    post_pa(holder, emp, "checks", {
        "kind": "right_to_work", "checked_on": parts(today()), "dbs_level": "basic", "dbs_certificate": "99",
        "evidence": "Share code checked"})
    check = db.session.scalars(select(EmploymentCheck)).one()
    assert (check.kind, check.dbs_level, check.dbs_certificate) == ("right_to_work", "", "")


def _post_bad_pay(holder, emp, world, overrides, message):
    start = today() - timedelta(days=45)
    data = pay_data(start)
    special = {"BEFORE": parts(start - timedelta(days=1)), "LONG": parts(start + timedelta(days=40)),
               "BEFORE_YEAR": parts(world.dp.plan_year_start - timedelta(days=1)),
               "FUTURE": parts(today() + timedelta(days=1))}
    data.update({k: special.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()})
    before = (count(PayRecord), count(SpendingEntry), count(PayRecordEntry))
    r = post_pa(holder, emp, "pay", data)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Error:" in page
    assert_error(page, message)
    if "gross" not in overrides:
        assert 'value="1,000.00"' in page
    if "hours" not in overrides:
        assert 'value="80"' in page
    if "net" in overrides:
        assert f'value="{overrides["net"]}"' in page
    assert (count(PayRecord), count(SpendingEntry), count(PayRecordEntry)) == before


@pytest.mark.parametrize("overrides, message", [
    ({"net": "1,200"}, "Net pay cannot be more than gross pay"),
    ({"period_end": "BEFORE"}, "The end of the pay period must be on or after its start"),
    ({"paid_on": "BEFORE_YEAR"}, "The date the pay was paid must be in this plan year"),
    ({"paid_on": "FUTURE"}, "The date the pay was paid must be today or in the past"),
    ({"hours": "-3"}, "Hours awake and working cannot be negative"),
], ids=["net-over-gross", "end-before-start", "paid-before-plan-year", "paid-in-future", "negative-hours"])
def test_bad_pay_is_refused_and_nothing_is_paid(holder, emp, world, overrides, message):
    _post_bad_pay(holder, emp, world, overrides, message)


def test_other_bad_pay_is_refused(holder, emp, world):
    for overrides, message in [
        ({"period_end": "LONG"}, "A pay period must be a month or shorter"),
        ({"hours": ""}, "Enter hours awake and working"),
        ({"hours": "800"}, "Hours awake and working must be 744 or fewer"),
        ({"gross": ""}, "Enter the gross pay"),
        ({"gross": "0"}, "Gross pay must be more than £0"),
        ({"net": "ten"}, "Enter an amount in pounds and pence, like 12.50 or £1,234.50"),
        ({"employer_ni": "-5"}, "Employer National Insurance must be more than £0"),
        ({"period_start": ["", "", ""]}, "Enter the start of the pay period"),
    ]:
        _post_bad_pay(holder, emp, world, overrides, message)


def test_deductions_that_add_up_to_more_than_gross_are_refused(holder, emp, world):
    """Net £800 + employee pension £300 out of gross £1,000 cannot be right; HMRC's part would be −£100."""
    before = (count(PayRecord), count(SpendingEntry))
    r = post_pa(holder, emp, "pay", pay_data(today() - timedelta(days=45), employer_ni="0",
                                                                 employee_pension="300"))
    assert r.status_code == 200 and "There is a problem" in r.get_data(as_text=True)
    assert (count(PayRecord), count(SpendingEntry)) == before


@pytest.mark.parametrize("hx", [False, True], ids=["no-js", "htmx"])
def test_a_pay_period_already_recorded_is_refused(holder, emp, hx):
    start = emp.pay.period_start
    before = (count(PayRecord), count(SpendingEntry))
    r = post_pa(holder, emp, "pay", pay_data(start, gross="999", net="700"),
                    headers={"HX-Request": "true"} if hx else {})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and ("<html" in page) is not hx
    assert_error(page, f"Pay for Pat Jones from {start:%-d %B %Y} is already recorded")
    assert 'value="999"' in page
    assert (count(PayRecord), count(SpendingEntry)) == before


def test_the_same_period_for_another_pa_is_fine(holder, emp):
    start = emp.pay.period_start  # Sam Second's pay has this period too
    assert post_pa(holder, emp, "pay", pay_data(start + timedelta(days=1))).status_code == 303
    assert emp.pay2.period_start == start


def test_pay_for_a_pa_without_a_budget_line_asks_for_one(holder, emp):
    emp.pa.line_id = None
    db.session.commit()
    before = count(PayRecord)
    page = post_pa(holder, emp, "pay", pay_data(today() - timedelta(days=45))).get_data(
        as_text=True)
    assert_error(page, "Choose the budget line this PA’s pay comes from first (change their details)")
    assert count(PayRecord) == before
