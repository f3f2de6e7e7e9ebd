"""Monitoring returns of managed accounts: the figures (income by source, spending by category and by line
against the plan, weeks held, surplus over the funder's threshold), the CSV, only from closed periods and
once, and the case manager's query or acceptance."""
from __future__ import annotations

from datetime import timedelta

import pytest

from pbportal.banking import matching
from pbportal.extensions import db
from pbportal.money import pence_to_input
from pbportal.reconciliation import periods as psvc
from pbportal.reconciliation import returns as rsvc
from pbportal.reconciliation.models import MonitoringReturn, ReconciliationPeriod, ReturnEvent

from ..banking.helpers import actions, add_lines, fresh, title
from ..conftest import EMAIL, login, make_entry, make_line
from .helpers import close, closed_period, figure, flashed

RETURN_ROWS = [(1, "TEST COUNCIL PAYMENT REF 1", 200000), (2, "SHAH CONTRIBUTION", 5000),
               (2, "AGENCY LTD REF 77", -7000), (3, "HOMECARE PARTNERS LTD REF 1", -34300),
               (5, "ACME PAYROLL FEE", -3500), (12, "MIXED SHOP", -4400)]


@pytest.fixture
def month(world):
    """Four weeks of world.ma, every line matched and the period closed (books and bank agree at £1,558)."""
    ma, who = world.ma, world.staff
    agency_care = world.lines["ma"]  # £12.71 × 10 a week: £6,609.20 a year
    fees = make_line(ma, "Managed account fee", category="fees", unit="month", quantity="1",
                     unit_cost_pence=3500, frequency="monthly")  # £420 a year
    council, own, agency, home, fee, shop = add_lines(ma, who, RETURN_ROWS)
    matching.match_income(ma, council, 1, "funder", who)
    matching.match_income(ma, own, 1, "contribution", who)
    matching.link(ma, agency, 1, world.entries["ma"], who)
    matching.match_to_lines(ma, home, 1, [(agency_care, 34300)], "", who)
    matching.match_to_lines(ma, fee, 1, [(fees, 3500)], "", who)
    matching.match_to_lines(ma, shop, 1, [(agency_care, 4000), (fees, 400)], "", who)
    period = closed_period(ma, who, 27, 155800, explanation="")
    assert period.status == "closed" and period.difference_pence == 0
    db.session.commit()
    return period


# 28 days; planned = annual × 28 ÷ 365; the plan costs £7,029.20 a year, £135.17 a week (÷ 52).
EXPECTED = {"days": 28, "opening_pence": 0, "closing_pence": 155800,
            "income": {"funder": 200000, "contribution": 5000, "other": 0},
            "money_in_pence": 205000, "money_out_pence": 49200,
            "by_category": {"agency_care": 45300, "fees": 3900},
            "lines": [{"item": "Agency care", "category": "agency_care", "planned_pence": 50700, "spent_pence": 45300},
                      {"item": "Managed account fee", "category": "fees", "planned_pence": 3221, "spent_pence": 3900}],
            "annual_plan_pence": 702920, "weekly_plan_pence": 13517, "weeks_held_tenths": 115,
            "unexplained_pence": 0}


@pytest.mark.parametrize("setting, weeks, threshold, surplus", [
    (None, 8, 108136, 47664),  # the default: 8 weeks
    (4, 4, 54068, 101732),
    (12, 12, 162204, 0),
])
def test_the_return_figures_and_csv(staff, client, world, month, setting, weeks, threshold, surplus):
    world.council.surplus_weeks_setting = setting
    db.session.commit()
    ma = world.ma
    new = f"/budgets/{ma.id}/returns/new?first={month.id}&last={month.id}"
    preview = staff.get(new).get_data(as_text=True)
    assert "Check the monitoring return" in preview and "11.5 weeks" in preview
    assert figure(preview, "Money in: Payments from the funder") == "£2,000.00"
    assert figure(preview, "Money in: The person’s own contribution") == "£50.00"
    assert figure(preview, "Closing balance per the bank statement") == "£1,558.00"
    assert f"Surplus above {weeks} weeks" in preview
    r = staff.post(new, data={"comment": "All matched"})
    assert "Return submitted to the case manager." in flashed(staff, r)
    ret = db.session.query(MonitoringReturn).one()
    assert {k: ret.figures[k] for k in EXPECTED} == EXPECTED
    assert (ret.figures["surplus_weeks"], ret.figures["threshold_pence"], ret.figures["surplus_pence"]) == (
        weeks, threshold, surplus)
    csv = staff.get(f"/budgets/{ma.id}/returns/{ret.id}.csv")
    assert csv.mimetype == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    rows = csv.get_data(as_text=True).lstrip("\ufeff").split("\r\n")
    for row in ["Balance,Opening balance,,0.00", "Money in,Payments from the funder,,2000.00",
                "Money in,The person’s own contribution,,50.00", "Money in,Total money in,,2050.00",
                "Money out by category,Agency care,,453.00",
                "Money out by category,Payroll or managed-account fees,,39.00", "Money out,Total money out,,492.00",
                "Budget line,Agency care,507.00,453.00", "Budget line,Managed account fee,32.21,39.00",
                "Balance,Closing balance per the bank statement,,1558.00",
                "Funding held,Weekly cost of the plan,,135.17", "Funding held,Weeks of funding held,,11.5",
                f"Funding held,Surplus above {weeks} weeks,,{pence_to_input(surplus)}"]:
        assert row in rows
    staff.post("/sign-out")
    login(client, EMAIL["ma_holder"])
    page = client.get(f"/budgets/{ma.id}/returns/{ret.id}").get_data(as_text=True)
    assert "Waiting for the case manager" in page and "£1,558.00" in page and "Your response" not in page
    assert "11.5" in client.get(f"/budgets/{ma.id}/returns/{ret.id}/print").get_data(as_text=True)


