"""Accepting every suggestion on every page, in the worker: asked for on the matching page, done in batches that
each commit with the job's progress, shown on a page that refreshes itself (htmx) or by a link (no JavaScript);
a worker killed mid-job is carried on by the next; nothing is matched twice."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from pbportal.audit import AuditEvent
from pbportal.banking import jobs
from pbportal.banking.models import MatchRule, StatementLine
from pbportal.budget.models import MoneyIn
from pbportal.extensions import db
from pbportal.spending.models import SpendingEntry
from pbportal.timeutil import utcnow

from ..conftest import EMAIL, login
from .helpers import add_lines, fresh, url


@pytest.fixture
def many(world, acct):
    """acct's five lines, 30 more from a payee matched before (a rule), and 3 nobody has matched."""
    db.session.add(MatchRule(budget_id=world.ma.id, pattern="HOMECARE PARTNERS LTD REF",
                             line_root_id=world.lines["ma"].lineage, payee="Homecare Partners Ltd", uses=3))
    more = add_lines(world.ma, world.staff, [(20 + n, f"HOMECARE PARTNERS LTD REF {n}", -1000 - n)
                                             for n in range(30)])
    more += add_lines(world.ma, world.staff, [(60 + n, f"CORNER SHOP {n}", -500) for n in range(3)])
    db.session.commit()
    return {**acct, "more": more}


def _unmatched(budget_id):
    db.session.expire_all()
    return db.session.query(StatementLine).filter_by(budget_id=budget_id, status="unmatched").count()


def test_every_suggestion_on_every_page_is_accepted_by_the_worker(staff, world, many):
    page = staff.get(url(world)).get_data(as_text=True)
    assert "Accept every suggestion on every page" in page
    r = staff.post(url(world) + "/accept-everything")
    assert r.status_code == 303 and "/matching/jobs/" in r.location
    waiting = staff.get(r.location).get_data(as_text=True)
    assert "Waiting to start: 38 lines to look at." in waiting and "Refresh to see how far it has got" in waiting
    assert _unmatched(world.ma.id) == 38  # nothing yet: the request only asked

    job = jobs.run_one()
    assert (job.status, job.accepted, job.passed_over) == ("done", 34, 4)
    # money in from the council, the agency line linked to its payment, the 32 homecare lines on the plan
    council = fresh(StatementLine, many["council"].id)
    assert council.status == "matched"
    assert db.session.query(MoneyIn).filter_by(statement_line_id=council.id).one().amount_pence == 100000
    assert fresh(SpendingEntry, world.entries["ma"].id).statement_line_id == many["agency"].id
    homecare = db.session.query(SpendingEntry).filter(SpendingEntry.payee == "Homecare Partners Ltd").all()
    assert len(homecare) == 32 and {e.line_id for e in homecare} == {world.lines["ma"].id}
    assert sorted(e.amount_pence for e in homecare) == sorted([34300, 34300] + [1000 + n for n in range(30)])
    assert _unmatched(world.ma.id) == 4  # the mixed shop and the corner shops: no suggestion
    rule = db.session.query(MatchRule).filter_by(budget_id=world.ma.id, pattern="HOMECARE PARTNERS LTD REF").one()
    assert rule.uses == 3 + 32
    audit = db.session.query(AuditEvent).filter(AuditEvent.action.in_(
        ["statement_line.matched", "statement_line.linked"])).all()
    assert len(audit) == 34 and all(a.data["bulk"] and a.actor_id == world.staff.id for a in audit)
    assert [a.action for a in db.session.query(AuditEvent).filter(AuditEvent.action.like("match_job.%"))
            .order_by(AuditEvent.id)] == ["match_job.asked", "match_job.done"]

    done = staff.get(r.location).get_data(as_text=True)
    assert "34 suggestions accepted" in done and "4 lines had no suggestion to accept" in done
    assert "every 2s" not in done and "Back to the lines to match" in done


def test_while_it_works_the_page_polls_and_asking_again_gives_the_same_job(staff, world, many):
    first = staff.post(url(world) + "/accept-everything").location
    assert staff.post(url(world) + "/accept-everything").location == first
    assert db.session.query(jobs.MatchJob).count() == 1
    partial = staff.get(first, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert partial.startswith('<div id="job-progress"') and 'hx-trigger="every 2s"' in partial
    assert "<html" not in partial
    page = staff.get(url(world)).get_data(as_text=True)
    assert "Every suggestion is being accepted: see how far it has got" in page
    assert "Accept every suggestion on every page" not in page


def test_a_worker_killed_mid_job_is_carried_on_and_nothing_is_matched_twice(staff, world, many, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH", 10)
    staff.post(url(world) + "/accept-everything")
    job = jobs._claim(utcnow())
    assert jobs._batch(job)  # one batch committed, then the worker "dies" holding the lease
    assert jobs.run_one() is None  # the lease is still held: nobody else takes it
    db.session.expire_all()
    job = db.session.get(jobs.MatchJob, job.id)
    assert job.status == "running" and job.looked_at == 10
    finished = jobs.run_one(now=utcnow() + jobs.LEASE + timedelta(seconds=1))
    assert (finished.status, finished.accepted, finished.passed_over) == ("done", 34, 4)
    for line in db.session.query(StatementLine).filter_by(budget_id=world.ma.id, status="matched"):
        made = db.session.query(SpendingEntry).filter_by(statement_line_id=line.id).count()
        made += db.session.query(MoneyIn).filter_by(statement_line_id=line.id).count()
        assert made == 1, line.description


def test_a_line_matched_by_hand_meanwhile_is_left_as_it_was(staff, world, many):
    staff.post(url(world) + "/accept-everything")
    line = many["more"][0]
    staff.post(url(world, line, "set-aside"), data={"version": 1, "reason": "A transfer"})
    job = jobs.run_one()
    assert (job.accepted, job.passed_over) == (33, 4)
    assert fresh(StatementLine, line.id).status == "ignored"
    assert db.session.query(SpendingEntry).filter_by(statement_line_id=line.id).count() == 0


@pytest.mark.parametrize("who", ["other_staff", "holder", "ma_holder", "case_manager", "rep"])
def test_others_get_404_and_nothing_is_asked(client, world, many, who):
    other = jobs.ask(world.ma, world.staff)
    db.session.commit()
    login(client, {"other_staff": "otherstaff@example.org", "ma_holder": "ma@example.org",
                   "case_manager": EMAIL["case_manager"], "holder": EMAIL["holder"], "rep": EMAIL["rep"]}[who])
    assert client.post(url(world) + "/accept-everything").status_code == 404
    assert client.get(url(world) + f"/jobs/{other.id}").status_code == 404
    assert db.session.query(jobs.MatchJob).count() == 1


def test_a_job_of_another_budget_is_404(staff, world, many):
    from .helpers import second_account  # noqa: PLC0415

    ma2, _ = second_account(world)
    theirs = jobs.ask(ma2, world.staff)
    db.session.commit()
    assert staff.get(url(world) + f"/jobs/{theirs.id}").status_code == 404


@pytest.mark.real_commits
def test_two_workers_at_once_run_a_job_once(request, app, world, acct):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL (SQLite in memory has one connection)")
    jobs.ask(world.ma, world.staff)
    db.session.commit()
    ran, barrier = [], threading.Barrier(2)

    def worker():
        with app.app_context():
            barrier.wait()
            ran.append(jobs.run_one())
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(job is not None for job in ran) == [False, True]
    db.session.expire_all()
    assert db.session.query(AuditEvent).filter(AuditEvent.action.in_(
        ["statement_line.matched", "statement_line.linked"])).count() == 2  # the council and the agency line
