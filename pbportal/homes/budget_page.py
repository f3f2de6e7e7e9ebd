"""The budget page: one budget's summary, composed from every area that builds on budgets (spending, the
contingency plan, reviews and employment). It lives here, above those areas, so that budget itself depends on
none of them."""
from __future__ import annotations

from ..auth.models import Role, User
from ..budget.models import Budget
from ..contingency.services import standing_of
from ..employment.services import employment_for
from ..reviews.services import open_request_counts
from ..spending.summary import spending_summary
from ..timeutil import today


def budget_page(budget: Budget, user: User) -> dict:
    """What the budget page shows."""
    context = spending_summary(budget, user)
    figures = context["figures"]
    contingency = standing_of(budget.id)
    context.update(
        contingency=contingency,
        covered=contingency.covered(figures.held_pence, budget.funder.contingency_weeks),
        open_requests=open_request_counts([budget.id]).get(budget.id, 0),
        today=today(),
        employment=employment_for(budget.id, today()),
        can_agree=user.role == Role.CASE_MANAGER and figures.plan is not None and figures.plan.is_draft,
    )
    return context
