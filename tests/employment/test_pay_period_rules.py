"""Recording pay by the rules (issue 14): sleep-ins, holiday pay and sick pay apart from hours worked, employer NI
for the pay period and automatic enrolment said in plain words as pay is saved."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from pbportal.employment.models import Absence, Employer, PayRecord, PersonalAssistant
from pbportal.employment.services import employment_for
from pbportal.extensions import db
from pbportal.timeutil import today

from ..conftest import login, make_budget, make_line, make_org
from ..support import parts
from .helpers import assert_error, count, events, make_pa, make_pay, pa_form, pay_data, post_pa


def _week(**overrides):
    start = today() - timedelta(days=20)
    data = pay_data(start, start + timedelta(days=6), hours="30", gross="561.30", net="500", employer_ni="69.20",
                    employee_pension="0", employer_pension="0")
    data.update(overrides)
    return data


@pytest.mark.parametrize("hx", [False, True])
def test_a_sleep_in_week_is_recorded_and_only_awake_hours_meet_the_minimum_wage(holder, emp, hx):
    """30 awake hours at £12.71 = £381.30 plus 3 sleep-ins at £60 = £561.30 gross: not below the minimum wage.
    Employer NI for a week of £561.30 is 15% of £465.30 above £96 = £69.795: half a penny is dropped (HMRC's
    exact percentage method), so £69.79; £69.20 was entered."""
    r = post_pa(holder, emp, "pay", _week(sleep_ins="3", sleep_in_pay="180"),
                headers={"HX-Request": "true"} if hx else {})
    page = r.get_data(as_text=True) if hx else holder.get(r.location.split("#")[0]).get_data(as_text=True)
    assert "Pay of £561.30 gross recorded" in page and "Check this:" not in page
    assert ("Employer National Insurance for this pay works out at £69.79, not the £69.20 entered: 15% of £465.30, "
            "the pay above the secondary threshold for weekly pay (£96.00)") in page.replace("&#39;", "'")
    saved = db.session.scalars(select(PayRecord).where(PayRecord.gross_pence == 56130)).one()
    assert (saved.sleep_ins, saved.sleep_in_pence, saved.hours) == (3, 18000, 30)
    assert events("pay.recorded")[-1].data["sleep_in_pence"] == 18000
    assert "3 sleep-ins" in page


def test_sleep_in_pay_cannot_hide_awake_hours_paid_too_little(holder, emp):
    """30 awake hours paid £330 (£11.00) and 3 sleep-ins paid £270: £600 gross, yet £1.71 an hour short."""
    r = post_pa(holder, emp, "pay", _week(gross="600", sleep_ins="3", sleep_in_pay="270", employer_ni="75.60"),
                headers={"HX-Request": "true"})
    page = r.get_data(as_text=True)
    assert "works out at £11.00 an hour for the hours awake and working (£270.00 sleep-in pay not counted: it is " \
           "not pay for hours worked), below the National Living Wage" in page
    assert "£51.30 short" in page  # 30 × £12.71 = £381.30 − £330


def test_no_note_when_the_employer_ni_entered_is_the_period_s(holder, emp):
    r = post_pa(holder, emp, "pay", _week(employer_ni="69.79", sleep_ins="3", sleep_in_pay="180"),
                headers={"HX-Request": "true"})
    assert "Employer National Insurance for this pay works out" not in r.get_data(as_text=True)


@pytest.mark.parametrize("data, field, message", [
    ({"sleep_in_pay": "50"}, "sleep_ins", "Enter how many sleep-ins this pay is for"),
    ({"sleep_ins": "two"}, "sleep_ins", "Sleep-ins must be a whole number, like 3"),
    ({"sleep_ins": "40"}, "sleep_ins", "Sleep-ins must be 31 or fewer (one a night)"),
    ({"holiday_pay": "400", "ssp": "200"}, "gross", "Gross pay must include the sleep-in pay, holiday pay and sick "
                                                    "pay, so it cannot be less than they add up to"),
    ({"holiday_rolled_up": "y", "holiday_pay": "0"}, "holiday_rolled_up",
     "Enter the rolled-up holiday pay included in the gross pay"),
    ({"ssp": "-3"}, "ssp", "Statutory Sick Pay (optional) must be more than £0"),
])
def test_bad_parts_of_pay_are_refused_by_their_field(holder, emp, data, field, message):
    emp.pa.irregular_hours = True  # so that rolled-up holiday pay is offered
    db.session.commit()
    before = count(PayRecord)
    r = post_pa(holder, emp, "pay", _week(**data))
    assert r.status_code == 200
    assert_error(r.get_data(as_text=True), message)
    assert count(PayRecord) == before


def test_rolled_up_holiday_pay_is_kept_apart_for_an_irregular_hours_pa_only(holder, emp):
    """Rolled-up holiday pay is lawful only for irregular-hours and part-year workers (leave years from April
    2024): the box is not offered for a PA with regular hours, and a posted one is not taken."""
    page = holder.get(f"/budgets/{emp.ids['dp']}/pas/{emp.pa.id}").get_data(as_text=True)
    assert "rolled-up holiday pay, paid with each pay" not in page
    post_pa(holder, emp, "pay", _week(holiday_pay="46.02", holiday_rolled_up="y"))
    assert not db.session.scalars(select(PayRecord).where(PayRecord.gross_pence == 56130)).one().holiday_rolled_up
    emp.pa.irregular_hours = True
    db.session.commit()
    assert "rolled-up holiday pay, paid with each pay" in holder.get(
        f"/budgets/{emp.ids['dp']}/pas/{emp.pa.id}").get_data(as_text=True)
    later = pay_data(today() - timedelta(days=13), today() - timedelta(days=7), hours="30", gross="561.30",
                     net="500") | {"holiday_pay": "46.02", "holiday_rolled_up": "y"}
    r = post_pa(holder, emp, "pay", later)
    assert r.status_code == 303
    saved = db.session.scalars(select(PayRecord).where(PayRecord.gross_pence == 56130,
                                                       PayRecord.holiday_rolled_up)).one()
    assert saved.holiday_pay_pence == 4602 and saved.holiday_rolled_up


def test_an_eligible_jobholder_not_in_a_pension_is_named_as_pay_is_saved(holder, emp):
    """£561.30 a week is over the £192 weekly trigger; Pat has no date of birth (an eligible age is assumed)."""
    r = post_pa(holder, emp, "pay", _week(sleep_ins="3", sleep_in_pay="180"), headers={"HX-Request": "true"})
    assert "Pat Jones must be put into a workplace pension: aged 22 to State Pension age and paid more than the " \
           "£192.00 weekly trigger" in r.get_data(as_text=True)
    emp.pa.pension_enrolled_on = today() - timedelta(days=100)
    db.session.commit()
    week = pay_data(today() - timedelta(days=13), today() - timedelta(days=7), hours="30", gross="561.30",
                    net="500", employer_ni="69.80")
    r = post_pa(holder, emp, "pay", week, headers={"HX-Request": "true"})
    assert "must be put into a workplace pension" not in r.get_data(as_text=True)


def test_a_pa_s_pay_pattern_sleep_ins_accommodation_and_pension_are_saved_and_audited(holder, world, rates):
    data = pa_form(world, pay_frequency="monthly", pay_weekday="0", working_days=["0", "2", "4"],
                   sleep_ins_per_week="3", sleep_in_pay="60", apprentice_since=parts(today() - timedelta(days=30)),
                   lives_in="y", accommodation_charge="0", pension_enrolled_on=parts(today() - timedelta(days=10)))
    r = holder.post(f"/budgets/{world.dp.id}/pas/new", data=data)
    assert r.status_code == 303
    pa = db.session.scalars(select(PersonalAssistant).where(PersonalAssistant.name == "Jo Bloggs")).one()
    assert (pa.pay_frequency, pa.working_days, pa.sleep_ins_per_week, pa.sleep_in_pence) == ("monthly", "024", 3, 6000)
    assert pa.lives_in and pa.accommodation_charge == 0 and pa.apprentice_since == today() - timedelta(days=30)
    assert pa.pension_enrolled_on == today() - timedelta(days=10)
    assert events("pa.added")[0].data["sleep_in_pence"] == 6000
    page = holder.get(r.location).get_data(as_text=True)
    for shown in ("Every month, counted on its last day", "Monday, Wednesday, Friday", "3 a week at £60.00 each",
                  "Yes, free accommodation", f"Joined on {today() - timedelta(days=10):%-d %B %Y}"):
        assert shown in page
    form = holder.get(f"/budgets/{world.dp.id}/pas/{pa.id}/edit").get_data(as_text=True)
    assert 'value="60.00"' in form and 'value="2" checked' in form and 'value="1" checked' not in form


@pytest.mark.parametrize("data, message", [
    ({"sleep_ins_per_week": "3"}, "Enter the pay for each sleep-in"),
    ({"sleep_ins_per_week": "9", "sleep_in_pay": "60"}, "Sleep-ins a week must be 7 or fewer (one a night)"),
    ({"working_days": []}, "Select the days they usually work"),
    ({"pay_frequency": "daily"}, "Not a valid choice"),
    ({"pension_enrolled_on": parts(today() - timedelta(days=10)),
      "pension_opted_out_on": parts(today() - timedelta(days=20))},
     "The date they opted out must be on or after the date they joined"),
    ({"pension_postponed_until": parts(today() + timedelta(days=200))},
     "Enrolment can be postponed by up to 3 months: enter"),
    ({"lives_in": "y", "accommodation_charge": "ten"},
     "Enter the accommodation charge in pounds and pence, like 12.50"),
])
def test_a_pa_s_pay_pattern_is_checked(holder, world, rates, data, message):
    r = holder.post(f"/budgets/{world.dp.id}/pas/new", data=pa_form(world, **data))
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "There is a problem" in page and message in page.replace("&#39;", "'")
    assert count(PersonalAssistant) == 0


def test_sickness_shows_its_statutory_sick_pay_and_its_cover_in_the_true_cost(holder, world, rates):
    """Pat earns £150 a week in the 8 weeks before a Monday-to-Wednesday sickness: SSP is the lower of £123.25 and
    80% of £150 = £120 a week, from the first day: 3 of 5 working days = £72.00. Someone covering those days
    costs Pat's pay again: 3 × £260 / 5 = £156.00. Holiday: 5.6 × 20 hours = 112 hours; 2 days off are 8 hours."""
    pa = make_pa(world.dp, "Pat Jones", world.lines["wages"], start=date(2025, 1, 1))
    monday = today() - timedelta(days=today().weekday() + 7)
    for n in range(1, 9):
        make_pay(pa, world.holder, monday - timedelta(days=7 * n), days=6, hours="12", gross=15_000, net=15_000)
    db.session.add(Absence(pa_id=pa.id, budget_id=world.dp.id, kind="sick", start_date=monday,
                           end_date=monday + timedelta(days=2), created_by_id=world.holder.id))
    db.session.add(Absence(pa_id=pa.id, budget_id=world.dp.id, kind="holiday", start_date=monday + timedelta(days=3),
                           end_date=monday + timedelta(days=4), created_by_id=world.holder.id))
    db.session.commit()
    page = holder.get(f"/budgets/{world.dp.id}/pas/{pa.id}").get_data(as_text=True)
    assert "Statutory Sick Pay: <strong>£72.00</strong> (3 of 3 working days at £120.00 a week)" in page
    assert "Sickness this plan year: 3 working days, Statutory Sick Pay £72.00, and cover for those days costs " \
           "about £156.00 again" in page
    assert "Entitlement: 112 hours (5.6 weeks of 20 hours). Taken: 8 hours. <strong>Left: 104 hours.</strong>" in page
    costs = holder.get(f"/budgets/{world.dp.id}/pas").get_data(as_text=True)
    assert re.search(r"Statutory Sick Pay so far this plan year</dt><dd[^>]*>£72.00<", costs)
    assert re.search(r"Cover while PAs were off sick this plan year</dt><dd[^>]*>£156.00<", costs)
    plan = holder.get(f"/budgets/{world.dp.id}/contingency").get_data(as_text=True)
    assert "a week’s cover for Pat Jones (the PA paid most) is about £260.00, on top of up to £123.25 a week of " \
           "Statutory Sick Pay. This plan year, PAs have been off sick for 3 working days: Statutory Sick Pay " \
           "£72.00 and cover about £156.00." in plan


