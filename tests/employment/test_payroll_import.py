"""Employing PAs: importing pay from a payroll CSV, all of a file or none of it."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from pbportal.employment.models import PayRecord, PayRecordEntry
from pbportal.extensions import db
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today

from .helpers import PA, assert_error, count, events, payroll_csv, section_of, spent, upload


def good_rows(emp):
    start = today() - timedelta(days=45)
    return [("Pat Jones", start, start + timedelta(days=27), "80", "1000.00", "50.00", "30.00", "20.00", "800.00",
             today() - timedelta(days=1)),
            ("sam second ", start, start + timedelta(days=27), "40", "£540.00", "0", "", "0", "500.00",
             today() - timedelta(days=1))]


def _money_counts():
    return count(PayRecord), count(SpendingEntry), count(PayRecordEntry)


def test_import_a_good_file_once_even_if_sent_twice(holder, emp, world):
    content = payroll_csv(good_rows(emp))
    before = _money_counts()
    spent_before = spent(world.dp.id)
    r = upload(holder, world.dp.id, content)
    assert r.status_code == 303 and r.location == f"/budgets/{world.dp.id}/pas"
    assert "2 pay records imported." in holder.get(r.location).get_data(as_text=True)
    assert _money_counts() == (before[0] + 2, before[1] + 5, before[2] + 5)  # Sam has no HMRC or pension part
    start = good_rows(emp)[0][1]
    pat = db.session.scalars(select(PayRecord).where(PayRecord.pa_id == emp.pa.id,
                                                     PayRecord.period_start == start)).one()
    assert (pat.source, pat.gross_pence, pat.net_pence, pat.hmrc_pence, pat.pension_pence) == (
        "csv", 100000, 80000, 22000, 5000)
    sam = db.session.scalars(select(PayRecord).where(PayRecord.pa_id == emp.pa2.id,
                                                     PayRecord.period_start == start)).one()
    assert (sam.gross_pence, sam.net_pence, sam.hmrc_pence) == (54000, 50000, 4000)
    assert spent(world.dp.id) == spent_before + 107000 + 54000
    assert sum(1 for e in events("pay.recorded") if e.data["source"] == "csv") == 2
    again = upload(holder, world.dp.id, content)
    assert again.status_code == 303
    assert "0 pay records imported; 2 already recorded and left as they were." in holder.get(
        again.location).get_data(as_text=True)
    assert _money_counts() == (before[0] + 2, before[1] + 5, before[2] + 5)
    page = holder.get(PA.format(**emp.ids)).get_data(as_text=True)
    assert "imported" in section_of(page, "pay")


def test_import_accepts_other_column_names_and_a_byte_order_mark(holder, emp, world):
    start = today() - timedelta(days=45)
    content = "\ufeff" + ("Employee Name,Period From,Period To,Hours Worked,Gross,ER NI,EE Pension,ER Pension,Net,"
                          "Payment Date\n"
                          f"Pat Jones,{start:%Y-%m-%d},{start + timedelta(days=27):%Y-%m-%d},80,1000,50,30,20,800,"
                          f"{today():%d-%m-%Y}\n")
    r = upload(holder, world.dp.id, content.encode("utf-8"))
    assert r.status_code == 303, r.get_data(as_text=True)[-2000:]


@pytest.mark.parametrize("content, message", [
    (b"PA,Period start,Period end,Hours,Gross pay\nPat Jones,01/10/2026,28/10/2026,80,1000\n",
     "The file is missing columns: Net pay, Date paid"),
    ("PA,Period start,Period end,Hours,Gross pay,Net pay,Date paid\nZoë Café,01/10/2026,28/10/2026,80,1000,800,"
     "29/10/2026\n".encode("cp1252"), "The file must be saved as UTF-8 (in Excel: Save as ‘CSV UTF-8’)"),
    (b"", "The selected file is empty"),
    (b"  \n\n", "The selected file is empty"),
    (b"PA,Period start,Period end,Hours,Gross pay,Employer NI,Employee pension,Employer pension,Net pay,Date paid\n",
     "The file has a header row but no pay rows"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "The file must be a CSV file exported from your "
                                                              "payroll service"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "The file must be a CSV file exported from your "
                                                        "payroll service"),
], ids=["missing-columns", "windows-1252", "empty", "blank", "header-only", "png", "xlsx"])
def test_unreadable_payroll_files_are_refused(holder, emp, world, content, message):
    before = _money_counts()
    r = upload(holder, world.dp.id, content)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Error:" in page
    assert_error(page, message)
    assert _money_counts() == before


def test_no_file_selected(holder, emp, world):
    page = holder.post(f"/budgets/{world.dp.id}/pas/import", data={}).get_data(as_text=True)
    assert_error(page, "Select a CSV file")


def _refused(holder, world, content, *problems):
    before = _money_counts()
    r = upload(holder, world.dp.id, content)
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page[-1500:]
    assert "Nothing was imported. Correct the file and try again." in page
    assert "There is a problem" in page and "What to correct" in page
    for problem in problems:
        assert problem in page, re.findall(r"<li>(Row .*?)</li>", page)
    assert _money_counts() == before
    return page


def test_unknown_pa_and_another_budgets_pa_are_refused(holder, emp, world):
    rows = good_rows(emp)
    rows.append(("Nobody Known",) + rows[0][1:])
    rows.append(("Olly Other",) + rows[0][1:])  # a PA of another budget is not this budget's
    _refused(holder, world, payroll_csv(rows), "Row 4: no PA called ‘Nobody Known’", "Row 5: no PA called ‘Olly Other’")
    assert count(PayRecord, PayRecord.pa_id == emp.other_pa.id) == 1


def _bad_row(holder, emp, world, change, problem):
    rows = [list(r) for r in good_rows(emp)]
    special = {"START-1": rows[1][1] - timedelta(days=1), "FUTURE": today() + timedelta(days=1),
               "BEFORE_YEAR": world.dp.plan_year_start - timedelta(days=1)}
    for index, value in change.items():
        rows[1][index] = special.get(value, value)
    _refused(holder, world, payroll_csv(rows), problem)


@pytest.mark.parametrize("change, problem", [
    ({8: "1200.00"}, "Row 3: net pay is more than gross pay"),
    ({2: "START-1"}, "Row 3: the period ends before it starts"),
    ({0: "Pat Jones"}, "Row 3: the same PA and pay period appear twice in the file"),
    ({9: "BEFORE_YEAR"}, "Row 3: the date paid must be in this plan year and not in the future"),
], ids=["net-over-gross", "ends-before-start", "twice", "paid-before-plan-year"])
def test_one_bad_row_among_good_ones_imports_nothing(holder, emp, world, change, problem):
    _bad_row(holder, emp, world, change, problem)


def test_other_bad_rows_import_nothing(holder, emp, world):
    for change, problem in [
        ({1: "31/02/2026"}, "period start ‘31/02/2026’ is not a date like 31/03/2026"),
        ({3: "lots"}, "hours ‘lots’ is not a number of hours"),
        ({4: "0"}, "Row 3: gross pay: amount must be more than £0"),
        ({4: ""}, "Row 3: gross pay: enter an amount"),
        ({9: "FUTURE"}, "Row 3: the date paid must be in this plan year and not in the future"),
    ]:
        _bad_row(holder, emp, world, change, problem)


def test_more_hours_than_a_month_has_are_refused_in_a_file_too(holder, emp, world):
    """The form refuses over 744 hours; the import should too (and 100000 overflows NUMERIC(7, 2))."""
    rows = [list(r) for r in good_rows(emp)]
    rows[1][3] = "100000"
    _refused(holder, world, payroll_csv(rows), "Row 3")


@pytest.mark.parametrize("index, value", [(4, "1,100.00"), (8, "790.00"), (5, "60.00")],
                         ids=["gross", "net", "employer-ni"])
def test_a_row_conflicting_with_a_recorded_period_refuses_the_whole_file(holder, emp, world, index, value):
    pay = emp.pay  # 100 days ago: gross £1,000, net £800, no NI or pension
    row = ["Pat Jones", pay.period_start, pay.period_end, "80", "1000.00", "0", "0", "0", "800.00", pay.paid_on]
    row[index] = value
    rows = [tuple(row), good_rows(emp)[1]]
    _refused(holder, world, payroll_csv(rows),
             f"Row 2: pay for Pat Jones from {pay.period_start:%-d %B %Y} is already recorded with different figures")


def test_a_row_matching_a_recorded_period_is_left_alone(holder, emp, world):
    pay = emp.pay
    rows = [("Pat Jones", pay.period_start, pay.period_end, "80", "1000.00", "0", "0", "0", "800.00", pay.paid_on),
            good_rows(emp)[1]]
    before = _money_counts()
    r = upload(holder, world.dp.id, payroll_csv(rows))
    assert r.status_code == 303
    assert "1 pay record imported; 1 already recorded" in holder.get(r.location).get_data(as_text=True)
    assert _money_counts()[0] == before[0] + 1


def test_importing_a_period_whose_pay_was_voided_is_not_a_crash(holder, emp, world):
    """The voided record no longer counts, so the file's row for that period is the pay to record."""
    pay = emp.pay
    holder.post(PA.format(**emp.ids) + f"/pay/{pay.id}/void", data={"reason": "Wrong figures"})
    rows = [("Pat Jones", pay.period_start, pay.period_end, "80", "900.00", "0", "0", "0", "750.00", today())]
    r = upload(holder, world.dp.id, payroll_csv(rows))
    assert r.status_code in (200, 303)
    if r.status_code == 303:
        assert count(PayRecord, PayRecord.pa_id == emp.pa.id, PayRecord.status == "active") == 1
