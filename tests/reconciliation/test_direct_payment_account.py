"""A direct-payment holder keeps their own account's books: imports its statement, accepts the suggestions
(mostly the payments already recorded), reconciles a period and sends the monitoring return, which the case
manager checks as they check a provider's; the caseload says when a return is due, overdue or waiting."""
from __future__ import annotations

from datetime import timedelta

from pbportal.auth.models import Organisation
from pbportal.banking.models import StatementLine
from pbportal.budget.models import MoneyIn
from pbportal.extensions import db
from pbportal.notifications.models import Notification
from pbportal.reconciliation.models import MonitoringReturn, ReconciliationPeriod
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import today

from ..banking.helpers import upload
from ..conftest import EMAIL, login


def _dmy(day):
    return [str(day.day), str(day.month), str(day.year)]


def test_a_holder_imports_matches_reconciles_and_sends_the_return_and_the_case_manager_accepts(client, world):
    dp, start = world.dp, world.dp.plan_year_start
    payment_day = world.entries["dp"].paid_on  # Maria's £120.00, recorded already
    statement = ("Date,Description,Amount,Balance\r\n"
                 f"{start:%d/%m/%Y},TEST COUNCIL DIRECT PAYMENT,1000.00,1000.00\r\n"
                 f"{payment_day:%d/%m/%Y},MARIA SANTOS,-120.00,880.00\r\n"
                 f"{start + timedelta(days=3):%d/%m/%Y},CITY GYM,-30.00,850.00\r\n")
    login(client, EMAIL["holder"])
    home = client.get(f"/budgets/{dp.id}").get_data(as_text=True)
    assert f'href="/budgets/{dp.id}/statements"' in home and f'href="/budgets/{dp.id}/reconciliation"' in home
    r = upload(client, dp.id, statement)
    page = client.get(r.location).get_data(as_text=True)
    assert "Alex Holder’s direct payment account" in page
    client.post(r.location, data={})
    assert db.session.query(StatementLine).filter_by(budget_id=dp.id).count() == 3

    # Suggestions: the payment recorded already, and the funder's money by its name. All at once.
    matching = client.get(f"/budgets/{dp.id}/matching").get_data(as_text=True)
    assert "2 lines on this page have a suggestion" in matching
    r = client.post(f"/budgets/{dp.id}/matching/accept?every=1",
                    data={"every": [f"{ln.id}:{ln.version}" for ln in db.session.query(StatementLine)
                                    .filter(StatementLine.description != "CITY GYM")]})
    assert "2 suggestions accepted." in client.get(r.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SpendingEntry, world.entries["dp"].id).statement_line_id is not None
    assert db.session.query(MoneyIn).filter_by(budget_id=dp.id, source="funder").count() == 1
    gym = db.session.query(StatementLine).filter_by(description="CITY GYM").one()
    r = client.post(f"/budgets/{dp.id}/matching/{gym.id}/match",
                    data={"version": gym.version, "target": str(world.lines["gym"].id), "payee": "City Gym"})
    assert r.status_code == 303

    # A period from the plan's start, agreeing with the bank, closed; the return sent.
    end = start + timedelta(days=5)
    r = client.post(f"/budgets/{dp.id}/reconciliation", data={
        "starts_on": _dmy(start), "ends_on": _dmy(end), "opening": "0", "statement": "850.00"})
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    period = db.session.query(ReconciliationPeriod).filter_by(budget_id=dp.id).one()
    assert "None: they agree" in client.get(r.location).get_data(as_text=True)
    client.post(r.location, data={"close-version": period.version, "close-statement": "850.00",
                                  "close-explanation": ""})
    prepare = f"/budgets/{dp.id}/returns/new?first={period.id}&last={period.id}"
    assert "I confirm that these figures are taken from my direct payment account’s bank statements" in \
        client.get(prepare).get_data(as_text=True)
    assert client.post(prepare, data={"comment": ""}).status_code == 303
    ret = db.session.query(MonitoringReturn).filter_by(budget_id=dp.id).one()
    assert ret.status == "submitted" and ret.figures["closing_pence"] == 85000
    client.post("/sign-out")

    # The case manager: told, sees it waiting on the caseload, accepts it; the holder is told.
    assert db.session.query(Notification).filter_by(user_id=world.case_manager.id, kind="return_submitted").count()
    login(client, EMAIL["case_manager"])
    assert "Return to check" in client.get("/caseload").get_data(as_text=True)
    r = client.post(f"/budgets/{dp.id}/returns/{ret.id}", data={"respond-version": ret.version,
                                                                 "respond-decision": "accepted"})
    assert "Return accepted." in client.get(r.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(MonitoringReturn, ret.id).status == "accepted"
    assert db.session.query(Notification).filter_by(user_id=world.holder.id, kind="return_accepted").count() == 1


def test_the_caseload_says_when_a_return_is_due_or_overdue_by_the_funders_setting(client, world):
    world.council.return_interval_months_setting = 3
    world.dp.plan_year_start = today() - timedelta(days=100)  # its first 3 months have ended: due
    world.ma.plan_year_start = today() - timedelta(days=130)  # and 28 days more: overdue
    db.session.commit()
    login(client, EMAIL["case_manager"])
    page = client.get("/caseload").get_data(as_text=True)
    rows = {name: page[page.index(name):page.index(name) + 1500] for name in ("Alex Holder", "Mo Managed")}
    assert "Return due" in rows["Alex Holder"] and "Return overdue" in rows["Mo Managed"]
    world.council.return_interval_months_setting = 6  # every 6 months: nothing owed yet
    db.session.commit()
    page = client.get("/caseload").get_data(as_text=True)
    assert "Return due" not in page and "Return overdue" not in page
    assert db.session.get(Organisation, world.council.id).return_interval_months == 6
