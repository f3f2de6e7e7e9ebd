"""The budget page: one budget's summary, composed from every area that builds on budgets (spending, the
contingency plan, reviews and employment). It lives here, above those areas, so that budget itself depends on
none of them."""
from __future__ import annotations

from sqlalchemy import bindparam, select

from ..auth.models import Role, User
from ..budget.models import Budget
from ..contingency.services import standing_columns, standing_from
from ..employment.services import employment_for, ever_employed_column
from ..extensions import db
from ..reviews.services import open_requests_column
from ..spending.summary import spending_summary
from ..timeutil import today

# The contingency plan's standing, open review requests and whether anyone was ever employed: one statement,
# built once (pbportal/extensions.py, prebuilt statements).
_STANDING = select(*standing_columns(bindparam("budget_id")), open_requests_column(bindparam("budget_id")),
                   ever_employed_column(bindparam("budget_id")))


def budget_page(budget: Budget, user: User) -> dict:
    """What the budget page shows."""
    context = spending_summary(budget, user)
    figures = context["figures"]
    *standing, open_requests, employed = db.session.execute(_STANDING, {"budget_id": budget.id}).one()
    contingency = standing_from(standing)
    context.update(
        contingency=contingency,
        covered=contingency.covered(figures.held_pence, budget.funder.contingency_weeks),
        open_requests=open_requests or 0,
        today=today(),
        employment=employment_for(budget.id, today(), anyone_employed=bool(employed)),
        can_agree=user.role == Role.CASE_MANAGER and figures.plan is not None and figures.plan.is_draft,
    )
    return context
