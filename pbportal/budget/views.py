"""Adding and changing the budget lines of a draft plan."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from .access import can_edit_lines, get_budget_or_404, owned_or_404
from .forms import LineForm
from .models import BudgetLine
from .services import editable_plan, ensure_plan, lines_can_change, plans_of, save_line

bp = Blueprint("budget", __name__, url_prefix="/budgets")


def _edit_line(budget, line: BudgetLine | None):
    plans = plans_of(budget)
    if not lines_can_change(plans, line):
        flash("This plan has been agreed, so its budget lines cannot be changed. Start a new version of the plan "
              "to change them.", "important")
        return redirect(url_for("plan.show", budget_id=budget.id), 303)
    # Filled from the saved line only when first shown: a POST is judged on what was sent (WTForms would keep the
    # line's value for a field left out of it).
    form = LineForm() if request.method == "POST" else LineForm(obj=line)
    if form.validate_on_submit():
        plan = editable_plan(plans) or ensure_plan(budget, current_user)
        saved = save_line(budget, plan, form.values(), current_user, line)
        db.session.commit()
        flash(f"Budget line ‘{saved.item}’ saved.", "success")
        if plan.version > 1:
            return redirect(url_for("plan.show", budget_id=budget.id), 303)
        return redirect(url_for("homes.budget", budget_id=budget.id) + "#budget-lines", 303)
    return render_template("budget/line_form.html", budget=budget, form=form, line=line)


@bp.route("/<int:budget_id>/lines/new", methods=["GET", "POST"])
@login_required
def new_line(budget_id: int):
    return _edit_line(get_budget_or_404(budget_id, can_edit_lines), None)


@bp.route("/<int:budget_id>/lines/<int:line_id>/edit", methods=["GET", "POST"])
@login_required
def edit_line(budget_id: int, line_id: int):
    budget = get_budget_or_404(budget_id, can_edit_lines)
    return _edit_line(budget, owned_or_404(BudgetLine, line_id, budget))
