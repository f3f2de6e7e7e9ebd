"""What matching leaves behind: rules that suggest the next line, undo that voids or unlinks, and the lock a
closed reconciliation period puts on the lines dated inside it."""
from __future__ import annotations

from datetime import timedelta

from pbportal.audit import AuditEvent
from pbportal.banking.models import MatchRule, StatementLine
from pbportal.budget.models import MoneyIn
from pbportal.extensions import db
from pbportal.reconciliation.models import ReconciliationPeriod
from pbportal.spending.models import SpendingEntry

from ..reconciliation.helpers import close, start_period
from .helpers import actions, add_lines, fresh, made_from, title, url


def test_a_match_teaches_a_rule_and_the_next_similar_line_is_suggested(staff, world, acct):
    home1, home2 = acct["home1"], acct["home2"]
    page = staff.get(url(world)).get_data(as_text=True)
    assert "Matched like this" not in page  # nothing learned yet
    r = staff.post(url(world, home1, "match"), data={"version": 1, "target": str(world.lines["ma"].id),
                                                     "payee": "Homecare Partners"})
    assert r.status_code == 303
    rule = db.session.query(MatchRule).one()
    assert (rule.pattern, rule.line_root_id, rule.payee, rule.uses) == (
        "HOMECARE PARTNERS LTD REF", world.lines["ma"].lineage, "Homecare Partners", 1)
    assert made_from(home1)[0].payee == "Homecare Partners"
    page = staff.get(url(world)).get_data(as_text=True)
    row = page[page.index(f'id="match-{home2.id}"'):]
    row = row[:row.index("</li>")]
    assert "Suggested: <strong>Agency care</strong>" in row and "Matched like this 1 time before" in row
    assert staff.post(url(world, home2, "accept"), data={"version": 1}).status_code == 303
    (entry,) = made_from(home2)
    assert (entry.line_id, entry.amount_pence, entry.payee, entry.from_statement) == (
        world.lines["ma"].id, 34300, "Homecare Partners", True)
    assert fresh(MatchRule, rule.id).uses == 2
    # A third line from the same payee, in a later statement, is suggested too.
    (third,) = add_lines(world.ma, world.staff, [(17, "HOMECARE PARTNERS LTD REF 3", -34300)])
    db.session.commit()
    assert "Matched like this 2 times before" in staff.get(url(world)).get_data(as_text=True)
    # Matching it elsewhere retrains the rule.
    staff.post(url(world, third, "match"), data={"version": 1, "target": str(world.lines["fees"].id)})
    rule = fresh(MatchRule, rule.id)
    assert (rule.line_root_id, rule.uses) == (world.lines["fees"].lineage, 1)


def test_income_is_recorded_with_its_source_and_the_funder_is_recognised(staff, world, acct):
    council = acct["council"]
    page = staff.get(url(world)).get_data(as_text=True)
    assert "The description names Test Council" in page
    r = staff.post(url(world, council, "accept"), data={"version": 1})
    assert r.status_code == 303
    item = db.session.query(MoneyIn).filter_by(statement_line_id=council.id).one()
    assert (item.amount_pence, item.source, item.received_on, item.from_statement) == (
        100000, "funder", council.line_date, True)
    assert db.session.query(MatchRule).filter_by(pattern="TEST COUNCIL PAYMENT REF").one().income_source == "funder"
    event = db.session.query(AuditEvent).filter_by(action="statement_line.matched").one()
    assert event.data["money_in_id"] == item.id and event.data["income_source"] == "funder"


