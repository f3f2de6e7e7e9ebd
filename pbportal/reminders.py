"""The daily reminders: each area's rules for what is due today, then the day's digests.

`flask --app app reminders` runs them now; the worker runs them once a day at REMINDERS_AT (England's time),
claiming the day in `daily_run` so that one worker runs them however many there are. Every rule tells people
through notifications.notify, which is idempotent per person and occasion: running twice on one day, or again
after a crash halfway, tells nobody anything twice."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from .banking.reminders import statement_reminders
from .employment.reminders import expiring_reminders
from .extensions import db
from .homes.conditions import recheck_all
from .notifications.models import DailyRun
from .notifications.services import send_digests
from .reviews.reminders import review_reminders
from .timeutil import UK, today, utcnow

log = logging.getLogger(__name__)

JOB = "reminders"
STALE = timedelta(hours=1)  # a run not finished by then is taken to have died, and is run again
RULES: dict[str, Callable[[date], int]] = {
    "PA checks, training and insurance": expiring_reminders,
    "reviews": review_reminders,
    "bank statements": statement_reminders,
    "budgets' standing problems": recheck_all,
}


def run_reminders(on: date | None = None) -> dict[str, int]:
    """Queue today's reminders, rule by rule (each in its own transaction), then the digests. People told, by
    rule."""
    on = on or today()
    told = {}
    for name, rule in RULES.items():
        told[name] = rule(on)
        db.session.commit()
    told["daily digests"] = send_digests()
    db.session.commit()
    return told


def reminders_time() -> time:
    hours, _, minutes = current_app.config["REMINDERS_AT"].partition(":")
    return time(int(hours), int(minutes or 0))


def claim_day(now: datetime | None = None) -> DailyRun | None:
    """Today's run, if it is time, it has not run, and no other worker is running it: claimed for this worker."""
    now = now or utcnow()
    local = now.astimezone(UK)
    if local.time() < reminders_time():
        return None
    day = local.date()
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    new_id = db.session.execute(dialect.insert(DailyRun).values(job=JOB, day=day, started_at=now)
                                .on_conflict_do_nothing(index_elements=["job", "day"])
                                .returning(DailyRun.id)).scalar()
    if new_id is None:  # claimed already: take it over only if that run died
        taken = db.session.execute(update(DailyRun)
                                   .where(DailyRun.job == JOB, DailyRun.day == day, DailyRun.finished_at.is_(None),
                                          DailyRun.started_at < now - STALE)
                                   .values(started_at=now).execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            db.session.rollback()
            return None
    db.session.commit()
    return db.session.scalar(select(DailyRun).where(DailyRun.job == JOB, DailyRun.day == day))


def run_daily_if_due(now: datetime | None = None) -> dict[str, int] | None:
    """What the worker calls between deliveries: today's reminders, once."""
    run = claim_day(now)
    if run is None:
        return None
    told = run_reminders(run.day)
    run.finished_at = utcnow()
    db.session.commit()
    log.info("Daily reminders for %s: %s", run.day, told)
    return told