def test_a_return_needs_closed_periods_and_is_made_once(staff, world):
    ma = world.ma
    assert "A return is made from closed periods." in staff.get(f"/budgets/{ma.id}/returns").get_data(as_text=True)
    period = psvc.open_period(ma.id, ma.plan_year_start, ma.plan_year_start + timedelta(days=5), 0, -7000,
                              world.staff)
    db.session.commit()
    new = f"/budgets/{ma.id}/returns/new?first={period.id}&last={period.id}"
    assert staff.get(new).status_code == 404 and staff.post(new, data={}).status_code == 404
    with pytest.raises(ValueError, match="closed reconciliation periods"):
        rsvc.return_figures(ma, period.starts_on, period.ends_on)
    close(staff, ma, period.id)
    assert staff.post(new, data={}).status_code == 303
    r = staff.post(new, data={})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and title(body).startswith("Error:")
    assert "A return for these dates has already been submitted: open it to see where it is" in body
    assert db.session.query(MonitoringReturn).count() == 1 and actions().count("return.submitted") == 1


def test_the_case_manager_queries_the_provider_answers_and_it_is_accepted(client, world, month):
    ma = world.ma
    ret = rsvc.submit_return(ma, month.starts_on, month.ends_on, world.staff)
    db.session.commit()
    page = f"/budgets/{ma.id}/returns/{ret.id}"
    login(client, EMAIL["case_manager"])
    assert "Your response" in client.get(page).get_data(as_text=True)
    for data, message in [({}, "Select whether to accept the return or query it"),
                          ({"respond-decision": "lost"}, "Not a valid choice"),
                          ({"respond-decision": "queried", "respond-comment": ""},
                           "Enter what you want checked"),
                          ({"respond-decision": "queried", "respond-comment": " "},
                           "Enter what you want checked")]:
        r = client.post(page, data={"respond-version": ret.version, **data})
        body = r.get_data(as_text=True)
        assert r.status_code == 200 and message in body and title(body).startswith("Error:")
    r = client.post(page, data={"respond-version": ret.version + 1, "respond-decision": "accepted"})
    assert "This return has moved on since you opened it" in flashed(client, r)
    assert fresh(MonitoringReturn, ret.id).status == "submitted"
    assert db.session.query(ReturnEvent).count() == 1 and actions()[-1] == "return.submitted"
    r = client.post(page, data={"respond-version": ret.version, "respond-decision": "queried",
                                "respond-comment": "What was the shop?"})
    assert "Query sent to Test Managed Accounts." in flashed(client, r)
    assert fresh(MonitoringReturn, ret.id).status == "queried"
    # A second response sent after the first (two tabs, or two people at once) is told, not "Page not found".
    r = client.post(page, data={"respond-version": 2, "respond-decision": "accepted"})
    assert "This return has moved on since you opened it. It is shown as it is now. Nothing was changed: it is " \
           "queried by the case manager." in flashed(client, r)
    assert fresh(MonitoringReturn, ret.id).status == "queried"
    client.post("/sign-out")

    login(client, EMAIL["staff"])
    version = fresh(MonitoringReturn, ret.id).version
    r = client.post(page, data={"resubmit-version": version, "resubmit-comment": ""})
    assert "Enter your answer to the case manager’s query" in r.get_data(as_text=True)
    # Reopened to put something right: it cannot go back until the period is closed again.
    client.post(f"/budgets/{ma.id}/reconciliation/{month.id}/reopen",
                data={"reopen-version": fresh(ReconciliationPeriod, month.id).version, "reopen-reason": "Shop"})
    r = client.post(page, data={"resubmit-version": version, "resubmit-comment": "Gloves and wipes"})
    assert "The return could not be submitted again" in flashed(client, r)
    assert fresh(MonitoringReturn, ret.id).status == "queried"
    make_entry(ma, world.lines["ma"], 1000, paid_on=ma.plan_year_start + timedelta(days=20), payee="Late",
               by=world.staff)
    db.session.commit()
    close(client, ma, month.id, explanation="A £10 payment is still to clear")
    r = client.post(page, data={"resubmit-version": version, "resubmit-comment": "Gloves and wipes"})
    assert "Return submitted again, with your answer." in flashed(client, r)
    ret = fresh(MonitoringReturn, ret.id)
    assert ret.status == "submitted" and ret.figures["money_out_pence"] == 50200  # taken again
    client.post("/sign-out")

    login(client, EMAIL["case_manager"])
    r = client.post(page, data={"respond-version": ret.version, "respond-decision": "accepted"})
    body = flashed(client, r)
    assert "Return accepted." in body and "Your response" not in body
    assert "What was the shop?" in body and "Gloves and wipes" in body
    assert fresh(MonitoringReturn, ret.id).status == "accepted"
    assert [a for a in actions() if a.startswith("return.")] == [
        "return.submitted", "return.queried", "return.resubmitted", "return.accepted"]
    assert [e.action for e in db.session.query(ReturnEvent).order_by(ReturnEvent.id)] == [
        "submitted", "queried", "resubmitted", "accepted"]