def test_an_irregular_hours_pa_accrues_holiday_from_hours_worked(holder, world, rates):
    pa = make_pa(world.dp, "Ira Regular", world.lines["wages"], start=date(2025, 1, 1), irregular_hours=True)
    start = date(2026, 4, 6)
    for n in range(4):  # 4 weeks of 25 hours in this leave year: 100 hours → 12.07 hours of holiday
        make_pay(pa, world.holder, start + timedelta(days=7 * n), days=6, hours="25", gross=40_000, net=40_000)
    db.session.add(Absence(pa_id=pa.id, budget_id=world.dp.id, kind="holiday", start_date=date(2026, 6, 1),
                           end_date=date(2026, 6, 1), hours=Decimal("5.5"), created_by_id=world.holder.id))
    db.session.commit()
    page = holder.get(f"/budgets/{world.dp.id}/pas/{pa.id}").get_data(as_text=True)
    assert "Accrued so far: 12.07 hours (12.07% of the 100 hours worked this leave year). Taken: 5.5 hours. " \
           "<strong>Left: 6.57 hours.</strong>" in page


def test_a_payslip_itemises_the_pay_and_a_tax_year_s_payslips_print_and_download_together(client, world, rates):
    pa = make_pa(world.dp, "Ira Regular", world.lines["wages"], start=date(2025, 1, 1), irregular_hours=True)
    week = today() - timedelta(days=20)
    record = make_pay(pa, world.holder, week, days=6, hours="30", gross=56_130 + 4_602, net=50_000, employer_ni=7_669,
                      employee_pension=900, employer_pension=700)
    record.sleep_ins, record.sleep_in_pence = 3, 18_000
    record.holiday_pay_pence, record.holiday_rolled_up = 4_602, True
    voided = make_pay(pa, world.holder, week - timedelta(days=7), days=6, hours="10", gross=12_710, net=12_710)
    voided.status, voided.change_reason = "voided", "Entered twice"
    db.session.commit()
    login(client, "cm@example.org")  # the case manager reads them too
    slip = client.get(f"/budgets/{world.dp.id}/pas/{pa.id}/pay/{record.id}/payslip").get_data(as_text=True)
    rows = dict(re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th><td[^>]*>(?:<strong>)?([^<]+)',
                           slip))
    assert rows["Employee"] == "Ira Regular" and rows["Hours awake and working"] == "30"
    assert rows["Sleep-ins"] == "3" and rows["Sleep-in pay (3)"] == "£180.00"
    assert rows["Pay for hours worked"] == "£381.30" and rows["Rolled-up holiday pay"] == "£46.02"
    assert rows["Gross pay"] == "£607.32" and rows["Net pay"] == "£500.00"
    assert rows["Income tax and employee National Insurance"] == "−£98.32"  # 607.32 − 500 − 9.00
    assert rows["Employee pension contribution"] == "−£9.00" and rows["Employer National Insurance"] == "£76.69"
    assert "£381.30 for 30 hours awake and working is £12.71 an hour" in slip
    assert "kept for 6 years" in slip
    year = client.get(f"/budgets/{world.dp.id}/pas/{pa.id}/payslips")
    page = year.get_data(as_text=True)
    assert page.count('class="pb-payslip"') == 1  # the voided pay has no payslip
    assert "Download this tax year’s payslips as one file" in page
    tax_year = week.year if (week.month, week.day) >= (4, 6) else week.year - 1
    download = client.get(f"/budgets/{world.dp.id}/pas/{pa.id}/payslips?year={tax_year}&download=1")
    assert download.headers["Content-Disposition"].startswith('attachment; filename="payslips-Ira_Regular-')
    assert "<style>" in download.get_data(as_text=True) and "Gross pay" in download.get_data(as_text=True)
    empty = client.get(f"/budgets/{world.dp.id}/pas/{pa.id}/payslips?year=2019").get_data(as_text=True)
    assert "No pay recorded for Ira Regular in the tax year 2019/20" in empty
    assert client.get(f"/budgets/{world.dp.id}/pas/{pa.id}/payslips?year=99999").status_code == 404


