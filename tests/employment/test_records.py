"""Employing PAs, 2. happy paths: adding and changing PAs, the sections of their records with and without
htmx, pay and the payments it makes, voiding pay, the employer's details."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from pbportal.employment.models import (
    Absence,
    AllowanceClaim,
    DelegatedTask,
    Employer,
    EmploymentCheck,
    PayRate,
    PayRecord,
    PayRecordEntry,
    PersonalAssistant,
    Training,
)
from pbportal.employment.rates import tax_year_start
from pbportal.extensions import db
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today

from ..conftest import login, make_entry
from ..support import parts
from .helpers import PA, assert_error, count, events, make_pa, pa_form, pay_data, post_pa, prefixed, section_of, spent


def test_add_a_pa_with_day_and_night_rates(holder, world, rates):
    r = holder.post(f"/budgets/{world.dp.id}/pas/new", data=pa_form(world))
    assert r.status_code == 303
    pa = db.session.scalar(select(PersonalAssistant).where(PersonalAssistant.name == "Jo Bloggs"))
    assert r.location == f"/budgets/{world.dp.id}/pas/{pa.id}"
    assert pa.budget_id == world.dp.id and pa.line_id == world.lines["wages"].id and pa.employment_type == "employed"
    assert pa.start_date == world.dp.plan_year_start + timedelta(days=3) and pa.phone == "07700 900123"
    assert pa.hours_per_week == Decimal("30")
    assert sorted((r.kind, r.hourly_pence, r.hours_per_week, r.budget_id) for r in pa.rates) == [
        ("day", 1300, Decimal("20"), world.dp.id), ("night", 1450, Decimal("10"), world.dp.id)]
    page = holder.get(r.location).get_data(as_text=True)
    assert "Jo Bloggs’s details saved." in page
    assert "Day: £13.00 an hour, 20 hours a week" in page and "Night: £14.50 an hour, 10 hours a week" in page
    assert "Personal assistant wages" in page  # paid from
    event = events("pa.added")[0]
    assert event.object_id == pa.id and event.actor_id == world.holder.id and event.budget_id == world.dp.id
    assert event.data["rates"] == [["day", 1300, "20"], ["night", 1450, "10"]]
    listing = holder.get(f"/budgets/{world.dp.id}/pas").get_data(as_text=True)
    assert "Jo Bloggs" in listing and "Day £13.00 × 20h" in listing and "Night £14.50 × 10h" in listing


def test_a_pa_with_an_email_address_is_saved(holder, world, rates):
    """PAForm.email uses wtforms' Email(), which needs the email_validator package."""
    r = holder.post(f"/budgets/{world.dp.id}/pas/new", data=pa_form(world, email="jo@example.org"))
    assert r.status_code == 303
    assert db.session.scalars(select(PersonalAssistant)).one().email == "jo@example.org"


def test_edit_changes_the_rates_and_audits_the_changes(holder, emp, world):
    url = PA.format(**emp.ids) + "/edit"
    form = holder.get(url).get_data(as_text=True)
    assert 'value="Pat Jones"' in form and 'value="13.00"' in form and 'value="20"' in form
    data = pa_form(world, name="Pat Jones", start_date=parts(emp.pa.start_date), day_rate="13.50",
                   day_hours="25", phone="", email="")
    r = holder.post(url, data=data)
    assert r.status_code == 303 and r.location == PA.format(**emp.ids)
    db.session.expire_all()
    rows = db.session.scalars(select(PayRate).where(PayRate.pa_id == emp.pa.id).order_by(PayRate.kind)).all()
    assert [(r.kind, r.hourly_pence, r.hours_per_week) for r in rows] == [
        ("day", 1350, Decimal("25")), ("night", 1450, Decimal("10"))]
    assert db.session.get(PersonalAssistant, emp.pa.id).hours_per_week == Decimal("35")
    event = events("pa.changed")[-1]
    assert event.object_id == emp.pa.id and event.actor_id == world.holder.id
    before, after = event.data["changes"]["rates"]
    assert ["day", 1300] == before[0][:2] and after == [["day", 1350, "25"], ["night", 1450, "10"]]
    assert "name" not in event.data["changes"]
    page = holder.get(r.location).get_data(as_text=True)
    assert "Day: £13.50 an hour, 25 hours a week" in page and "£13.00" not in section_of(page, "pa-cost")


