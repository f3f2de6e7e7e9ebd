"""Adding and changing the budget lines of a draft plan."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..extensions import db
from .access import can_edit_lines, get_budget_or_404, owned_or_404
from .forms import LineForm
from .models import BudgetLine
from .services import editable_plan, ensure_plan, plans_of, save_line

bp = Blueprint("budget", __name__, url_prefix="/budgets")


def _edit_line(budget, line: BudgetLine | None):
    if not can_edit_lines(current_user):
        abort(404)
    plans = plans_of(budget)
    plan = editable_plan(plans)
    if (plans and plan is None) or (line is not None and line.plan_id != getattr(plan, "id", None)):
        flash("This plan has been agreed, so its budget lines cannot be changed. Start a new version of the plan "
              "to change them.", "important")
        return redirect(url_for("plan.show", budget_id=budget.id), 303)
    form = LineForm()
    if line is not None and not form.is_submitted():
        form.item.data, form.outcome.data, form.category.data = line.item, line.outcome, line.category
        form.unit.data, form.frequency.data = line.unit, line.frequency
        form.quantity.data = f"{line.quantity.normalize():f}"
        form.unit_cost.process_data(line.unit_cost_pence)
    if form.validate_on_submit():
        values = {
            "item": form.item.data.strip(),
            "outcome": (form.outcome.data or "").strip(),
            "category": form.category.data,
            "unit": form.unit.data,
            "quantity": form.quantity_value,
            "unit_cost_pence": form.unit_cost.pence,
            "frequency": form.frequency.data,
        }
        plan = plan or ensure_plan(budget, current_user)
        saved = save_line(budget, plan, values, current_user, line)
        db.session.commit()
        flash(f"Budget line ‘{saved.item}’ saved.", "success")
        if plan.version > 1:
            return redirect(url_for("plan.show", budget_id=budget.id), 303)
        return redirect(url_for("homes.budget", budget_id=budget.id) + "#budget-lines", 303)
    return render_template("budget/line_form.html", budget=budget, form=form, line=line)


@bp.route("/<int:budget_id>/lines/new", methods=["GET", "POST"])
@login_required
def new_line(budget_id: int):
    return _edit_line(get_budget_or_404(budget_id), None)


@bp.route("/<int:budget_id>/lines/<int:line_id>/edit", methods=["GET", "POST"])
@login_required
def edit_line(budget_id: int, line_id: int):
    budget = get_budget_or_404(budget_id)
    return _edit_line(budget, owned_or_404(BudgetLine, line_id, budget))
