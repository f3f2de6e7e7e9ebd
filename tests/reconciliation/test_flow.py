"""The provider's whole round on one account: import, match (suggested, chosen, split, linked, income),
reconcile and close a period, submit a return; the case manager queries it and then accepts it."""
from __future__ import annotations

from datetime import timedelta

from pbportal.audit import AuditEvent
from pbportal.banking.models import MatchRule, StatementLine
from pbportal.budget.models import MoneyIn
from pbportal.extensions import db
from pbportal.reconciliation.models import MonitoringReturn, ReconciliationPeriod
from pbportal.spending.models import SpendingEntry

from ..banking.helpers import SIGNED, upload
from ..conftest import login, make_line


def _statement(start):
    d = [start + timedelta(days=n) for n in (1, 3, 10, 17, 20)]
    return (
        "Date,Description,Amount,Balance\r\n"
        f"{d[0]:%d/%m/%Y},TEST COUNCIL PAYMENT REF 1001,1000.00,1000.00\r\n"
        f"{d[1]:%d/%m/%Y},AGENCY LTD REF 77,-70.00,930.00\r\n"
        f"{d[2]:%d/%m/%Y},HOMECARE PARTNERS LTD REF 1,-343.00,587.00\r\n"
        f"{d[3]:%d/%m/%Y},HOMECARE PARTNERS LTD REF 2,-343.00,244.00\r\n"
        f"{d[4]:%d/%m/%Y},MIXED SHOP,-44.00,200.00\r\n"
    )