def test_saving_unchanged_details_records_no_changes(holder, emp, world):
    """The audit should not claim the rates changed when the same figures were saved again."""
    data = pa_form(world, name="Pat Jones", start_date=parts(emp.pa.start_date), day_rate="13.00",
                   day_hours="20", night_rate="", night_hours="", phone="", email="")
    assert holder.post(PA.format(**emp.ids) + "/edit", data=data).status_code == 303
    assert events("pa.changed")[-1].data["changes"] == {}


def test_end_employment_keeps_the_records(holder, emp, world):
    url = PA.format(**emp.ids) + "/end"
    last_day = today() - timedelta(days=1)
    r = holder.post(url, data={"end_date": parts(last_day), "reason": "Moved away"})
    assert r.status_code == 303 and r.location == PA.format(**emp.ids)
    db.session.expire_all()
    pa = db.session.get(PersonalAssistant, emp.pa.id)
    assert pa.end_date == last_day and pa.end_reason == "Moved away"
    page = holder.get(r.location).get_data(as_text=True)
    assert f"Pat Jones’s employment ended on {last_day:%-d %B %Y}" in page and "Moved away" in page
    assert "End Pat Jones’s employment" not in page
    assert events("pa.employment_ended")[0].data["reason"] == "Moved away"
    assert count(PayRecord, PayRecord.pa_id == emp.pa.id) == 1
    listing = holder.get(f"/budgets/{world.dp.id}/pas").get_data(as_text=True)
    assert "Left" in listing


