"""Reconciliation periods of managed accounts: the arithmetic, closing, reopening, stale forms; and who may
reach every reconciliation, return and account route."""
from __future__ import annotations

from datetime import timedelta

import pytest

from pbportal.audit import AuditEvent
from pbportal.banking.models import LineComment
from pbportal.extensions import db
from pbportal.reconciliation import periods as psvc
from pbportal.reconciliation import returns as rsvc
from pbportal.reconciliation.models import ReconciliationPeriod

from ..banking.helpers import actions, fresh, second_account, title
from ..conftest import DP_READERS, DP_WRITERS, EMAIL, MA_READERS, ROLES, login, make_entry
from .helpers import close, closed_period, dmy, figure, flashed, start_period

# ---- who may ------------------------------------------------------------------------------------

@pytest.fixture
def rids(world, acct):
    ma, who = world.ma, world.staff
    p1 = closed_period(ma, who, 5, 0)
    ret = rsvc.submit_return(ma, p1.starts_on, p1.ends_on, who)
    p2 = psvc.open_period(ma.id, p1.starts_on, ma.plan_year_start + timedelta(days=14), 0, 0, who)
    question = LineComment(budget_id=ma.id, statement_line_id=acct["home1"].id, text="What was this?",
                           status="open", created_by_id=world.ma_holder.id)
    ma2, other = second_account(world)
    p_other = closed_period(ma2, who, 5, -1000)
    ret_other = rsvc.submit_return(ma2, p_other.starts_on, p_other.ends_on, who)
    q_other = LineComment(budget_id=ma2.id, statement_line_id=other.id, text="And this?", status="open",
                          created_by_id=ma2.holder_id)
    db.session.add_all([question, q_other])
    db.session.commit()
    return {"ma": ma.id, "dp": world.dp.id, "p1": p1.id, "p2": p2.id, "ret": ret.id, "q": question.id,
            "line": acct["home1"].id, "line2": acct["home2"].id, "other": other.id, "p_other": p_other.id,
            "ret_other": ret_other.id, "q_other": q_other.id}


