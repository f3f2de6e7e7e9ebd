"""Plans and their lines: versions, the version in force on a date, a line's yearly cost, sign-off."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, func, select

from ..audit import record
from ..extensions import db
from ..money import multiply_pence
from ..notifications.models import Kind
from ..notifications.services import path_for, tell_of
from ..timeutil import today, utcnow
from .access import holder_side_people
from .models import FREQUENCY_TIMES, Budget, BudgetLine, Plan, PlanStatus


class PlanError(ValueError):
    """A change to the plan that is not allowed; the message is for the user."""


def annual_pence(unit_cost_pence: int, quantity: Decimal, frequency: str) -> int:
    return multiply_pence(unit_cost_pence, quantity, FREQUENCY_TIMES[frequency])


# Read by every page showing a budget's figures: built once (pbportal/extensions.py, prebuilt statements).
_PLANS = select(Plan).where(Plan.budget_id == bindparam("budget_id")).order_by(Plan.version)
_LINES = (select(BudgetLine).where(BudgetLine.plan_id == bindparam("plan_id"))
          .order_by(BudgetLine.position, BudgetLine.id))


def plans_of(budget: Budget) -> list[Plan]:
    """Every version of the budget's plan, oldest first."""
    return list(db.session.scalars(_PLANS, {"budget_id": budget.id}))


def in_force(plans: list[Plan], day: date) -> Plan | None:
    """The version in force on day: the latest agreed one starting by then; before any sign-off, the first."""
    agreed = [p for p in plans if p.is_agreed and p.starts_on <= day]
    if agreed:
        return max(agreed, key=lambda p: p.version)
    return plans[0] if plans else None


def current_plan(budget: Budget, day: date | None = None) -> Plan | None:
    return in_force(plans_of(budget), day or today())


def editable_plan(plans: list[Plan]) -> Plan | None:
    """The version whose lines can be changed: the newest, while it is a draft."""
    return plans[-1] if plans and plans[-1].is_draft else None


def new_version_starts_after(plans: list[Plan], day: date) -> date | None:
    """A new version starts after the latest agreed one (which may not be in force yet) or, before any sign-off,
    after the version in force."""
    agreed = [p for p in plans if p.is_agreed]
    after = max(agreed, key=lambda p: p.starts_on) if agreed else in_force(plans, day)
    return after.starts_on if after else None


def lines_can_change(plans: list[Plan], line: BudgetLine | None = None) -> bool:
    """Whether a line can be added (or this line changed): only a draft's lines can, and a budget with no plan
    yet gets a first draft with its first line. An agreed version is read-only."""
    draft = editable_plan(plans)
    if line is not None:
        return draft is not None and line.plan_id == draft.id
    return draft is not None or not plans


def plan_lines(plan: Plan | None) -> list[BudgetLine]:
    if plan is None:
        return []
    return list(db.session.scalars(_LINES, {"plan_id": plan.id}))


def line_in_force(budget: Budget, line: BudgetLine, day: date) -> BudgetLine | None:
    """The same budget line (same lineage) in the version of the plan in force on day, if it has one."""
    plan = current_plan(budget, day)
    if plan is None:
        return None
    if line.plan_id == plan.id:
        return line
    return next((other for other in plan_lines(plan) if other.lineage == line.lineage), None)


def ensure_plan(budget: Budget, actor) -> Plan:
    """The budget's editable draft, starting a first one if the budget has no plan yet."""
    plans = plans_of(budget)
    plan = editable_plan(plans)
    if plan is None and not plans:
        plan = Plan(budget_id=budget.id, version=1, status=PlanStatus.DRAFT, starts_on=budget.plan_year_start)
        db.session.add(plan)
        record("plan.created", plan, actor=actor, budget_id=budget.id, version=1)
    return plan


def agree_plan(plan: Plan, actor) -> None:
    """The case manager signs off a draft: it becomes read-only and, from its start date, in force."""
    if not plan.is_draft:
        raise PlanError("Only a draft can be agreed")
    if not plan_lines(plan):
        raise PlanError("A plan with no budget lines cannot be agreed. Add its lines first.")
    plan.status, plan.agreed_by_id, plan.agreed_at = PlanStatus.AGREED, actor.id, utcnow()
    event = record("plan.agreed", plan, actor=actor, budget_id=plan.budget_id, version=plan.version,
                   starts_on=plan.starts_on)
    budget = db.session.get(Budget, plan.budget_id)
    tell_of(event, holder_side_people(budget), Kind.PLAN_AGREED,
            f"{budget.person_name}’s support plan budget (version {plan.version}) has been signed off",
            path_for("homes.budget", budget_id=budget.id), budget.id, actor=actor)


def start_new_version(budget: Budget, starts_on: date, actor) -> Plan:
    """A change to an agreed plan starts a new draft version, copying the lines of the newest agreed one."""
    plans = plans_of(budget)
    if editable_plan(plans) is not None:
        raise PlanError("There is already a draft version")
    source = plans[-1]
    plan = Plan(budget_id=budget.id, version=source.version + 1, status=PlanStatus.DRAFT, starts_on=starts_on)
    db.session.add(plan)
    db.session.flush()
    for line in plan_lines(source):
        db.session.add(BudgetLine(
            budget_id=budget.id, plan_id=plan.id, root_line_id=line.lineage, item=line.item, outcome=line.outcome,
            category=line.category, unit=line.unit, quantity=line.quantity, unit_cost_pence=line.unit_cost_pence,
            frequency=line.frequency, annual_pence=line.annual_pence, position=line.position))
    record("plan.version_started", plan, actor=actor, budget_id=budget.id, version=plan.version,
           starts_on=starts_on, copied_from=source.version)
    return plan


LINE_FIELDS = ("item", "outcome", "category", "unit", "quantity", "unit_cost_pence", "frequency")


def save_line(budget: Budget, plan: Plan, values: dict, actor, line: BudgetLine | None = None) -> BudgetLine:
    """Add a line to a draft plan, or change one; the annual amount follows from cost × quantity × frequency."""
    if not plan.is_draft:
        raise PlanError("Only a draft plan's lines can be changed")
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