def test_the_whole_round(client, world):
    ma = world.ma
    fees = make_line(ma, "Managed account fee", category="fees", unit="month", quantity="1", unit_cost_pence=3500,
                     frequency="monthly")
    db.session.commit()
    start = ma.plan_year_start
    login(client, "staff@example.org")
    r = upload(client, ma.id, _statement(start))
    client.post(r.location, data={})
    lines = {ln.description: ln for ln in db.session.query(StatementLine).all()}
    assert len(lines) == 5

    page = client.get(f"/budgets/{ma.id}/matching").get_data(as_text=True)
    # The holder's... no: the staff's earlier entry of £70 on the plan start date is suggested as a link.
    assert "Same amount as a payment already recorded" in page
    assert "The description names Test Council" in page

    agency = lines["AGENCY LTD REF 77"]
    r = client.post(f"/budgets/{ma.id}/matching/{agency.id}/accept", data={"version": agency.version})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(SpendingEntry, world.entries["ma"].id).statement_line_id == agency.id

    council = lines["TEST COUNCIL PAYMENT REF 1001"]
    r = client.post(f"/budgets/{ma.id}/matching/{council.id}/accept", data={"version": council.version},
                    headers={"HX-Request": "true"})
    body = r.get_data(as_text=True)
    assert "<html" not in body and 'id="match-totals"' in body and "hx-swap-oob" in body
    assert db.session.query(MoneyIn).filter_by(statement_line_id=council.id).one().amount_pence == 100000

    first = lines["HOMECARE PARTNERS LTD REF 1"]
    r = client.post(f"/budgets/{ma.id}/matching/{first.id}/match",
                    data={"version": first.version, "target": str(world.lines["ma"].id), "payee": ""})
    assert r.status_code == 303
    assert db.session.query(MatchRule).filter_by(pattern="HOMECARE PARTNERS LTD REF").one().uses == 1
    second = lines["HOMECARE PARTNERS LTD REF 2"]
    page = client.get(f"/budgets/{ma.id}/matching").get_data(as_text=True)
    assert "Matched like this 1 time before" in page

    # Bulk accept what is suggested; then split the shop across two lines (a wrong total first).
    r = client.post(f"/budgets/{ma.id}/matching/accept", data={"line": [f"{second.id}:{second.version}"]})
    assert "1 suggestion accepted" in client.get(r.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(StatementLine, second.id).status == "matched"
    shop = lines["MIXED SHOP"]
    bad = client.post(f"/budgets/{ma.id}/matching/{shop.id}/split", data={
        "version": shop.version, "part_line": [str(world.lines["ma"].id), str(fees.id)],
        "part_amount": ["40", "5"]})
    assert "they must add up to £44.00" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(StatementLine, shop.id).status == "unmatched"
    ok = client.post(f"/budgets/{ma.id}/matching/{shop.id}/split", data={
        "version": shop.version, "part_line": [str(world.lines["ma"].id), str(fees.id)],
        "part_amount": ["40", "4"]})
    assert ok.status_code == 303
    assert sorted(e.amount_pence for e in db.session.query(SpendingEntry).filter_by(statement_line_id=shop.id)) == \
        [400, 4000]

    # Reconcile: one period covering the statement; books agree with the bank.
    end = start + timedelta(days=25)
    r = client.post(f"/budgets/{ma.id}/reconciliation", data={
        "starts_on": [str(start.day), str(start.month), str(start.year)],
        "ends_on": [str(end.day), str(end.month), str(end.year)], "opening": "0", "statement": "200.00"})
    assert r.status_code == 303, r.get_data(as_text=True)
    period = db.session.query(ReconciliationPeriod).one()
    page = client.get(r.location).get_data(as_text=True)
    assert "None: they agree" in page
    r = client.post(r.location, data={"close-version": period.version, "close-statement": "200.00",
                                      "close-explanation": ""})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(ReconciliationPeriod, period.id).status == "closed"
    # Locked: undoing a match in the closed period is refused.
    r = client.post(f"/budgets/{ma.id}/matching/{shop.id}/undo", data={"version": 2, "reason": "wrong"})
    assert "are closed" in r.get_data(as_text=True)

    # A return, submitted, queried, resubmitted, accepted.
    r = client.get(f"/budgets/{ma.id}/returns/new?first={period.id}&last={period.id}")
    text = r.get_data(as_text=True)
    assert "Check the monitoring return" in text and "£1,000.00" in text
    r = client.post(f"/budgets/{ma.id}/returns/new?first={period.id}&last={period.id}", data={"comment": ""})
    assert r.status_code == 303
    ret = db.session.query(MonitoringReturn).one()
    csv = client.get(f"/budgets/{ma.id}/returns/{ret.id}.csv").get_data(as_text=True)
    assert "Closing balance per the bank statement,,200.00" in csv
    client.post("/sign-out")
    login(client, "cm@example.org")
    r = client.post(f"/budgets/{ma.id}/returns/{ret.id}", data={"respond-version": ret.version,
                                                                "respond-decision": "queried",
                                                                "respond-comment": "What was the shop?"})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(MonitoringReturn, ret.id).status == "queried"
    client.post("/sign-out")
    login(client, "staff@example.org")
    ret = db.session.get(MonitoringReturn, ret.id)
    client.post(f"/budgets/{ma.id}/returns/{ret.id}", data={"resubmit-version": ret.version,
                                                            "resubmit-comment": "Gloves and wipes"})
    db.session.expire_all()
    assert db.session.get(MonitoringReturn, ret.id).status == "submitted"
    actions = {a for (a,) in db.session.query(AuditEvent.action)}
    assert {"statement_line.matched", "statement_line.linked", "period.opened", "period.closed",
            "return.submitted", "return.queried", "return.resubmitted"} <= actions
    assert client.get(f"/budgets/{ma.id}/account").status_code == 200
    assert client.get("/accounts").status_code == 200


def _closed_period(world, days=20):
    from pbportal.reconciliation.periods import close_period, open_period

    ma = world.ma
    period = open_period(ma.id, ma.plan_year_start, ma.plan_year_start + timedelta(days=days), 7000, 0, world.staff)
    close_period(period, period.version, 0, "Opening figures brought forward from paper records", world.staff)
    db.session.commit()
    return period


def test_a_closed_period_locks_its_money_wherever_the_change_comes_from(client, world):
    period = _closed_period(world)
    login(client, "staff@example.org")
    day = world.ma.plan_year_start + timedelta(days=5)
    r = client.post(f"/budgets/{world.ma.id}/payments/new", data={
        "paid_on": [str(day.day), str(day.month), str(day.year)], "amount": "12.00", "payee": "Shop",
        "line_id": str(world.lines["ma"].id)})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "are closed. Reopen that period first" in page and "Error:" in page
    assert db.session.query(SpendingEntry).filter_by(budget_id=world.ma.id).count() == 1

    entry = world.entries["ma"]
    r = client.post(f"/budgets/{world.ma.id}/spending/{entry.id}/void", data={"reason": "Typed twice"})
    assert r.status_code == 409 and "Those books are closed" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SpendingEntry, entry.id).status == "active"

    r = client.post(f"/budgets/{world.ma.id}/money-in/new", data={
        "received_on": [str(day.day), str(day.month), str(day.year)], "amount": "100", "source": "funder"})
    assert "are closed" in r.get_data(as_text=True)
    assert db.session.query(MoneyIn).filter_by(budget_id=world.ma.id).count() == 0

    # After the period (and for a budget without periods) money is recorded as usual.
    later = period.ends_on + timedelta(days=1)
    r = client.post(f"/budgets/{world.ma.id}/payments/new", data={
        "paid_on": [str(later.day), str(later.month), str(later.year)], "amount": "12.00", "payee": "Shop",
        "line_id": str(world.lines["ma"].id)})
    assert r.status_code == 303
    # Reopened, with a reason, the void goes through.
    r = client.post(f"/budgets/{world.ma.id}/reconciliation/{period.id}/reopen",
                    data={"reopen-version": period.version, "reopen-reason": "A payment was typed twice"})
    assert r.status_code == 303
    r = client.post(f"/budgets/{world.ma.id}/spending/{entry.id}/void", data={"reason": "Typed twice"})
    assert r.status_code == 303
    reopened = db.session.query(AuditEvent).filter_by(action="period.reopened").one()
    assert reopened.data["reason"] == "A payment was typed twice" and reopened.actor_id == world.staff.id


