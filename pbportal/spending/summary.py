"""What the budget page shows of spending (the summary, the budget lines, the latest payments and the payment
form). The budget page (homes) composes it with the other areas' parts; the htmx answer to a recorded payment
renders the same parts out of band."""
from __future__ import annotations

from ..auth.models import User
from ..budget.access import can_edit_lines, can_record_spending
from ..budget.models import Budget
from ..timeutil import today
from .figures import budget_figures
from .forms import payment_form_for
from .services import recent_entries


def spending_summary(budget: Budget, user: User) -> dict:
    figures = budget_figures(budget, today())
    can_record = can_record_spending(user, budget) and bool(figures.lines)
    return {
        "budget": budget,
        "figures": figures,
        "recent": recent_entries(budget.id),
        "can_record": can_record,
        "can_edit_lines": can_edit_lines(user) and (figures.plan is None or figures.plan.is_draft),
        "form": payment_form_for(figures.plan_year, [f.line for f in figures.lines]) if can_record else None,
    }
