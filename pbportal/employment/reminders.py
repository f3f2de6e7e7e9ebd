"""Reminders for employers: a PA's DBS check, right to work or training, or the employer's insurance, running out:
30 days before, 7 days before and on the day. Each of those three goes once (its occasion names the record and
the stage); a day missed (the worker was down) is caught up the next day with the stage then current, and no
stage already passed is sent late. A check renewed before a reminder is due stops it: the newer check is the one
that counts."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from ..budget.access import holder_side_people
from ..budget.models import Budget
from ..extensions import db
from ..notifications.models import Kind
from ..notifications.services import path_for, told
from .models import CHECK_KINDS, CheckKind, Employer, EmploymentCheck, PersonalAssistant, Training

DAYS_BEFORE = (30, 7, 0)
EXPIRING_KINDS = (CheckKind.DBS, CheckKind.RIGHT_TO_WORK)


def stage(days_left: int) -> int | None:
    """Which reminder is due with this many days left: 30, 7, 0 (on the day or after), or None (not yet)."""
    for days in sorted(DAYS_BEFORE):
        if days_left <= days:
            return days
    return None


def _when(day: date, on: date) -> str:
    left = (day - on).days
    if left > 1:
        return f"runs out in {left} days, on {day:%-d %B %Y}"
    if left == 1:
        return f"runs out tomorrow, {day:%-d %B %Y}"
    if left == 0:
        return f"runs out today, {day:%-d %B %Y}"
    return f"ran out on {day:%-d %B %Y}"


def _current(on: date):
    """A PA employed on `on`, by a budget that has not ended (an ended budget is told nothing)."""
    return and_(PersonalAssistant.start_date <= on,
                or_(PersonalAssistant.end_date.is_(None), PersonalAssistant.end_date >= on),
                PersonalAssistant.budget_id.in_(select(Budget.id).where(Budget.ended_on.is_(None))))


def expiring_reminders(on: date) -> int:
    """Queue the reminders due on `on`; how many people were told."""
    horizon = on + timedelta(days=max(DAYS_BEFORE))
    count = 0
    newer = aliased(EmploymentCheck)
    checks = db.session.execute(
        select(EmploymentCheck, PersonalAssistant)
        .join(PersonalAssistant, PersonalAssistant.id == EmploymentCheck.pa_id)
        .where(EmploymentCheck.kind.in_(EXPIRING_KINDS), EmploymentCheck.expires_on <= horizon, _current(on),
               ~exists().where(newer.pa_id == EmploymentCheck.pa_id, newer.kind == EmploymentCheck.kind,
                               or_(newer.checked_on > EmploymentCheck.checked_on,
                                   and_(newer.checked_on == EmploymentCheck.checked_on,
                                        newer.id > EmploymentCheck.id))))
        .order_by(EmploymentCheck.id)).all()
    for check, pa in checks:
        days = stage((check.expires_on - on).days)
        what = "DBS check (its renewal date)" if check.kind == CheckKind.DBS else CHECK_KINDS[check.kind].lower()
        count += _tell(pa.budget_id, f"check:{check.id}:{days}", f"{pa.name}’s {what} {_when(check.expires_on, on)}",
                       path_for("employment.show", budget_id=pa.budget_id, pa_id=pa.id),
                       "Record the new check on their page when you have it, so the reminders stop.")
    later = aliased(Training)
    trainings = db.session.execute(
        select(Training, PersonalAssistant)
        .join(PersonalAssistant, PersonalAssistant.id == Training.pa_id)
        .where(Training.expires_on <= horizon, _current(on),
               ~exists().where(later.pa_id == Training.pa_id, later.course == Training.course,
                               later.completed_on > Training.completed_on))
        .order_by(Training.id)).all()
    for training, pa in trainings:
        days = stage((training.expires_on - on).days)
        count += _tell(pa.budget_id, f"training:{training.id}:{days}",
                       f"{pa.name}’s training ‘{training.course}’ {_when(training.expires_on, on)}",
                       path_for("employment.show", budget_id=pa.budget_id, pa_id=pa.id),
                       "Record the refresher when it is done, so the reminders stop.")
    employers = db.session.scalars(select(Employer).where(Employer.insurance_renews_on <= horizon,
                                                          Employer.budget_id.in_(select(Budget.id).where(
                                                              Budget.ended_on.is_(None))))
                                   .order_by(Employer.id)).all()
    for employer in employers:
        days = stage((employer.insurance_renews_on - on).days)
        name = db.session.get(Budget, employer.budget_id).person_name
        count += _tell(employer.budget_id, f"insurance:{employer.budget_id}:{employer.insurance_renews_on}:{days}",
                       f"The employer’s liability insurance for {name}’s budget "
                       f"{_when(employer.insurance_renews_on, on)}",
                       path_for("employment.index", budget_id=employer.budget_id),
                       "Renew it, then record the new renewal date with your employer details.")
    return count


def _tell(budget_id: int, occasion: str, title: str, link: str, detail: str) -> int:
    budget = db.session.get(Budget, budget_id)
    return told(holder_side_people(budget), Kind.PA_CHECK_EXPIRING, occasion, title, link, budget_id, detail)
