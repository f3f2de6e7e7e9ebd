"""Lists of budgets with their totals, for provider staff and case managers."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from ..banking.services import unmatched_lines_column
from ..budget.models import Budget, BudgetLine, Plan
from ..budget.services import in_force
from ..choices import RecordStatus
from ..dates import PlanYear, plan_year_for
from ..extensions import db
from ..pagination import Page, page_counted_with_rows
from ..reconciliation.periods import last_reconciled_column
from ..spending.figures import money_held
from ..spending.models import SpendingEntry


@dataclass
class BudgetRow:
    budget: Budget
    plan_year: PlanYear
    total_pence: int
    spent_pence: int
    held_pence: int  # money held (spending.figures.money_held)

    @property
    def left_pence(self) -> int:
        return self.total_pence - self.spent_pence

    @property
    def weekly_pence(self) -> int:
        """The plan's cost for a week: the year's total over 52 weeks."""
        return self.total_pence // 52

    def expected_pence(self, today: date) -> int:
        """What the plan expected to be spent by today: the year's total × the share of the year gone."""
        return self.total_pence * self.plan_year.days_elapsed(today) // self.plan_year.days


SORTS = {
    "name": lambda: (Budget.person_name, Budget.id),
    "review": lambda: (Budget.next_review_due.is_(None), Budget.next_review_due, Budget.person_name, Budget.id),
    "to_match": lambda: (unmatched_lines_column(Budget.id).desc(), Budget.person_name, Budget.id),
    # Never reconciled first, then the longest since.
    "reconciled": lambda: (last_reconciled_column(Budget.id).is_not(None), last_reconciled_column(Budget.id),
                           Budget.person_name, Budget.id),
}


def _by_year(years: dict[int, PlanYear]) -> dict[tuple[date, date], list[int]]:
    grouped: dict[tuple[date, date], list[int]] = {}
    for budget_id, year in years.items():
        grouped.setdefault((year.start, year.end), []).append(budget_id)
    return grouped


# What a list page reads for each budget on it, built once (pbportal/extensions.py, prebuilt statements).
_PLANS = select(Plan).where(Plan.budget_id.in_(bindparam("ids", expanding=True))).order_by(Plan.version)
_TOTALS = (select(BudgetLine.budget_id, func.sum(BudgetLine.annual_pence))
           .where(BudgetLine.plan_id.in_(bindparam("plan_ids", expanding=True))).group_by(BudgetLine.budget_id))


@cache
def _spent_this_year(years: int):
    """Spending in each budget's plan year, for budgets in `years` distinct plan years: ids_N spending from start_N
    to end_N."""
    return (select(SpendingEntry.budget_id, func.sum(SpendingEntry.amount_pence))
            .where(SpendingEntry.status == RecordStatus.ACTIVE,
                   or_(*[and_(SpendingEntry.budget_id.in_(bindparam(f"ids_{n}", expanding=True)),
                              SpendingEntry.paid_on.between(bindparam(f"start_{n}"), bindparam(f"end_{n}")))
                         for n in range(years)]))
            .group_by(SpendingEntry.budget_id))


def budget_rows(where, today: date, page: int, search: str = "", filters=(), sort: str = "name") -> Page:
    """One page of budgets (as BudgetRows) with this plan year's totals: a fixed number of queries, whatever the
    number."""
    query = select(Budget).where(where, *filters)
    if search:
        query = query.where(Budget.person_name.ilike(f"%{search.replace('%', '').replace('_', '')}%"))
    found = page_counted_with_rows(query.options(joinedload(Budget.funder), joinedload(Budget.provider))
                                   .order_by(*SORTS.get(sort, SORTS["name"])()), page)
    budgets = found.items
    if not budgets:
        return found
    ids = [b.id for b in budgets]
    years = {b.id: plan_year_for(b.plan_year_start, today) for b in budgets}
    plans_by_budget: dict[int, list] = {}
    for plan in db.session.scalars(_PLANS, {"ids": ids}):
        plans_by_budget.setdefault(plan.budget_id, []).append(plan)
    in_force_ids = {bid: in_force(plans, today).id for bid, plans in plans_by_budget.items()}
    totals = dict(db.session.execute(_TOTALS, {"plan_ids": list(in_force_ids.values()) or [0]}).all())
    # One condition per distinct plan year on the page (people sharing a plan year share it).
    by_year = _by_year(years)
    values = {}
    for n, ((start, end), same) in enumerate(by_year.items()):
        values.update({f"ids_{n}": same, f"start_{n}": start, f"end_{n}": end})
    spent = dict(db.session.execute(_spent_this_year(len(by_year)), values).all())
    held = money_held(budgets)
    rows = [BudgetRow(b, years[b.id], int(totals.get(b.id) or 0), int(spent.get(b.id) or 0), held[b.id])
            for b in budgets]
    return replace(found, items=rows)
