"""The demo managed account's next statement, made up from today's date, to try the import and matching with.
Only accounts the demo data made have one; for every other account the link is not shown and the address is a
404. The statement upload page asks `demo_sample_statement_available(budget)` (a template global) whether to
offer the link, so banking knows nothing of the demo."""
from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_login import current_user, login_required

from ..auth.models import User
from ..budget.access import get_budget_or_404, holds_the_account
from ..budget.models import Budget
from .statements import sample_statement

bp = Blueprint("demo", __name__, url_prefix="/budgets/<int:budget_id>/statements")


@bp.app_template_global("demo_sample_statement_available")
def sample_available(budget: Budget) -> bool:
    return _may_download(current_user, budget) and sample_statement(budget) is not None


def _may_download(user: User, budget: Budget) -> bool:
    return user.is_authenticated and holds_the_account(user, budget)


@bp.route("/sample.csv")
@login_required
def sample(budget_id: int):
    budget = get_budget_or_404(budget_id, holds_the_account)
    made = sample_statement(budget)
    if made is None:
        abort(404)
    filename, content = made
    return Response(content, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})
