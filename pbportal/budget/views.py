"""The budget page and the plan's budget lines."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..access import can_edit_lines, can_record_spending, get_budget_or_404, owned_or_404
from ..extensions import db
from ..spending.forms import PaymentForm
from ..spending.services import recent_entries
from ..timeutil import today
from .forms import LineForm
from .models import BudgetLine
from .services import budget_figures, editable_plan, ensure_plan, plans_of, save_line

bp = Blueprint("budget", __name__, url_prefix="/budgets")


def payment_form_for(plan_year, lines, submitted: bool = False) -> PaymentForm:
    """A blank payment form (dated today), or one bound to the submitted request (form fields and files)."""
    kwargs = {} if submitted else {"formdata": None}
    form = PaymentForm(plan_year=plan_year, line_ids=[line.id for line in lines], **kwargs)
    form.line_id.choices = [(0, "Select a budget line")] + [(line.id, line.item) for line in lines]
    if not submitted:
        form.paid_on.data = today()
    return form


def page_context(budget, form=None) -> dict:
    """What the budget page shows; the htmx responses that update parts of it use the same."""
    # These areas build on budgets, not the other way round.
    from ..contingency.services import contingency_for
    from ..employment.services import employment_for
    from ..reviews.services import open_request_counts

    figures = budget_figures(budget, today())
    can_record = can_record_spending(current_user, budget) and bool(figures.lines)
    contingency = contingency_for(budget.id)
    return {
        "contingency": contingency,
        "covered": contingency.covered(figures.held_pence, budget.funder.contingency_weeks),
        "open_requests": open_request_counts([budget.id]).get(budget.id, 0),
        "today": today(),
        "employment": employment_for(budget.id, today()),
        "budget": budget,
        "figures": figures,
        "recent": recent_entries(budget.id),
        "can_record": can_record,
        "can_edit_lines": can_edit_lines(current_user) and (figures.plan is None or figures.plan.is_draft),
        "can_agree": current_user.role == "case_manager" and figures.plan is not None and figures.plan.is_draft,
        "form": form or (payment_form_for(figures.plan_year, [f.line for f in figures.lines]) if can_record
                         else None),
    }


@bp.route("/<int:budget_id>")
@login_required
def show(budget_id: int):
    budget = get_budget_or_404(budget_id)
    return render_template("budget/show.html", **page_context(budget))


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
        return redirect(url_for("budget.show", budget_id=budget.id) + "#budget-lines", 303)
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
