"""Budget figures: what the plan provides, what came in, what was spent and what is left."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ..audit import record
from ..dates import PlanYear, plan_year_for
from ..extensions import db
from ..money import multiply_pence, percent
from .models import FREQUENCY_TIMES, Budget, BudgetLine, MoneyIn, Plan

# Percentage points either side of the year's progress that still count as "on track".
PACE_TOLERANCE = 10


def annual_pence(unit_cost_pence: int, quantity: Decimal, frequency: str) -> int:
    return multiply_pence(unit_cost_pence, quantity, FREQUENCY_TIMES[frequency])


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

    @property
    def total_pence(self) -> int:
        return sum(f.line.annual_pence for f in self.lines)

    @property
    def spent_pence(self) -> int:
        return sum(f.spent_pence for f in self.lines)

    @property
    def left_pence(self) -> int:
        return self.total_pence - self.spent_pence

    @property
    def held_pence(self) -> int:
        """Money received this plan year less what was spent: what should be in the account."""
        return self.received_pence - self.spent_pence

    @property
    def used_percent(self) -> int:
        return percent(self.spent_pence, self.total_pence)

    def for_line(self, line_id: int) -> LineFigures | None:
        return next((f for f in self.lines if f.line.id == line_id), None)


def current_plan(budget: Budget) -> Plan | None:
    return db.session.scalar(
        select(Plan).where(Plan.budget_id == budget.id).order_by(Plan.version.desc()).limit(1)
    )


def plan_lines(plan: Plan | None) -> list[BudgetLine]:
    if plan is None:
        return []
    return list(
        db.session.scalars(
            select(BudgetLine).where(BudgetLine.plan_id == plan.id).order_by(BudgetLine.position, BudgetLine.id)
        )
    )


def budget_figures(budget: Budget, today: date) -> BudgetFigures:
    """Everything the budget summary shows, in a fixed number of queries whatever the data size."""
    from ..spending.models import SpendingEntry  # spending depends on budget, not the other way round

    plan_year = plan_year_for(budget.plan_year_start, today)
    plan = current_plan(budget)
    lines = plan_lines(plan)
    spent_by_line = dict(
        db.session.execute(
            select(SpendingEntry.line_id, func.sum(SpendingEntry.amount_pence))
            .where(
                SpendingEntry.budget_id == budget.id,
                SpendingEntry.status == "active",
                SpendingEntry.paid_on.between(plan_year.start, plan_year.end),
            )
            .group_by(SpendingEntry.line_id)
        ).all()
    )
    received = db.session.scalar(
        select(func.coalesce(func.sum(MoneyIn.amount_pence), 0)).where(
            MoneyIn.budget_id == budget.id,
            MoneyIn.status == "active",
            MoneyIn.received_on.between(plan_year.start, plan_year.end),
        )
    )
    year_percent = percent(plan_year.days_elapsed(today), plan_year.days)
    figures = [LineFigures(line, int(spent_by_line.get(line.id, 0) or 0), year_percent) for line in lines]
    return BudgetFigures(plan_year, plan, figures, int(received or 0), year_percent)


def ensure_plan(budget: Budget, actor) -> Plan:
    """The budget's current plan, starting a first draft if there is none."""
    plan = current_plan(budget)
    if plan is None:
        plan = Plan(budget_id=budget.id, version=1, status="draft", starts_on=budget.plan_year_start)
        db.session.add(plan)
        record("plan.created", plan, actor=actor, budget_id=budget.id, version=1)
    return plan


LINE_FIELDS = ("item", "outcome", "category", "unit", "quantity", "unit_cost_pence", "frequency")


def save_line(budget: Budget, plan: Plan, values: dict, actor, line: BudgetLine | None = None) -> BudgetLine:
    """Add a line to a draft plan, or change one; the annual amount follows from cost × quantity × frequency."""
    if not plan.is_draft:
        raise ValueError("Only a draft plan's lines can be changed")
    values = dict(values)
    values["annual_pence"] = annual_pence(values["unit_cost_pence"], values["quantity"], values["frequency"])
    if line is None:
        position = db.session.scalar(
            select(func.coalesce(func.max(BudgetLine.position), 0)).where(BudgetLine.plan_id == plan.id)
        )
        line = BudgetLine(budget_id=budget.id, plan_id=plan.id, position=(position or 0) + 1, **values)
        db.session.add(line)
        record("budget_line.created", line, actor=actor, budget_id=budget.id, **values)
    else:
        before = {k: getattr(line, k) for k in (*LINE_FIELDS, "annual_pence")}
        for key, value in values.items():
            setattr(line, key, value)
        changes = {k: [before[k], values[k]] for k in values if before[k] != values[k]}
        record("budget_line.changed", line, actor=actor, budget_id=budget.id, changes=changes)
    return line