def test_undo_voids_what_the_match_made_and_unlinks_what_was_recorded_before(staff, world, acct):
    agency, home1, council = acct["agency"], acct["home1"], acct["council"]
    earlier = world.entries["ma"]  # £70 to Agency Ltd, recorded by the provider before the statement came
    page = staff.get(url(world)).get_data(as_text=True)
    assert "Same amount as a payment already recorded" in page
    staff.post(url(world, agency, "accept"), data={"version": 1})
    assert fresh(SpendingEntry, earlier.id).statement_line_id == agency.id
    assert made_from(agency) == [fresh(SpendingEntry, earlier.id)]  # linked, nothing new recorded
    staff.post(url(world, home1, "split"), data={
        "version": 1, "part_line": [str(world.lines["ma"].id), str(world.lines["fees"].id)],
        "part_amount": ["300", "43"]})
    made = [e.id for e in made_from(home1)]
    staff.post(url(world, council, "match"), data={"version": 1, "target": "funder"})
    money_in = db.session.query(MoneyIn).filter_by(statement_line_id=council.id).one()

    r = staff.post(url(world, agency, "undo"), data={"version": 2, "reason": "Not the same payment"})
    assert r.status_code == 303
    assert "AGENCY LTD REF 77 is back on the list to match." in staff.get(r.location).get_data(as_text=True)
    kept = fresh(SpendingEntry, earlier.id)
    assert (kept.status, kept.statement_line_id) == ("active", None)  # unlinked, not voided
    staff.post(url(world, home1, "undo"), data={"version": 2, "reason": "Wrong lines"})
    for entry_id in made:
        entry = fresh(SpendingEntry, entry_id)
        assert (entry.status, entry.change_reason, entry.changed_by_id) == (
            "voided", "Match undone: Wrong lines", world.staff.id)
    staff.post(url(world, council, "undo"), data={"version": 2, "reason": "It was a contribution"})
    item = fresh(MoneyIn, money_in.id)
    assert (item.status, item.change_reason) == ("voided", "Match undone: It was a contribution")
    assert {fresh(StatementLine, ln.id).status for ln in (agency, home1, council)} == {"unmatched"}
    undone = {e.object_id: e.data for e in db.session.query(AuditEvent).filter_by(action="statement_line.unmatched")}
    assert undone[agency.id]["unlinked_ids"] == [earlier.id] and undone[agency.id]["voided_ids"] == []
    assert sorted(undone[home1.id]["voided_ids"]) == sorted(made) and undone[home1.id]["was"] == "matched"
    assert undone[council.id]["voided_ids"] == [money_in.id]
    assert actions() == ["statement_line.linked", "statement_line.matched", "statement_line.matched",
                         "statement_line.unmatched", "statement_line.unmatched", "statement_line.unmatched"]
    # Back on the list, with the suggestion again.
    page = staff.get(url(world)).get_data(as_text=True)
    assert "Same amount as a payment already recorded" in page and "5 lines to match" in page


def test_a_closed_period_locks_its_lines_until_it_is_reopened_with_a_reason(staff, world, acct):
    ma, start = world.ma, world.ma.plan_year_start
    home1, agency, home2 = acct["home1"], acct["agency"], acct["home2"]
    staff.post(url(world, home1, "match"), data={"version": 1, "target": str(world.lines["ma"].id)})
    r = start_period(staff, ma, start + timedelta(days=5), "587.00", start=start, opening="0")
    period = db.session.query(ReconciliationPeriod).one()
    assert r.status_code == 303
    r = close(staff, ma, period.id, explanation="Council payment and agency line still to match")
    assert r.status_code == 303 and fresh(ReconciliationPeriod, period.id).status == "closed"
    closed = f"The books from {start:%-d %B %Y} to {start + timedelta(days=5):%-d %B %Y} are closed"
    done = actions()
    for action, line, data in [("undo", home1, {"version": 2, "reason": "Wrong line"}),
                               ("accept", agency, {"version": 1}),
                               ("match", agency, {"version": 1, "target": str(world.lines["ma"].id)}),
                               ("set-aside", agency, {"version": 1, "reason": "Transfer"})]:
        r = staff.post(url(world, line, action), data=data)
        body = r.get_data(as_text=True)
        assert r.status_code == 200 and closed in body and title(body).startswith("Error:"), action
        assert closed in staff.post(url(world, line, action), data=data, headers={"HX-Request": "true"}
                                    ).get_data(as_text=True), action
    assert fresh(StatementLine, home1.id).status == "matched" and made_from(home1)[0].status == "active"
    assert fresh(StatementLine, agency.id).status == "unmatched" and actions() == done
    # A line dated after the period is not locked.
    assert staff.post(url(world, home2, "match"), data={"version": 1, "target": str(world.lines["ma"].id)}
                      ).status_code == 303

    period = fresh(ReconciliationPeriod, period.id)
    r = staff.post(f"/budgets/{ma.id}/reconciliation/{period.id}/reopen",
                   data={"reopen-version": period.version, "reopen-reason": "Homecare matched to the wrong line"})
    assert r.status_code == 303 and fresh(ReconciliationPeriod, period.id).status == "open"
    event = db.session.query(AuditEvent).filter_by(action="period.reopened").one()
    assert (event.object_id, event.actor_id, event.data["reason"]) == (
        period.id, world.staff.id, "Homecare matched to the wrong line")
    r = staff.post(url(world, home1, "undo"), data={"version": 2, "reason": "Wrong line"})
    assert r.status_code == 303 and fresh(StatementLine, home1.id).status == "unmatched"
    assert staff.post(url(world, agency, "accept"), data={"version": 1}).status_code == 303
    assert fresh(StatementLine, agency.id).status == "matched"

