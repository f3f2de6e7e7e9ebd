"""Two provider staff working on the same account at the same moment: neither overwrites the other silently.
Real concurrent requests on PostgreSQL (SQLite in memory has one connection, so it cannot race)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from pbportal.audit import AuditEvent
from pbportal.banking import matching
from pbportal.banking.models import LineComment, MatchRule, StatementLine
from pbportal.budget.models import MoneyIn
from pbportal.extensions import db
from pbportal.reconciliation import account_views, periods, returns
from pbportal.reconciliation.models import MonitoringReturn, ReconciliationPeriod, ReturnEvent
from pbportal.spending.models import SpendingEntry

from ..banking.helpers import SIGNED, upload
from ..conftest import EMAIL, login, make_user

# The two requests run in threads on connections of their own, so they must see committed data.
pytestmark = pytest.mark.real_commits


@pytest.fixture
def two_staff(request, app, world):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    make_user("staff2@example.org", "provider_staff", "Sue Second", world.provider_org)
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    login(first, "staff@example.org")
    login(second, "staff2@example.org")
    r = upload(first, world.ma.id, SIGNED)
    first.post(r.location, data={})
    return first, second


def _together(monkeypatch, module, name, calls):
    """Run the calls in two threads that both get past `name` (having read the same version) before
    either writes: the race the optimistic lock is for."""
    barrier = threading.Barrier(len(calls), timeout=20)
    original = getattr(module, name)

    def waiting(*args, **kwargs):
        result = original(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(module, name, waiting)
    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result(timeout=60) for f in [pool.submit(call) for call in calls]]


def test_two_people_matching_one_line_at_once(two_staff, world, monkeypatch):
    first, second = two_staff
    line = db.session.query(StatementLine).filter_by(description="HOMECARE PARTNERS LTD").one()
    url = f"/budgets/{world.ma.id}/matching/{line.id}/match"
    hx = {"HX-Request": "true"}
    version, target, line_id = line.version, str(world.lines["ma"].id), line.id  # read here, not in the threads
    answers = _together(monkeypatch, matching, "_take", [
        lambda: first.post(url, data={"version": version, "target": target}, headers=hx),
        lambda: second.post(url, data={"version": version, "target": target, "payee": "Someone else"}, headers=hx),
    ])
    pages = [a.get_data(as_text=True) for a in answers]
    assert all(a.status_code == 200 for a in answers)
    won = [p for p in pages if "matched to Agency care" in p]
    lost = [p for p in pages if "Someone else changed this line a moment ago" in p]
    assert len(won) == 1 and len(lost) == 1, pages
    db.session.expire_all()
    entries = db.session.query(SpendingEntry).filter_by(statement_line_id=line_id).all()
    assert len(entries) == 1 and entries[0].amount_pence == 34300
    assert db.session.get(StatementLine, line_id).version == version + 1


def test_two_people_closing_one_period_at_once(two_staff, world, monkeypatch):
    first, second = two_staff
    start = db.session.query(StatementLine).order_by(StatementLine.line_date).first().line_date
    end = db.session.query(StatementLine).order_by(StatementLine.line_date.desc()).first().line_date
    period = periods.open_period(world.ma.id, start, end, 200000, 281100, world.staff)
    db.session.commit()
    url = f"/budgets/{world.ma.id}/reconciliation/{period.id}"
    version, period_id = period.version, period.id
    answers = _together(monkeypatch, periods, "_check_version", [
        lambda: first.post(url, data={"close-version": version, "close-statement": "2811.00",
                                      "close-explanation": "Lines still to match: first person"}),
        lambda: second.post(url, data={"close-version": version, "close-statement": "2811.00",
                                       "close-explanation": "Lines still to match: second person"}),
    ])
    assert [a.status_code for a in answers] == [303, 303]
    flashes = [c.get(url).get_data(as_text=True) for c in (first, second)]
    assert sum("Period closed." in f for f in flashes) == 1
    assert sum("Someone else changed this period" in f for f in flashes) == 1
    db.session.expire_all()
    closed = db.session.get(ReconciliationPeriod, period_id)
    assert closed.status == "closed" and closed.explanation.startswith("Lines still to match")


def test_two_people_accepting_the_same_suggestions_at_once(two_staff, world, monkeypatch):
    """The second of two bulk accepts of the same lines got a 500: now one accepts them all and the other is
    told that nothing was matched and why."""
    first, second = two_staff
    budget = world.ma
    lines = db.session.query(StatementLine).filter_by(budget_id=budget.id, status="unmatched").all()
    for line in lines:  # rules learned before, so each line has a suggestion
        db.session.add(MatchRule(budget_id=budget.id, pattern=matching.pattern_of(line.description), uses=3,
                                 **({"income_source": "funder"} if line.amount_pence > 0 else
                                    {"line_root_id": world.lines["ma"].lineage, "payee": "Provider"})))
    db.session.commit()
    found = matching.suggestions(budget, lines)
    chosen = [f"{ln.id}:{ln.version}" for ln in lines if ln.id in found]
    assert len(chosen) >= 2
    url = f"/budgets/{budget.id}/matching/accept"
    answers = _together(monkeypatch, matching, "suggestions", [
        lambda: first.post(url, data={"line": chosen}),
        lambda: second.post(url, data={"line": chosen}),
    ])
    assert [a.status_code for a in answers] == [303, 303]
    monkeypatch.undo()  # the list pages below make suggestions too
    flashes = [c.get(a.location).get_data(as_text=True) for c, a in zip((first, second), answers, strict=True)]
    assert sum(f"{len(chosen)} suggestions accepted." in f for f in flashes) == 1, flashes
    assert sum("Nothing was matched." in f and "by someone else a moment ago" in f for f in flashes) == 1
    db.session.expire_all()
    ids = [int(c.split(":")[0]) for c in chosen]
    assert db.session.query(SpendingEntry).filter(SpendingEntry.statement_line_id.in_(ids)).count() + \
        db.session.query(MoneyIn).filter(MoneyIn.statement_line_id.in_(ids)).count() == len(ids)


def test_a_return_accepted_and_queried_at_once(request, app, world):
    """The loser of a simultaneous accept and query got "Page not found": now it is told the return moved on,
    and the return has one response."""
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    start = world.ma.plan_year_start
    period = periods.open_period(world.ma.id, start, start + timedelta(days=6), 0, -7000, world.staff)
    periods.close_period(period, period.version, -7000, "Overdrawn: funding is late", world.staff)
    ret = returns.submit_return(world.ma, period.starts_on, period.ends_on, world.staff)
    db.session.commit()
    url, version, ret_id = f"/budgets/{world.ma.id}/returns/{ret.id}", ret.version, ret.id
    start_line = threading.Barrier(2, timeout=20)

    def respond(data):
        client = app.test_client()
        login(client, EMAIL["case_manager"])
        start_line.wait()
        answer = client.post(url, data={"respond-version": version, **data})
        return answer.status_code, client.get(url).get_data(as_text=True)

    with ThreadPoolExecutor(2) as pool:
        results = [f.result(timeout=60) for f in [
            pool.submit(respond, {"respond-decision": "accepted"}),
            pool.submit(respond, {"respond-decision": "queried", "respond-comment": "Why overdrawn?"})]]
    assert [code for code, _ in results] == [303, 303]
    pages = [page for _, page in results]
    assert sum("This return has moved on since you opened it" in p for p in pages) == 1, pages
    db.session.expire_all()
    assert db.session.get(MonitoringReturn, ret_id).status in ("accepted", "queried")
    assert db.session.query(ReturnEvent).filter_by(return_id=ret_id).count() == 2  # submitted, then one response


def test_two_answers_to_one_question_at_once(two_staff, world, monkeypatch):
    """Both answers "succeeded" and one was lost: now one is saved, the other person is told and shown what they
    wrote, and the audit log has one answer."""
    first, second = two_staff
    line = db.session.query(StatementLine).filter_by(description="HOMECARE PARTNERS LTD").one()
    question = LineComment(budget_id=world.ma.id, statement_line_id=line.id, text="Two visits?", status="open",
                           created_by_id=world.ma_holder.id)
    db.session.add(question)
    db.session.commit()
    url = f"/budgets/{world.ma.id}/account/lines/{line.id}/questions/{question.id}"
    question_id, page = question.id, f"/budgets/{world.ma.id}/account/lines/{line.id}"
    # Both requests read the question as open and wait for each other before either answers.
    original = account_views.answer_question
    barrier = threading.Barrier(2, timeout=20)

    def waiting(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(account_views, "answer_question", waiting)
    with ThreadPoolExecutor(2) as pool:
        answers = [f.result(timeout=60) for f in [pool.submit(first.post, url, data={"answer": "Yes, two visits"}),
                                                  pool.submit(second.post, url, data={"answer": "No, one visit"})]]
    assert [a.status_code for a in answers] == [303, 303]
    pages = [c.get(page).get_data(as_text=True) for c in (first, second)]
    assert sum("Answer sent." in p for p in pages) == 1
    assert sum("answered by someone else a moment ago, so yours was not sent" in p for p in pages) == 1
    db.session.expire_all()
    saved = db.session.get(LineComment, question_id)
    assert saved.status == "answered" and saved.answer in ("Yes, two visits", "No, one visit")
    assert db.session.query(AuditEvent).filter_by(action="line_comment.answered").count() == 1
