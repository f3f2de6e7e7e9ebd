"""Money received into a budget: the funder's payments and the person's contributions."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..budget.access import can_record_spending, get_budget_or_404, owned_or_404
from ..budget.locks import PeriodLocked
from ..budget.models import INCOME_SOURCES, MoneyIn
from ..extensions import db
from ..money import format_pence
from ..spending.figures import budget_figures
from ..timeutil import today
from .forms import MoneyInForm, VoidMoneyInForm
from .services import list_money_in, record_money_in, void_money_in

bp = Blueprint("income", __name__, url_prefix="/budgets/<int:budget_id>/money-in")


# Whoever records payments out of a budget also records the money coming in (can_record_spending).


@bp.route("")
@login_required
def index(budget_id: int):
    budget = get_budget_or_404(budget_id)
    figures = budget_figures(budget, today())
    found, by_source = list_money_in(budget.id, figures.plan_year, request.args.get("page", 1, type=int))
    return render_template("income/index.html", budget=budget, figures=figures, rows=found.items,
                           **found.context(), by_source=by_source, sources=INCOME_SOURCES,
                           can_record=can_record_spending(current_user, budget))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(budget_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    figures = budget_figures(budget, today())
    form = MoneyInForm(plan_year=figures.plan_year, received_on=today())  # dated today until one is sent
    if form.validate_on_submit():
        try:
            item = record_money_in(budget, form.received_on.data, form.amount.pence, form.source.data,
                                   form.note.data, current_user)
            db.session.commit()
        except PeriodLocked as err:
            db.session.rollback()
            form.received_on.errors = [str(err)]
            return render_template("income/new.html", budget=budget, form=form)
        flash(f"{format_pence(item.amount_pence)} received on {item.received_on:%-d %B %Y} recorded.", "success")
        return redirect(url_for("income.index", budget_id=budget.id), 303)
    return render_template("income/new.html", budget=budget, form=form)


@bp.route("/<int:item_id>/void", methods=["GET", "POST"])
@login_required
def void(budget_id: int, item_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    item = owned_or_404(MoneyIn, item_id, budget)
    if not item.is_active:
        flash("This record has already been voided.", "important")
        return redirect(url_for("income.index", budget_id=budget.id), 303)
    form = VoidMoneyInForm()
    if form.validate_on_submit():
        void_money_in(item, form.reason.data, current_user)
        db.session.commit()
        flash(f"Record of {format_pence(item.amount_pence)} received voided. It stays in the list, crossed out.",
              "success")
        return redirect(url_for("income.index", budget_id=budget.id), 303)
    return render_template("income/void.html", budget=budget, item=item, form=form)