def test_end_date_before_the_start_is_refused(holder, emp):
    start = emp.pa.start_date
    r = holder.post(PA.format(**emp.ids) + "/end", data={"end_date": parts(start - timedelta(days=1)),
                                                         "reason": "Typo test"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Error:" in page
    assert_error(page, f"The last day must be on or after their start date, {start:%-d %B %Y}")
    assert "Typo test" in page
    assert db.session.get(PersonalAssistant, emp.pa.id).end_date is None and events("pa.employment_ended") == []


def test_changing_the_start_date_to_after_the_end_date_is_refused_not_a_crash(holder, emp, world):
    """personal_assistant has CHECK end_date >= start_date; the form must catch it before the database does."""
    ended = today() - timedelta(days=10)
    emp.pa.end_date, emp.pa.end_reason = ended, "Left"
    db.session.commit()
    data = pa_form(world, name="Pat Jones", start_date=parts(ended + timedelta(days=5)), night_rate="",
                   night_hours="")
    r = holder.post(PA.format(**emp.ids) + "/edit", data=data)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "There is a problem" in page and "start date" in page.lower()
    assert db.session.get(PersonalAssistant, emp.pa.id).start_date == emp.pa.start_date


def _section_data(section: str) -> dict:
    day = today() - timedelta(days=10)
    return {
        "checks": {"kind": "contract", "checked_on": parts(day), "evidence": "Signed contract kept in the file"},
        "training": {"course": "Moving and handling", "completed_on": parts(day),
                     "expires_on": parts(day + timedelta(days=365)), "cost": "45"},
        "tasks": {"task": "PEG feeding", "practitioner": "Nurse Ng", "practitioner_registration": "NMC 12A3456E",
                  "trained_on": parts(day - timedelta(days=2)), "signed_off_by": "Nurse Ng",
                  "signed_off_on": parts(day), "review_on": parts(today() + timedelta(days=200))},
        "absences": {"kind": "holiday", "start_date": parts(day), "end_date": parts(day + timedelta(days=4)),
                     "note": "Week in Devon"},
    }[section]


SECTIONS = [
    ("checks", EmploymentCheck, "employment_check.added", "Check added.", "Signed contract kept in the file"),
    ("training", Training, "training.added", "Training added.", "Moving and handling"),
    ("tasks", DelegatedTask, "delegated_task.added", "Delegated task added.", "PEG feeding"),
    ("absences", Absence, "absence.added", "Absence added.", "Week in Devon"),
]


@pytest.mark.parametrize("section, model, action, message, shown", SECTIONS, ids=[s[0] for s in SECTIONS])
def test_add_to_a_section_without_javascript(holder, emp, world, section, model, action, message, shown):
    r = post_pa(holder, emp, section, _section_data(section))
    assert r.status_code == 303 and r.location == PA.format(**emp.ids) + f"#{section}"
    row = db.session.scalars(select(model).where(model.pa_id == emp.pa.id)).one()
    assert row.budget_id == world.dp.id
    event = events(action)[0]
    assert event.object_id == row.id and event.actor_id == world.holder.id and event.data["pa_id"] == emp.pa.id
    page = holder.get(r.location.split("#")[0]).get_data(as_text=True)
    assert message in page and shown in section_of(page, section)
    if section == "training":
        assert row.cost_pence == 4500 and row.expires_on == row.completed_on + timedelta(days=365)
    if section == "tasks":
        assert row.signed_off_by == "Nurse Ng" and row.practitioner_registration == "NMC 12A3456E"
    if section == "absences":
        assert (row.end_date - row.start_date).days == 4 and "(5 days)" in page


@pytest.mark.parametrize("section, model, action, message, shown", SECTIONS, ids=[s[0] for s in SECTIONS])
def test_add_to_a_section_with_htmx(holder, emp, world, section, model, action, message, shown):
    r = post_pa(holder, emp, section, _section_data(section),
                    headers={"HX-Request": "true", "HX-Target": section})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in page
    assert f'<section id="{section}"' in page and message in page and shown in page
    assert re.search(r'<div id="pa-warnings"\s+hx-swap-oob="true"', page)
    assert re.search(r'<section id="pa-cost"[^>]*hx-swap-oob="true"', page)
    assert page.count('hx-swap-oob="true"') == 2
    assert "Vary" in r.headers and "HX-Request" in r.headers["Vary"]
    assert count(model, model.pa_id == emp.pa.id) == 1 and len(events(action)) == 1
    # The form in the returned section is blank again, ready for the next one.
    assert 'value="Nurse Ng"' not in page and "Week in Devon</textarea>" not in page


def test_htmx_out_of_band_warnings_are_fresh(holder, emp):
    before = holder.get(PA.format(**emp.ids)).get_data(as_text=True)
    assert "No written contract recorded for Pat Jones" in section_of(before, "pa-warnings")
    r = post_pa(holder, emp, "checks", _section_data("checks"), headers={"HX-Request": "true"})
    warnings = r.get_data(as_text=True)
    warnings = warnings[warnings.index('id="pa-warnings"'):]
    warnings = warnings[:warnings.index('id="pa-cost"')]
    assert "No written contract recorded for Pat Jones" not in warnings
    assert "No right to work check recorded for Pat Jones" in warnings


def test_boosted_and_history_restore_requests_get_the_whole_page(holder, emp):
    for extra in ({"HX-Boosted": "true"}, {"HX-History-Restore-Request": "true"}):
        page = holder.get(PA.format(**emp.ids), headers={"HX-Request": "true", **extra}).get_data(as_text=True)
        assert "<html" in page


def _pay_entries(pay_id):
    db.session.expire_all()
    return db.session.scalars(select(SpendingEntry).join(PayRecordEntry, PayRecordEntry.entry_id == SpendingEntry.id)
                              .where(PayRecordEntry.pay_record_id == pay_id)).all()


def test_recording_pay_makes_its_three_payments_on_the_right_lines(holder, emp, world):
    start = today() - timedelta(days=45)
    paid = today() - timedelta(days=2)
    spent_before = spent(world.dp.id)
    r = post_pa(holder, emp, "pay", pay_data(start, paid_on=paid))
    assert r.status_code == 303 and r.location == PA.format(**emp.ids) + "#pay"
    page = holder.get(r.location.split("#")[0]).get_data(as_text=True)
    assert ("Pay of £1,000.00 gross recorded: £800.00 to Pat Jones, £220.00 to HMRC, £50.00 to the pension."
            in page)
    record = db.session.scalars(select(PayRecord).where(PayRecord.pa_id == emp.pa.id,
                                                        PayRecord.period_start == start)).one()
    assert (record.gross_pence, record.net_pence, record.employer_ni_pence, record.employee_pension_pence,
            record.employer_pension_pence, record.hours, record.paid_on, record.source, record.budget_id) == (
        100000, 80000, 5000, 3000, 2000, Decimal("80"), paid, "form", world.dp.id)
    entries = {e.payee: e for e in _pay_entries(record.id)}
    assert set(entries) == {"Pat Jones", "HMRC", "Workplace pension"}
    # Net pay to the PA on the PA's line; gross − net − employee pension + employer NI to HMRC; both pensions.
    wages, hmrc, pension = entries["Pat Jones"], entries["HMRC"], entries["Workplace pension"]
    assert (wages.amount_pence, wages.line_id, wages.category) == (80000, world.lines["wages"].id, "pa_wages")
    assert (hmrc.amount_pence, hmrc.line_id, hmrc.category) == (100000 - 80000 - 3000 + 5000,
                                                                world.lines["hmrc"].id, "hmrc")
    assert (pension.amount_pence, pension.line_id, pension.category) == (3000 + 2000, world.lines["pension"].id,
                                                                        "pension")
    for entry in entries.values():
        assert entry.paid_on == paid and entry.status == "active" and entry.created_by_id == world.holder.id
        assert entry.budget_id == world.dp.id
    assert count(PayRecordEntry, PayRecordEntry.pay_record_id == record.id) == 3
    assert spent(world.dp.id) == spent_before + 80000 + 22000 + 5000
    pay_event = events("pay.recorded")[-1]
    assert pay_event.object_id == record.id and pay_event.actor_id == world.holder.id
    assert sorted(pay_event.data["entries"]) == sorted(e.id for e in entries.values())
    recorded = [e for e in events("spending.recorded") if e.data.get("pay_record_id") == record.id]
    assert sorted(e.object_id for e in recorded) == sorted(e.id for e in entries.values())
    pay_list = section_of(page, "pay")
    assert f"{start:%-d %b %Y} to {start + timedelta(days=27):%-d %b %Y}" in pay_list
    assert "net £800.00 · HMRC £220.00 · pension £50.00" in pay_list


def test_recording_pay_with_htmx_returns_the_pay_section(holder, emp):
    start = today() - timedelta(days=45)
    r = post_pa(holder, emp, "pay", pay_data(start), headers={"HX-Request": "true"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in page and '<section id="pay"' in page
    assert "£220.00 to HMRC" in page and 'hx-swap-oob="true"' in page
    assert count(PayRecord, PayRecord.pa_id == emp.pa.id) == 2


@pytest.mark.parametrize("hx", [False, True])
def test_pay_below_the_minimum_wage_says_so_as_it_is_saved(holder, emp, hx):
    """80 hours for £800 gross is £10.00 an hour: below the National Living Wage, said beside "recorded"."""
    start = today() - timedelta(days=45)
    data = pay_data(start, gross="800", net="640", employee_pension="0", employer_pension="0", employer_ni="0")
    r = post_pa(holder, emp, "pay", data, headers={"HX-Request": "true"} if hx else {})
    page = r.get_data(as_text=True) if hx else holder.get(r.location.split("#")[0]).get_data(as_text=True)
    said = (f"Check this: Pat Jones’s pay for {start:%-d %b} to {start + timedelta(days=27):%-d %b %Y} works out at "
            "£10.00 an hour for the hours awake and working, below the National Living Wage for a pay period starting "
            "then")
    assert "Pay of £800.00 gross recorded" in page and said in page
    fair = post_pa(holder, emp, "pay", pay_data(start + timedelta(days=28), gross="1,100.00", net="880"),
                   headers={"HX-Request": "true"})
    assert "Pay of £1,100.00 gross recorded" in fair.get_data(as_text=True)
    assert "Check this:" not in fair.get_data(as_text=True)  # £13.75 an hour


def test_pay_without_hmrc_or_pension_lines_lands_on_the_wages_line(client, world, rates):
    pa = make_pa(world.other_dp, "Olly Other", world.lines["other"])
    db.session.commit()
    login(client, "other@example.org")
    r = client.post(f"/budgets/{world.other_dp.id}/pas/{pa.id}/pay",
                    data=prefixed("pay", pay_data(today() - timedelta(days=40))))
    assert r.status_code == 303
    record = db.session.scalars(select(PayRecord).where(PayRecord.pa_id == pa.id)).one()
    entries = _pay_entries(record.id)
    assert len(entries) == 3 and {e.line_id for e in entries} == {world.lines["other"].id}
    assert sum(e.amount_pence for e in entries) == 80000 + 22000 + 5000


def test_voiding_pay_voids_its_payments_and_the_figures_go_back(holder, emp, world):
    spent_before = spent(world.dp.id)
    start = today() - timedelta(days=45)
    post_pa(holder, emp, "pay", pay_data(start))
    record = db.session.scalars(select(PayRecord).where(PayRecord.pa_id == emp.pa.id,
                                                        PayRecord.period_start == start)).one()
    assert spent(world.dp.id) == spent_before + 107000
    url = PA.format(**emp.ids) + f"/pay/{record.id}/void"
    form = holder.get(url).get_data(as_text=True)
    assert f"Void Pat Jones’s pay for {start:%-d %b %Y}" in form and "HMRC £220.00" in form
    r = holder.post(url, data={"reason": "Hours were wrong"})
    assert r.status_code == 303 and r.location == PA.format(**emp.ids) + "#pay"
    db.session.expire_all()
    record = db.session.get(PayRecord, record.id)
    assert record.status == "voided" and record.change_reason == "Hours were wrong"
    assert record.changed_by_id == world.holder.id and record.changed_at is not None
    entries = _pay_entries(record.id)
    assert len(entries) == 3
    for entry in entries:
        assert entry.status == "voided" and entry.change_reason == "Pay record voided: Hours were wrong"
    assert spent(world.dp.id) == spent_before
    assert events("pay.voided")[0].object_id == record.id
    assert sorted(e.object_id for e in events("spending.voided")) == sorted(e.id for e in entries)
    page = holder.get(r.location.split("#")[0]).get_data(as_text=True)
    assert "Pay record voided, with its payments." in page and "Voided" in section_of(page, "pay")
    again = holder.post(url, data={"reason": "Twice"})
    assert again.status_code == 303
    assert "already been voided" in holder.get(again.location.split("#")[0]).get_data(as_text=True)
    assert db.session.get(PayRecord, record.id).change_reason == "Hours were wrong"


def test_void_needs_a_reason(holder, emp):
    r = holder.post(PA.format(**emp.ids) + f"/pay/{emp.pay.id}/void", data={"reason": " "})
    assert_error(r.get_data(as_text=True), "Enter why you are voiding this pay record")
    assert db.session.get(PayRecord, emp.pay.id).status == "active"


def test_a_voided_period_can_be_recorded_again_with_the_right_figures(holder, emp):
    """Voiding wrong pay and recording the right pay for the same period is the normal way to correct it."""
    start = emp.pay.period_start
    holder.post(PA.format(**emp.ids) + f"/pay/{emp.pay.id}/void", data={"reason": "Wrong gross"})
    r = post_pa(holder, emp, "pay", pay_data(start, start + timedelta(days=27),
                                                                 paid_on=today()))
    assert r.status_code == 303, re.findall(r"Error:</span>([^<]*)<", r.get_data(as_text=True))
    assert count(PayRecord, PayRecord.pa_id == emp.pa.id, PayRecord.status == "active") == 1


def test_employer_details_save_with_the_allowance_claim(holder, emp, world):
    renews = today() + timedelta(days=200)
    data = {"paye_reference": " 123/AB45678 ", "hmrc_registered_on": parts(world.dp.plan_year_start),
            "insurer": "Care Insure Ltd", "policy_number": "POL-1", "insurance_renews_on": parts(renews),
            "insurance_covers_delegated_tasks": "y", "insurance_premium": "120", "payroll_fee": "£90.50",
            "allowance_claimed": "y", "care_duties_only": "yes"}
    r = holder.post(f"/budgets/{world.dp.id}/pas/employer", data=data)
    assert r.status_code == 303 and r.location == f"/budgets/{world.dp.id}/pas"
    employer = db.session.scalars(select(Employer).where(Employer.budget_id == world.dp.id)).one()
    assert (employer.paye_reference, employer.insurer, employer.policy_number, employer.insurance_renews_on,
            employer.insurance_covers_delegated_tasks, employer.insurance_premium_pence,
            employer.payroll_fee_pence_per_year) == ("123/AB45678", "Care Insure Ltd", "POL-1", renews, True, 12000,
                                                     9050)
    year = tax_year_start(today())
    claim = db.session.scalars(select(AllowanceClaim).where(AllowanceClaim.budget_id == world.dp.id)).one()
    assert claim.tax_year_start == year and claim.claimed is True
    event = events("employer.changed")[0]
    assert event.actor_id == world.holder.id and event.budget_id == world.dp.id
    assert event.data["changes"]["paye_reference"] == [None, "123/AB45678"]
    assert event.data["changes"][f"employment_allowance_{year.year}"] == [None, True]
    page = holder.get(r.location).get_data(as_text=True)
    assert "Employer details saved." in page and "PAYE reference 123/AB45678" in page
    cost = section_of(page, "employment-cost")
    assert "Employment Allowance claimed" in cost and "£120.00" in cost and "£90.50" in cost
    assert "No employer" not in page
    form = holder.get(f"/budgets/{world.dp.id}/pas/employer").get_data(as_text=True)
    assert 'value="123/AB45678"' in form and 'value="120.00"' in form
    assert re.search(r'name="allowance_claimed"[^>]*checked', form)
    # Unticking it changes this tax year's claim, not a new row.
    data.pop("allowance_claimed")
    assert holder.post(f"/budgets/{world.dp.id}/pas/employer", data=data).status_code == 303
    db.session.expire_all()
    assert [c.claimed for c in db.session.scalars(select(AllowanceClaim))] == [False]
    assert events("employer.changed")[-1].data["changes"] == {f"employment_allowance_{year.year}": [True, False]}


# ---- removing what was entered by mistake ----------------------------------------------------------------

def test_a_check_or_training_entered_by_mistake_is_removed_with_a_reason(holder, emp, world):
    pa = emp.pa
    check = EmploymentCheck(pa_id=pa.id, budget_id=pa.budget_id, kind="dbs", checked_on=today() - timedelta(days=3),
                            evidence="Seen", created_by_id=world.holder.id)
    course = Training(pa_id=pa.id, budget_id=pa.budget_id, course="Fire safety", completed_on=today())
    db.session.add_all([check, course])
    db.session.commit()
    check_id, course_id = check.id, course.id
    page = holder.get(PA.format(**emp.ids)).get_data(as_text=True)
    remove = f"{PA.format(**emp.ids)}/checks/{check_id}/remove"
    assert f'href="{remove}"' in page
    asked = holder.get(remove).get_data(as_text=True)
    assert "Remove Pat Jones’s check" in asked and "Only for something entered by mistake" in asked
    refused = holder.post(remove, data={"reason": " "})
    assert refused.status_code == 200 and "Enter why you are removing it" in refused.get_data(as_text=True)
    assert count(EmploymentCheck, EmploymentCheck.id == check_id) == 1
    done = holder.post(remove, data={"reason": "Entered for the wrong PA"})
    assert done.status_code == 303 and done.location.endswith("#checks")
    assert "Check removed: DBS" in holder.get(done.location.split("#")[0]).get_data(as_text=True)
    assert count(EmploymentCheck, EmploymentCheck.id == check_id) == 0
    audit = events("employment_check.removed")[-1]
    assert audit.actor_id == world.holder.id and audit.data["reason"] == "Entered for the wrong PA"
    assert audit.data["removed"]["kind"] == "dbs" and audit.data["removed"]["evidence"] == "Seen"
    assert holder.get(remove).status_code == 404  # gone
    training = holder.post(f"{PA.format(**emp.ids)}/training/{course_id}/remove", data={"reason": "Twice"})
    assert training.status_code == 303 and count(Training, Training.id == course_id) == 0
    assert events("training.removed")[-1].data["removed"]["course"] == "Fire safety"


def test_a_pa_entered_by_mistake_is_removed_only_while_no_pay_depends_on_them(holder, emp, world):
    twice = make_pa(world.dp, "Pat Jones Again", world.lines["wages"])
    db.session.add(Training(pa_id=twice.id, budget_id=world.dp.id, course="First aid", completed_on=today()))
    db.session.commit()
    twice_id = twice.id
    url = f"/budgets/{world.dp.id}/pas/{twice_id}/remove"
    done = holder.post(url, data={"reason": "Added twice"})
    assert done.status_code == 303 and done.location == f"/budgets/{world.dp.id}/pas"
    assert "Pat Jones Again removed." in holder.get(done.location).get_data(as_text=True)
    assert count(PersonalAssistant, PersonalAssistant.id == twice_id) == 0
    assert count(Training, Training.pa_id == twice_id) == 0 and count(PayRate, PayRate.pa_id == twice_id) == 0
    audit = events("pa.removed")[-1]
    assert audit.data["removed"]["name"] == "Pat Jones Again" and audit.data["reason"] == "Added twice"
    assert [t["course"] for t in audit.data["with_rows"]["training"]] == ["First aid"]
    # Pat has pay recorded: the record stays with the money.
    paid = f"{PA.format(**emp.ids)}/remove"
    page = holder.get(paid).get_data(as_text=True)
    assert "Pay has been recorded for Pat Jones, so their record stays with the money" in page
    assert 'name="reason"' not in page
    refused = holder.post(paid, data={"reason": "Try anyway"})
    assert refused.status_code == 200 and "end their employment instead" in refused.get_data(as_text=True)
    assert count(PersonalAssistant, PersonalAssistant.id == emp.pa.id) == 1


def test_pay_and_payments_to_a_pa_are_one_story(holder, emp, world):
    """Weekly wage payments to a PA recorded as ordinary payments showed "No pay recorded" on the PA's page.
    Now the page lists them (marked not recorded as pay), and recording the pay links the payment rather than
    recording it twice; voiding that pay lets the payment go, it does not void it."""
    paid = today() - timedelta(days=3)
    payment = make_entry(world.dp, world.lines["wages"], 80000, paid_on=paid, payee="pat jones ")
    make_entry(world.dp, world.lines["wages"], 5000, paid_on=paid, payee="Someone Else")
    db.session.commit()
    payment_id = payment.id
    page = holder.get(PA.format(**emp.ids)).get_data(as_text=True)
    listed = section_of(page, "pay")
    assert "Payments to Pat Jones in the last year" in listed and "Not recorded as pay" in listed
    assert "1 was recorded as ordinary payments, not as pay" in listed and "Someone Else" not in listed
    wages_before = count(SpendingEntry, SpendingEntry.line_id == world.lines["wages"].id)
    start = today() - timedelta(days=30)
    r = post_pa(holder, emp, "pay", pay_data(start, paid_on=paid))
    page = holder.get(r.location.split("#")[0]).get_data(as_text=True)
    assert "The payment of £800.00 to Pat Jones recorded already for" in page
    assert count(SpendingEntry, SpendingEntry.line_id == world.lines["wages"].id) == wages_before  # not twice
    record = db.session.scalars(select(PayRecord).where(PayRecord.pa_id == emp.pa.id,
                                                        PayRecord.period_start == start)).one()
    assert payment_id in [e.id for e in _pay_entries(record.id)]
    assert "Not recorded as pay" not in section_of(page, "pay") and "from a pay record" in section_of(page, "pay")
    assert events("spending.linked_to_pay")[-1].object_id == payment_id
    voided = holder.post(f"{PA.format(**emp.ids)}/pay/{record.id}/void", data={"reason": "Wrong hours"})
    assert voided.status_code == 303
    db.session.expire_all()
    assert db.session.get(SpendingEntry, payment_id).status == "active"  # the money did go to Pat
    assert payment_id not in [e.id for e in _pay_entries(record.id)]
    assert {e.status for e in _pay_entries(record.id)} == {"voided"}  # what the pay made: HMRC, pension