STAFF, CM, HOLDER, NOBODY = {"staff"}, {"case_manager"}, {"ma_holder"}, set()
ROUTES = [
    ("GET", "/budgets/{ma}/reconciliation", MA_READERS, 200),
    ("POST", "/budgets/{ma}/reconciliation", STAFF, 200),
    ("GET", "/budgets/{ma}/reconciliation/{p1}", MA_READERS, 200),
    ("GET", "/budgets/{ma}/reconciliation/{p2}", MA_READERS, 200),
    ("POST", "/budgets/{ma}/reconciliation/{p1}", STAFF, 303),  # already closed: told, sent back
    ("POST", "/budgets/{ma}/reconciliation/{p2}", STAFF, 200),
    ("POST", "/budgets/{ma}/reconciliation/{p1}/reopen", STAFF, 200),
    ("POST", "/budgets/{ma}/reconciliation/{p2}/reopen", NOBODY, 200),  # an open period: nothing to reopen
    ("GET", "/budgets/{ma}/returns", MA_READERS, 200),
    ("GET", "/budgets/{ma}/returns/new?first={p1}&last={p1}", STAFF, 200),
    ("POST", "/budgets/{ma}/returns/new?first={p1}&last={p1}", STAFF, 200),
    ("GET", "/budgets/{ma}/returns/new?first={p1}&last={p2}", NOBODY, 200),  # p2 is not closed
    ("GET", "/budgets/{ma}/returns/new", NOBODY, 200),
    ("GET", "/budgets/{ma}/returns/{ret}", MA_READERS, 200),
    ("POST", "/budgets/{ma}/returns/{ret}", CM, 200),
    ("GET", "/budgets/{ma}/returns/{ret}/print", MA_READERS, 200),
    ("GET", "/budgets/{ma}/returns/{ret}.csv", MA_READERS, 200),
    ("GET", "/budgets/{ma}/account", MA_READERS, 200),
    ("GET", "/budgets/{ma}/account/lines/{line}", MA_READERS, 200),
    ("POST", "/budgets/{ma}/account/lines/{line}", HOLDER, 200),
    ("POST", "/budgets/{ma}/account/lines/{line}/questions/{q}", STAFF, 200),
    # The direct payment (its own account page is for managed accounts: what the provider matched):
    # A direct payment's own periods and returns: its holder side keeps them, its case manager reads them.
    ("GET", "/budgets/{dp}/reconciliation", DP_READERS, 200),
    ("POST", "/budgets/{dp}/reconciliation", DP_WRITERS, 200),
    # Another budget's period or return through the direct payment's address: 404 for everyone.
    ("GET", "/budgets/{dp}/reconciliation/{p1}", NOBODY, 200),
    ("POST", "/budgets/{dp}/reconciliation/{p1}/reopen", NOBODY, 200),
    ("GET", "/budgets/{dp}/returns", DP_READERS, 200),
    ("GET", "/budgets/{dp}/returns/new?first={p1}&last={p1}", NOBODY, 200),
    ("GET", "/budgets/{dp}/returns/{ret}", NOBODY, 200),
    ("POST", "/budgets/{dp}/returns/{ret}", NOBODY, 200),
    ("GET", "/budgets/{dp}/returns/{ret}/print", NOBODY, 200),
    ("GET", "/budgets/{dp}/returns/{ret}.csv", NOBODY, 200),
    ("GET", "/budgets/{dp}/account", NOBODY, 200),
    ("GET", "/budgets/{dp}/account/lines/{line}", NOBODY, 200),
    ("POST", "/budgets/{dp}/account/lines/{line}", NOBODY, 200),
    ("POST", "/budgets/{dp}/account/lines/{line}/questions/{q}", NOBODY, 200),
    # Another account's records through this account's URL.
    ("GET", "/budgets/{ma}/reconciliation/{p_other}", NOBODY, 200),
    ("POST", "/budgets/{ma}/reconciliation/{p_other}/reopen", NOBODY, 200),
    ("GET", "/budgets/{ma}/returns/new?first={p_other}&last={p_other}", NOBODY, 200),
    ("GET", "/budgets/{ma}/returns/{ret_other}", NOBODY, 200),
    ("POST", "/budgets/{ma}/returns/{ret_other}", NOBODY, 200),
    ("GET", "/budgets/{ma}/returns/{ret_other}/print", NOBODY, 200),
    ("GET", "/budgets/{ma}/returns/{ret_other}.csv", NOBODY, 200),
    ("GET", "/budgets/{ma}/account/lines/{other}", NOBODY, 200),
    ("POST", "/budgets/{ma}/account/lines/{other}", NOBODY, 200),
    ("POST", "/budgets/{ma}/account/lines/{line}/questions/{q_other}", NOBODY, 200),
    ("POST", "/budgets/{ma}/account/lines/{line2}/questions/{q}", NOBODY, 200),  # a question on another line
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, allowed, status", ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_route_access(client, rids, role, method, path, allowed, status):
    login(client, EMAIL[role])
    before = len(actions())
    target = path.format(**rids)
    response = client.get(target) if method == "GET" else client.post(target, data={})
    assert response.status_code == (status if role in allowed else 404), response.get_data(as_text=True)[:300]
    assert len(actions()) == before  # empty forms save nothing, whoever sends them


@pytest.mark.parametrize("role", [r for r in ROLES if r != "staff"])
def test_only_the_provider_opens_closes_and_reopens(client, world, role):
    ma, start = world.ma, world.ma.plan_year_start
    closed = closed_period(ma, world.staff, 5, -7000)
    db.session.commit()
    login(client, EMAIL[role])
    assert start_period(client, ma, start + timedelta(days=9), "0").status_code == 404
    r = client.post(f"/budgets/{ma.id}/reconciliation/{closed.id}/reopen",
                    data={"reopen-version": closed.version, "reopen-reason": "Mine to reopen"})
    assert r.status_code == 404
    assert [p.status for p in db.session.query(ReconciliationPeriod)] == ["closed"]
    page = client.get(f"/budgets/{ma.id}/reconciliation/{closed.id}")
    if role in MA_READERS:
        assert "Reopen the period" not in page.get_data(as_text=True)
    else:
        assert page.status_code == 404


# ---- the arithmetic, closing ------------------------------------------------------------------------

def test_the_difference_is_shown_with_the_lines_that_cause_it(staff, world, acct):
    ma, start = world.ma, world.ma.plan_year_start
    staff.post(f"/budgets/{ma.id}/matching/{acct['council'].id}/accept", data={"version": 1})
    staff.post(f"/budgets/{ma.id}/matching/{acct['agency'].id}/accept", data={"version": 1})  # links £70
    for key in ("home1", "home2"):
        staff.post(f"/budgets/{ma.id}/matching/{acct[key].id}/match",
                   data={"version": 1, "target": str(world.lines["ma"].id)})
    make_entry(ma, world.lines["ma"], 2500, paid_on=start + timedelta(days=5), payee="Cash Taxi", by=world.staff)
    db.session.commit()
    # The shop (−£44) is on the statement but not matched; the taxi (−£25) is in the books but not on the bank.
    r = start_period(staff, ma, start + timedelta(days=27), "200.00", start=start, opening="0")
    period = db.session.query(ReconciliationPeriod).one()
    body = flashed(staff, r)
    assert figure(body, "Opening balance") == "£0.00" and figure(body, "Plus money in") == "£1,000.00"
    assert figure(body, "Less money out") == "£781.00"  # 70 + 343 + 343 + 25
    assert figure(body, "Closing balance per the books") == "£219.00"
    assert figure(body, "Closing balance per the bank statement") == "£200.00"
    assert figure(body, "Difference") == "−£19.00"
    bank_only, books_only = body.split("In the books, not seen on the bank statement (1)")
    bank_only = bank_only.split("On the bank statement, not matched in the books (1)")[1]
    assert "MIXED SHOP" in bank_only and "−£44.00" in bank_only and "HOMECARE" not in bank_only
    assert "Cash Taxi" in books_only and "−£25.00" in books_only and "Agency Ltd" not in books_only
    assert "is missing" not in body  # the statement lines themselves add up to the statement's balance

    r = close(staff, ma, period.id)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Explain the difference, or match the lines that cause it first" in body
    assert title(body).startswith("Error:")
    assert fresh(ReconciliationPeriod, period.id).status == "open" and "period.closed" not in actions()

    r = close(staff, ma, period.id, explanation="Shop receipt awaited; taxi paid in cash")
    body = flashed(staff, r)
    assert "Period closed." in body
    assert "Explanation given when it was closed:</strong> Shop receipt awaited; taxi paid in cash" in body
    period = fresh(ReconciliationPeriod, period.id)
    assert (period.status, period.difference_pence, period.money_in_pence, period.money_out_pence,
            period.explanation, period.closed_by_id) == (
        "closed", -1900, 100000, 78100, "Shop receipt awaited; taxi paid in cash", world.staff.id)
    assert "with £19.00 explained" in staff.get(f"/budgets/{ma.id}/reconciliation").get_data(as_text=True)
    events = {e.action: e.data for e in db.session.query(AuditEvent).filter(AuditEvent.action.like("period.%"))}
    assert events["period.opened"]["statement_balance_pence"] == 20000
    assert events["period.closed"]["difference_pence"] == -1900
    assert events["period.closed"]["explanation"] == "Shop receipt awaited; taxi paid in cash"


@pytest.mark.parametrize("start, end, opening, statement, message", [
    (None, 5, None, "0", "Enter the first day of the period"),
    (6, 5, "0", "0", "The first day must be on or before the last day"),
    (0, 400, "0", "0", "The last day must be today or in the past"),
    (0, 5, "abc", "0", "Enter the balance in pounds and pence, like 1,234.56 or -12.50"),
    (0, 5, "0", "", "Enter the closing balance on the statement"),
])
def test_a_first_period_needs_proper_dates_and_balances(staff, world, start, end, opening, statement, message):
    ma, day0 = world.ma, world.ma.plan_year_start
    data = {"ends_on": dmy(day0 + timedelta(days=end)), "statement": statement, "opening": opening or ""}
    if start is not None:
        data["starts_on"] = dmy(day0 + timedelta(days=start))
    r = staff.post(f"/budgets/{ma.id}/reconciliation", data=data)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and message in body and title(body).startswith("Error:")
    assert db.session.query(ReconciliationPeriod).count() == 0 and actions() == []


def test_reopening_needs_a_reason_and_only_the_latest_period_reopens(staff, world):
    ma, day0 = world.ma, world.ma.plan_year_start
    first = closed_period(ma, world.staff, 5, -7000)
    db.session.commit()
    reopen = f"/budgets/{ma.id}/reconciliation/{first.id}/reopen"
    r = staff.post(reopen, data={"reopen-version": first.version, "reopen-reason": "  "})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Enter why you are reopening this period" in body
    assert title(body).startswith("Error:")
    assert fresh(ReconciliationPeriod, first.id).status == "closed" and "period.reopened" not in actions()
    # The next period starts the day after, on the last one's closing balance.
    assert "It starts on" in staff.get(f"/budgets/{ma.id}/reconciliation").get_data(as_text=True)
    r = start_period(staff, ma, day0 + timedelta(days=14), "-70.00")
    second = db.session.query(ReconciliationPeriod).filter(ReconciliationPeriod.id != first.id).one()
    assert (second.starts_on, second.opening_balance_pence) == (day0 + timedelta(days=6), -7000)
    assert "None: they agree" in flashed(staff, r)
    assert close(staff, ma, second.id).status_code == 303
    r = staff.post(reopen, data={"reopen-version": fresh(ReconciliationPeriod, first.id).version,
                                 "reopen-reason": "A mistake in October"})
    body = r.get_data(as_text=True)
    assert "Only the latest period can be reopened: later periods open on its closing balance" in body
    assert fresh(ReconciliationPeriod, first.id).status == "closed" and "period.reopened" not in actions()
    second = fresh(ReconciliationPeriod, second.id)
    r = staff.post(f"/budgets/{ma.id}/reconciliation/{second.id}/reopen",
                   data={"reopen-version": second.version, "reopen-reason": "A mistake in the second"})
    assert "Period reopened." in flashed(staff, r)
    assert fresh(ReconciliationPeriod, second.id).status == "open"
    assert db.session.query(AuditEvent).filter_by(action="period.reopened").one().data["reason"] == \
        "A mistake in the second"


def test_a_stale_period_form_changes_nothing(staff, world):
    ma = world.ma
    period = psvc.open_period(ma.id, ma.plan_year_start, ma.plan_year_start + timedelta(days=5), 0, -7000,
                              world.staff)
    db.session.commit()
    seen = period.version
    r = close(staff, ma, period.id, version=seen + 1)
    assert "Someone else changed this period" in flashed(staff, r)
    assert fresh(ReconciliationPeriod, period.id).status == "open" and "period.closed" not in actions()
    close(staff, ma, period.id)
    r = staff.post(f"/budgets/{ma.id}/reconciliation/{period.id}/reopen",
                   data={"reopen-version": seen, "reopen-reason": "Old page"})
    assert "Someone else changed this period" in flashed(staff, r)
    assert fresh(ReconciliationPeriod, period.id).status == "closed" and "period.reopened" not in actions()


def test_lines_set_aside_are_not_listed_as_causes_of_a_difference(client, world, acct):
    """A transfer in by mistake and back out, set aside with a reason: the period agrees, and the page lists
    neither line as a cause of a difference (it said "On the bank statement, not matched in the books (2)")."""
    from pbportal.banking import matching

    from ..banking.helpers import add_lines

    ma, staff = world.ma, world.staff
    stray = add_lines(ma, staff, [(4, "TFR FROM HOLDING ACCOUNT", 12000), (5, "TFR TO HOLDING ACCOUNT", -12000)])
    for line in stray:
        matching.set_aside(ma, line, line.version, "Paid in by mistake and sent back", staff)
    for line in (acct["council"],):
        matching.match_income(ma, line, line.version, "funder", staff)
    matching.link(ma, acct["agency"], acct["agency"].version, world.entries["ma"], staff)  # recorded already
    spent = [(acct[k], world.lines["ma"]) for k in ("home1", "home2", "shop")]
    for line, budget_line in spent:
        matching.match_to_lines(ma, line, line.version, [(budget_line, -line.amount_pence)], "Payee", staff)
    db.session.commit()
    login(client, EMAIL["staff"])
    assert start_period(client, ma, ma.plan_year_start + timedelta(days=20), "200.00", start=ma.plan_year_start,
                        opening="0").status_code == 303
    period = db.session.query(ReconciliationPeriod).filter_by(budget_id=ma.id).one()
    body = client.get(f"/budgets/{ma.id}/reconciliation/{period.id}").get_data(as_text=True)
    assert "None: they agree" in body
    assert "TFR FROM HOLDING ACCOUNT" not in body and "not matched in the books" not in body
    assert "2 lines were set aside as not for the plan, with a reason (£0.00 net): they are not a cause" in body
    assert psvc.reconcile(period).not_in_portal == []