def test_an_overdrawn_account_holds_negative_weeks_rounded_towards_zero(staff, world):
    ma = world.ma  # the plan costs £127.10 a week (Agency care only): −£2,000 is −15.7 weeks, not −15.8
    period = closed_period(ma, world.staff, 5, -200000, explanation="Overdrawn: council payment late")
    db.session.commit()
    r = staff.post(f"/budgets/{ma.id}/returns/new?first={period.id}&last={period.id}", data={})
    assert "-15.7 weeks" in flashed(staff, r)
    ret = db.session.query(MonitoringReturn).one()
    assert (ret.figures["weekly_plan_pence"], ret.figures["weeks_held_tenths"], ret.figures["surplus_pence"]) == (
        12710, -157, 0)
    assert "Funding held,Weeks of funding held,,-15.7" in staff.get(
        f"/budgets/{ma.id}/returns/{ret.id}.csv").get_data(as_text=True)


def test_text_that_a_spreadsheet_would_run_is_neutralised_in_the_csv(staff, world, month):
    ma = world.ma
    ma.person_name = "=HYPERLINK(\"http://evil.example\",\"Click\")"
    world.lines["ma"].item = "@SUM(1+1)"
    world.council.name = "+Council"
    db.session.commit()
    staff.post(f"/budgets/{ma.id}/returns/new?first={month.id}&last={month.id}", data={"comment": ""})
    ret = db.session.query(MonitoringReturn).one()
    rows = staff.get(f"/budgets/{ma.id}/returns/{ret.id}.csv").get_data(as_text=True).lstrip("\ufeff").split("\r\n")
    assert 'Monitoring return,"\'=HYPERLINK(""http://evil.example"",""Click"")"' in rows
    assert "Funder,'+Council" in rows
    assert "Budget line,'@SUM(1+1),507.00,453.00" in rows
    assert "Money out,Total money out,,492.00" in rows  # numbers, negative ones too, stay numbers
    assert any(row.startswith("Balance,Opening balance,,") for row in rows)


def test_a_span_that_overlaps_a_submitted_return_is_refused_when_chosen(staff, world):
    ma, who = world.ma, world.staff
    start = ma.plan_year_start
    periods = []
    for first, last in ((0, 9), (10, 19), (20, 29)):
        period = psvc.open_period(ma.id, start + timedelta(days=first), start + timedelta(days=last), 0, 0, who)
        psvc.close_period(period, period.version, 0, "Nothing yet", who)
        periods.append(period)
    db.session.commit()
    p1, p2, p3 = periods
    rsvc.submit_return(ma, p1.starts_on, p2.ends_on, who)
    db.session.commit()
    response = staff.get(f"/budgets/{ma.id}/returns/new?first={p2.id}&last={p3.id}")
    assert response.status_code == 303
    message = flashed(staff, response)
    assert (f"These dates overlap the return for {p1.starts_on:%-d %B %Y} to {p2.ends_on:%-d %B %Y}, already "
            "submitted") in message
    assert staff.post(f"/budgets/{ma.id}/returns/new?first={p2.id}&last={p3.id}", data={}).status_code == 303
    assert db.session.query(MonitoringReturn).count() == 1
    assert staff.get(f"/budgets/{ma.id}/returns/new?first={p3.id}&last={p3.id}").status_code == 200  # after it: fine