# ---- 4. Employment Allowance belongs to the employer ---------------------------------------------------------

def test_one_allowance_is_shared_across_a_holder_s_budgets_and_its_last_pay_day_is_said(holder, world, rates):
    """Alex employs two PAs through a council direct payment and two through an NHS personal health budget, each
    paid £1,000 a week: employer NI of 15% × (£1,000 − £96) = £135.60 a week each, £542.40 a week in all. The
    £10,500 allowance is used up with the 20th Friday's pay (20 × £542.40 = £10,848 > £10,500; 19 weeks is
    £10,305.60). Each budget's share is half, £5,250, because their NI is the same."""
    nhs = make_org("Test NHS", "nhs")
    phb = make_budget(world.holder, nhs, start=world.dp.plan_year_start, name=world.dp.person_name)
    wages = make_line(phb, "PA wages (NHS)")
    for budget, line in ((world.dp, world.lines["wages"]), (phb, wages)):
        for name in ("First", "Second"):
            make_pa(budget, f"{name} {budget.id}", line, rates=(("day", 2000, "50"),), start=date(2025, 1, 1))
    db.session.commit()
    answer = {"care_duties_only": "yes", "allowance_claimed": "y"}
    r = holder.post(f"/budgets/{world.dp.id}/pas/employer", data=answer)
    assert r.status_code == 303
    # Asked once: the NHS budget has the answer and the claim too, audited there.
    assert db.session.scalars(select(Employer).where(Employer.budget_id == phb.id)).one().care_duties_only is True
    assert events("employer.changed")[-1].budget_id in (world.dp.id, phb.id)
    emp = employment_for(world.dp.id, today())
    other = employment_for(phb.id, today())
    assert emp.cost.allowance_total_pence == 1_050_000 and emp.cost.shared_by == 2
    assert emp.cost.allowance_pence == other.cost.allowance_pence == 525_000
    fridays = [day for day, _ in sorted(emp.cost.pas[0].ni_schedule)]
    assert emp.cost.allowance_runs_out == fridays[19] == other.cost.allowance_runs_out
    page = holder.get(f"/budgets/{world.dp.id}/pas").get_data(as_text=True)
    assert "shared across 2 budgets by their employer NI (this budget’s share £5,250.00)" in page
    assert f"It runs out with the pay of {fridays[19]:%-d %B %Y}" in page


def test_the_allowance_is_refused_unless_every_employee_s_duties_are_for_care(holder, world, rates):
    r = holder.post(f"/budgets/{world.dp.id}/pas/employer", data={"care_duties_only": "no", "allowance_claimed": "y"})
    assert r.status_code == 200
    assert_error(r.get_data(as_text=True), "Employment Allowance can be claimed by an employer of care and support "
                                           "staff only if every employee’s duties are for the person’s care and "
                                           "support: answer that question yes, or untick the allowance")
    assert count(Employer) == 0