def test_closing_a_period_someone_else_just_closed_says_so(client, world):
    period = _closed_period(world)
    login(client, "staff@example.org")
    url = f"/budgets/{world.ma.id}/reconciliation/{period.id}"
    r = client.post(url, data={"close-version": 1, "close-statement": "0", "close-explanation": ""})
    assert r.status_code == 303
    assert "Stan Staff closed this period a moment ago" in client.get(url).get_data(as_text=True)


def test_the_provider_home_flags_each_account(client, world):
    login(client, "staff@example.org")
    r = upload(client, world.ma.id, SIGNED)
    client.post(r.location, data={})
    page = client.get("/accounts").get_data(as_text=True)
    # Books: only the £70 recorded on the plan's first day; the bank says £2,811 on 10 October.
    assert "−£70.00" in page and "Overdrawn" in page
    assert "Books and bank differ" in page and "by £2,881.00 on 10 Oct 2026" in page
    assert "Never" in page  # not reconciled yet
    # Money in that takes the books over the funder's 8 weeks (the plan: £127.10 a week) is a surplus.
    db.session.add(MoneyIn(budget_id=world.ma.id, received_on=world.ma.plan_year_start, amount_pence=200000,
                           source="funder"))
    db.session.commit()
    page = client.get("/accounts").get_data(as_text=True)
    assert "Surplus" in page and "£913.20 over 8 weeks" in page and "Overdrawn" not in page
    filtered = client.get("/accounts?to_match=1&sort=to_match").get_data(as_text=True)
    assert "1 person" in filtered and "Showing only: statement lines to match" in filtered
    assert "0 people" in client.get("/accounts?queried=1").get_data(as_text=True)
