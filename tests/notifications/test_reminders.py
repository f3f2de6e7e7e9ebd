"""The daily reminders: each rule at its edges, told once per occasion however often it runs, and the worker's
once-a-day claim."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from pbportal.auth.models import User
from pbportal.banking.models import Statement
from pbportal.budget.models import Budget
from pbportal.demo import load_demo_data
from pbportal.employment.models import Employer, Training
from pbportal.employment.reminders import expiring_reminders, stage
from pbportal.extensions import db
from pbportal.notifications.models import DailyRun, Kind, Notification
from pbportal.outbox import deliver_due
from pbportal.reminders import claim_day, run_daily_if_due, run_reminders
from pbportal.reviews.reminders import review_reminders
from pbportal.timeutil import UK, today

from ..employment.helpers import make_check, make_pa


def titles(user) -> list[str]:
    db.session.expire_all()
    return db.session.scalars(select(Notification.title).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


@pytest.mark.parametrize("days_left,expected", [(31, None), (30, 30), (8, 30), (7, 7), (1, 7), (0, 0), (-5, 0)])
def test_the_stage_of_a_reminder(days_left, expected):
    assert stage(days_left) == expected


def test_a_dbs_check_is_told_30_days_7_days_and_on_the_day_once_each(world):
    on = today()
    pa = make_pa(world.dp, "Maria Santos")
    make_check(pa, "dbs", world.holder, checked_on=on - timedelta(days=900), expires_on=on + timedelta(days=31))
    db.session.commit()
    assert expiring_reminders(on) == 0
    assert expiring_reminders(on + timedelta(days=1)) == 2  # the holder and their representative
    assert expiring_reminders(on + timedelta(days=1)) == 0
    assert expiring_reminders(on + timedelta(days=2)) == 0  # still the 30-day stage
    assert expiring_reminders(on + timedelta(days=24)) == 2
    assert expiring_reminders(on + timedelta(days=30)) == 0
    assert expiring_reminders(on + timedelta(days=31)) == 2
    expiry = on + timedelta(days=31)
    assert titles(world.holder) == [
        f"Maria Santos’s DBS check (its renewal date) runs out in 30 days, on {expiry:%-d %B %Y}",
        f"Maria Santos’s DBS check (its renewal date) runs out in 7 days, on {expiry:%-d %B %Y}",
        f"Maria Santos’s DBS check (its renewal date) runs out today, {expiry:%-d %B %Y}",
    ]
    assert titles(world.rep) == titles(world.holder)
    assert titles(world.other_holder) == []


def test_a_check_renewed_before_the_reminder_stops_it(world):
    on = today()
    pa = make_pa(world.dp, "Maria Santos")
    make_check(pa, "dbs", world.holder, checked_on=on - timedelta(days=900), expires_on=on + timedelta(days=10))
    make_check(pa, "dbs", world.holder, checked_on=on, expires_on=on + timedelta(days=1000))
    db.session.commit()
    assert expiring_reminders(on) == 0


def test_a_pa_who_has_left_brings_no_reminders(world):
    on = today()
    pa = make_pa(world.dp, "Maria Santos", end_date=on - timedelta(days=1), end_reason="Moved away")
    make_check(pa, "right_to_work", world.holder, checked_on=on - timedelta(days=300), expires_on=on)
    db.session.commit()
    assert expiring_reminders(on) == 0


def test_training_and_insurance_running_out(world):
    on = today()
    pa = make_pa(world.dp, "Maria Santos")
    db.session.add(Training(pa_id=pa.id, budget_id=world.dp.id, course="Moving and handling",
                            completed_on=on - timedelta(days=360), expires_on=on + timedelta(days=5)))
    db.session.add(Employer(budget_id=world.dp.id, insurance_renews_on=on + timedelta(days=1)))
    db.session.commit()
    assert expiring_reminders(on) == 4
    renew = on + timedelta(days=1)
    assert titles(world.holder) == [
        f"Maria Santos’s training ‘Moving and handling’ runs out in 5 days, on {on + timedelta(days=5):%-d %B %Y}",
        f"The employer’s liability insurance for {world.dp.person_name}’s budget runs out tomorrow, "
        f"{renew:%-d %B %Y}",
    ]


def test_reviews_coming_due_and_overdue_are_told_to_the_case_manager_once_per_due_date(world):
    on = today()
    world.dp.next_review_due = on + timedelta(days=31)
    world.ma.next_review_due = on - timedelta(days=1)
    db.session.commit()
    assert review_reminders(on) == 1
    assert review_reminders(on) == 0
    assert review_reminders(on + timedelta(days=1)) == 1
    assert titles(world.case_manager) == [
        f"{world.ma.person_name}’s review is overdue: it was due on {on - timedelta(days=1):%-d %B %Y}",
        f"{world.dp.person_name}’s review is due on {on + timedelta(days=31):%-d %B %Y}",
    ]
    world.ma.next_review_due = on + timedelta(days=300)  # a review recorded moves the date on
    db.session.commit()
    assert review_reminders(on + timedelta(days=1)) == 0
    assert titles(world.other_case_manager) == []


def test_a_managed_account_without_a_statement_for_35_days(world):
    on = today()
    world.ma.plan_year_start = on - timedelta(days=35)
    db.session.commit()
    assert run_reminders(on)["bank statements"] == 0
    world.ma.plan_year_start = on - timedelta(days=36)
    db.session.commit()
    assert run_reminders(on)["bank statements"] == 1
    assert titles(world.staff) == [f"No bank statement imported yet for {world.ma.person_name}’s account"]
    assert titles(world.other_staff) == []
    db.session.add(Statement(budget_id=world.ma.id, filename="s.csv", sha256="0" * 64, first_date=on - timedelta(30),
                             last_date=on - timedelta(days=2), lines_imported=1, lines_already_held=0,
                             closing_balance_pence=0, imported_by_id=world.staff.id))
    db.session.commit()
    assert run_reminders(on + timedelta(days=30))["bank statements"] == 0
    assert run_reminders(on + timedelta(days=34))["bank statements"] == 1


def test_running_twice_tells_nobody_twice(world):
    on = today()
    pa = make_pa(world.dp, "Maria Santos")
    make_check(pa, "dbs", world.holder, checked_on=on - timedelta(days=900), expires_on=on + timedelta(days=3))
    world.dp.next_review_due = on - timedelta(days=3)
    db.session.commit()
    first = run_reminders(on)
    assert first["PA checks, training and insurance"] == 2 and first["reviews"] == 1
    assert set(run_reminders(on).values()) == {0}


def _at(hour, minute=0, day=None):
    local = datetime.combine(day or today(), datetime.min.time()).replace(hour=hour, minute=minute, tzinfo=UK)
    return local.astimezone(UK)


def test_the_worker_runs_the_day_once_after_its_time(app, world):
    app.config["REMINDERS_AT"] = "07:00"
    assert claim_day(_at(6, 59)) is None
    assert run_daily_if_due(_at(7, 0)) is not None
    assert run_daily_if_due(_at(7, 5)) is None  # done for today
    run = db.session.scalar(select(DailyRun))
    assert run.finished_at is not None
    tomorrow = today() + timedelta(days=1)
    assert run_daily_if_due(_at(9, 0, tomorrow)) is not None
    assert db.session.scalar(select(func.count()).select_from(DailyRun)) == 2


def test_a_run_that_died_is_taken_up_again_after_an_hour(app, world):
    app.config["REMINDERS_AT"] = "07:00"
    db.session.add(DailyRun(job="reminders", day=today(), started_at=_at(7, 0)))
    db.session.commit()
    assert claim_day(_at(7, 30)) is None  # perhaps still running
    assert claim_day(_at(8, 1)) is not None


def test_the_demo_holder_hears_about_tom_prices_dbs_check(app, mail):
    load_demo_data()
    counts = run_reminders()
    assert counts["PA checks, training and insurance"] >= 1
    deliver_due()
    subjects = [m["Subject"] for m in mail.to("dp.holder@example.org")]
    assert any(s.startswith("Tom Price’s DBS check (its renewal date) runs out in 20 days") for s in subjects), subjects
    assert set(run_reminders().values()) == {0}
    deliver_due()
    assert [m["Subject"] for m in mail.to("dp.holder@example.org")] == subjects
    holder = db.session.scalar(select(User).where(User.email == "dp.holder@example.org"))
    assert any(t.startswith("Tom Price’s DBS check") for t in titles(holder))
    assert db.session.scalar(select(func.count()).select_from(Budget)) > 0


@pytest.mark.real_commits  # two runs in threads with connections of their own
def test_two_runs_at_once_tell_nobody_twice(request, app, world, mail):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("concurrent runs need PostgreSQL (SQLite in memory has one connection)")
    on = today()
    for n in range(20):
        pa = make_pa(world.dp, f"PA {n}")
        make_check(pa, "dbs", world.holder, checked_on=on - timedelta(days=900), expires_on=on + timedelta(days=n))
    db.session.commit()
    start = threading.Barrier(2, timeout=20)

    def run():
        with app.app_context():
            start.wait()
            try:
                return run_reminders(on)["PA checks, training and insurance"]
            finally:
                db.session.remove()

    with ThreadPoolExecutor(2) as pool:
        told = [f.result(timeout=60) for f in [pool.submit(run), pool.submit(run)]]
    assert sum(told) == 40  # 20 checks, the holder and the representative each: whichever run got there first
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind == Kind.PA_CHECK_EXPIRING)) == 40
    while deliver_due().sent:
        pass
    assert len(mail.to("holder@example.org")) == 20


def test_an_ended_budget_is_told_nothing(world):
    on = today()
    pa = make_pa(world.dp, "Maria Santos")
    make_check(pa, "dbs", world.holder, checked_on=on - timedelta(days=900), expires_on=on + timedelta(days=3))
    world.dp.next_review_due = on - timedelta(days=3)
    world.dp.ended_on, world.dp.end_reason = on, "dp_stopped"
    world.ma.ended_on, world.ma.end_reason = on, "died"
    world.ma.plan_year_start = on - timedelta(days=60)
    db.session.commit()
    told = run_reminders(on)
    assert told["PA checks, training and insurance"] == 0 and told["reviews"] == 0
    assert told["bank statements"] == 0
    assert titles(world.holder) == [] and titles(world.staff) == []
