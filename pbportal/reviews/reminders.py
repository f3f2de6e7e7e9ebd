"""Reminders for case managers: a review due within 30 days, and a review overdue, each told once for each due
date (a review recorded, or the date moved, makes a new occasion; a day missed is caught up the next)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..budget.models import Budget
from ..extensions import db
from ..notifications.models import Kind
from ..notifications.services import notify, path_for

COMING_DUE_DAYS = 30


def review_reminders(on: date) -> int:
    count = 0
    coming = db.session.scalars(select(Budget).options(joinedload(Budget.case_manager))
                                .where(Budget.next_review_due >= on,
                                       Budget.next_review_due <= on + timedelta(days=COMING_DUE_DAYS),
                                       Budget.case_manager_id.is_not(None), Budget.ended_on.is_(None))
                                .order_by(Budget.id)).all()
    for budget in coming:
        count += notify(budget.case_manager, Kind.REVIEW_COMING_DUE,
                        f"review_due:{budget.id}:{budget.next_review_due}",
                        f"{budget.person_name}’s review is due on {budget.next_review_due:%-d %B %Y}",
                        path_for("reviews.index", budget_id=budget.id), budget.id) is not None
    overdue = db.session.scalars(select(Budget).options(joinedload(Budget.case_manager))
                                 .where(Budget.next_review_due < on, Budget.case_manager_id.is_not(None),
                                        Budget.ended_on.is_(None))
                                 .order_by(Budget.id)).all()
    for budget in overdue:
        count += notify(budget.case_manager, Kind.REVIEW_OVERDUE,
                        f"review_overdue:{budget.id}:{budget.next_review_due}",
                        f"{budget.person_name}’s review is overdue: it was due on {budget.next_review_due:%-d %B %Y}",
                        path_for("reviews.index", budget_id=budget.id), budget.id) is not None
    return count
