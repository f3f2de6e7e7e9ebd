"""Budget figures: what the plan provides, what came in, what was spent and what is left.

They sum spending, so they live with spending; the budget page, the income page, contingency and reviews read
them from here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import bindparam, func, or_, select, true

from ..budget.models import Budget, BudgetLine, MoneyIn, Plan
from ..budget.services import current_plan, plan_lines
from ..choices import RecordStatus
from ..dates import PlanYear, plan_year_for
from ..extensions import db
from ..money import percent
from .models import SpendingEntry

# Percentage points either side of the year's progress that still count as "on track".
PACE_TOLERANCE = 10


@dataclass
class LineFigures:
    line: BudgetLine
    spent_pence: int
    year_percent: int

    @property
    def annual_pence(self) -> int:
        return self.line.annual_pence

    @property
    def left_pence(self) -> int:
        return self.line.annual_pence - self.spent_pence

    @property
    def used_percent(self) -> int:
        return percent(self.spent_pence, self.line.annual_pence)

    @property
    def pace(self) -> str:
        """overspent, ahead, underused, on_track, or not_paced for yearly and one-off lines."""
        if self.spent_pence > self.line.annual_pence:
            return "overspent"
        if not self.line.paces_with_year:
            return "not_paced"
        gap = self.used_percent - self.year_percent
        if gap > PACE_TOLERANCE:
            return "ahead"
        if gap < -PACE_TOLERANCE:
            return "underused"
        return "on_track"


@dataclass
class BudgetFigures:
    plan_year: PlanYear
    plan: Plan | None
    lines: list[LineFigures]
    received_pence: int
    year_percent: int
    other_spent_pence: int = 0  # this plan year's spending on lines an earlier version had
    held_pence: int = 0  # money held: see money_held

    @property
    def total_pence(self) -> int:
        return sum(f.line.annual_pence for f in self.lines)

    @property
    def spent_pence(self) -> int:
        return sum(f.spent_pence for f in self.lines) + self.other_spent_pence

    @property
    def left_pence(self) -> int:
        return self.total_pence - self.spent_pence

    @property
    def used_percent(self) -> int:
        return percent(self.spent_pence, self.total_pence)

    def for_line(self, line_id: int) -> LineFigures | None:
        return next((f for f in self.lines if f.line.id == line_id), None)


def budget_figures(budget: Budget, today: date, as_it_stood: bool = False) -> BudgetFigures:
    """Everything the budget summary shows, in a fixed number of queries whatever the data size. as_it_stood
    leaves out what was paid or received after `today` (the money as it was on a past day)."""
    plan_year = plan_year_for(budget.plan_year_start, today)
    last_day = today if as_it_stood else plan_year.end
    plan = current_plan(budget, today)
    lines = plan_lines(plan)
    # Money in this plan year, money held (money_held's definition, for one budget) and this year's spending
    # summed by line, in one round trip (_figures).
    stood = today if as_it_stood else None
    rows = db.session.execute(_figures(budget.books_from is not None, as_it_stood), {
        "budget_id": budget.id, "start": plan_year.start, "last_day": last_day, "books_from": budget.books_from,
        "as_it_stood": stood}).all()
    received, held_in, held_out = rows[0][:3]
    by_line_id = [(line_id, total) for *_, line_id, total in rows if line_id is not None]
    # The lineage of each line spent on: the plan in force's own lines are known; only spending on a line of an
    # earlier version (rare) needs looking up.
    lineage_of = {line.id: line.lineage for line in lines}
    unknown = [line_id for line_id, _ in by_line_id if line_id not in lineage_of]
    if unknown:
        lineage_of.update(db.session.execute(
            select(BudgetLine.id, func.coalesce(BudgetLine.root_line_id, BudgetLine.id))
            .where(BudgetLine.id.in_(unknown))).all())
    spent_by_line: dict[int, int] = {}
    for line_id, total in by_line_id:
        spent_by_line[lineage_of[line_id]] = spent_by_line.get(lineage_of[line_id], 0) + int(total or 0)
    held = (budget.brought_forward_pence or 0) + int(held_in or 0) - int(held_out or 0)
    year_percent = percent(plan_year.days_elapsed(today), plan_year.days)
    figures = [LineFigures(line, int(spent_by_line.pop(line.lineage, 0) or 0), year_percent) for line in lines]
    other = sum(int(v or 0) for v in spent_by_line.values())  # lines no longer in the plan in force
    return BudgetFigures(plan_year, plan, figures, int(received or 0), year_percent, other, held)


def money_held(budgets: list[Budget], as_it_stood: date | None = None) -> dict[int, int]:
    """Money held, the one definition used wherever it appears: what the account held when pbportal's books
    began (brought forward: for a managed account, its first period's opening balance), plus all money in, less
    all money out since (active records; whatever the plan year). It is what the bank account should hold.
    With as_it_stood, as it was at the end of that day. One query, whatever the number of budgets."""
    held = {b.id: b.brought_forward_pence or 0 for b in budgets}
    if not held:
        return held
    for budget_id, total in db.session.execute(_money_held(as_it_stood is not None),
                                               {"ids": list(held), "as_it_stood": as_it_stood}):
        held[budget_id] += int(total or 0)
    return held


@cache
def _money_held(as_it_stood: bool):
    """money_held's statement, built once (pbportal/extensions.py, prebuilt statements): for each budget, its
    money in less its money out from when its books began, each summed from its own index entries."""
    def total(model, day):
        where = [model.budget_id == Budget.id, model.status == RecordStatus.ACTIVE,
                 or_(Budget.books_from.is_(None), day >= Budget.books_from)]
        if as_it_stood:
            where.append(day <= bindparam("as_it_stood"))
        return select(func.coalesce(func.sum(model.amount_pence), 0)).where(*where).scalar_subquery()

    return (select(Budget.id, total(MoneyIn, MoneyIn.received_on) - total(SpendingEntry, SpendingEntry.paid_on))
            .where(Budget.id.in_(bindparam("ids", expanding=True))))


def _held_where(model, day, budget_id, books_from, as_it_stood) -> list:
    """Which of one budget's records count towards money held (money_held's definition, for _figures): active,
    from when its books began (if they began after its first record), and, as it stood on a day, up to that day.
    Values or bindparams."""
    where = [model.budget_id == budget_id, model.status == RecordStatus.ACTIVE]
    if books_from is not None:
        where.append(day >= books_from)
    if as_it_stood is not None:
        where.append(day <= as_it_stood)
    return where


@cache
def _figures(books_from: bool, as_it_stood: bool):
    """budget_figures' one statement, built once for each shape (pbportal/extensions.py, prebuilt statements):
    one row of three sums (money in this plan year, money in and money out towards money held), joined to a row
    per budget line spent on this plan year (none if nothing was). Spending is summed from the covering index
    alone (no join). Parameters: budget_id, start, last_day, and books_from and as_it_stood if the shape has them."""
    budget_id, start, last_day = bindparam("budget_id"), bindparam("start"), bindparam("last_day")
    books = bindparam("books_from") if books_from else None
    stood = bindparam("as_it_stood") if as_it_stood else None
    sums = select(
        select(func.coalesce(func.sum(MoneyIn.amount_pence), 0))
        .where(MoneyIn.budget_id == budget_id, MoneyIn.status == RecordStatus.ACTIVE,
               MoneyIn.received_on.between(start, last_day)).scalar_subquery().label("received"),
        select(func.coalesce(func.sum(MoneyIn.amount_pence), 0))
        .where(*_held_where(MoneyIn, MoneyIn.received_on, budget_id, books, stood)).scalar_subquery()
        .label("held_in"),
        select(func.coalesce(func.sum(SpendingEntry.amount_pence), 0))
        .where(*_held_where(SpendingEntry, SpendingEntry.paid_on, budget_id, books, stood)).scalar_subquery()
        .label("held_out"),
    ).subquery()
    by_line = (select(SpendingEntry.line_id, func.sum(SpendingEntry.amount_pence).label("pence"))
               .where(SpendingEntry.budget_id == budget_id, SpendingEntry.status == RecordStatus.ACTIVE,
                      SpendingEntry.paid_on.between(start, last_day))
               .group_by(SpendingEntry.line_id).subquery())
    return (select(sums.c.received, sums.c.held_in, sums.c.held_out, by_line.c.line_id, by_line.c.pence)
            .select_from(sums).outerjoin(by_line, true()))
