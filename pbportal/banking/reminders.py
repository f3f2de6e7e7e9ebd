"""Reminders for providers: a managed account with no bank statement imported for 35 days (counted from the last
day the latest statement covers, or from the plan's start when none has been imported). Told once for each
statement gap: importing a statement ends it, and the next gap is a new occasion."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from ..auth.models import Role, User
from ..budget.models import Budget, HeldAs
from ..extensions import db
from ..notifications.models import Kind
from ..notifications.services import path_for, told
from .models import Statement

STATEMENT_GAP_DAYS = 35


def statement_reminders(on: date) -> int:
    cutoff = on - timedelta(days=STATEMENT_GAP_DAYS)
    last = (select(Statement.budget_id, func.max(Statement.last_date).label("last_date"))
            .group_by(Statement.budget_id).subquery())
    rows = db.session.execute(
        select(Budget, last.c.last_date).outerjoin(last, last.c.budget_id == Budget.id)
        .where(Budget.held_as == HeldAs.MANAGED_ACCOUNT, Budget.provider_id.is_not(None), Budget.ended_on.is_(None),
               Budget.provider_declined_at.is_(None),
               func.coalesce(last.c.last_date, Budget.plan_year_start) < cutoff)
        .order_by(Budget.provider_id, Budget.id)).all()
    staff: dict[int, list[User]] = {}
    count = 0
    for budget, last_date in rows:
        if budget.provider_id not in staff:
            staff[budget.provider_id] = db.session.scalars(
                select(User).where(User.organisation_id == budget.provider_id, User.role == Role.PROVIDER_STAFF,
                                   User.is_active_account.is_(True))
                .order_by(User.id)).all()
        since = last_date or budget.plan_year_start
        title = (f"No bank statement imported for {budget.person_name}’s account since {since:%-d %B %Y}"
                 if last_date else f"No bank statement imported yet for {budget.person_name}’s account")
        count += told(staff[budget.provider_id], Kind.STATEMENT_NOT_IMPORTED, f"statement:{budget.id}:{since}",
                      title, path_for("banking.index", budget_id=budget.id), budget.id,
                      "Import the latest statement so every line can be matched and the period reconciled.")
    return count
