"""Reconciling a managed account period by period: the provider opens, closes and reopens periods; everyone
who may see the account can read them."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from ..budget.access import get_budget_or_404, holds_the_account, owned_or_404
from ..extensions import db
from . import periods as svc
from .forms import ClosePeriodForm, OpenPeriodForm, ReopenPeriodForm
from .models import ReconciliationPeriod

bp = Blueprint("periods", __name__, url_prefix="/budgets/<int:budget_id>/reconciliation")


@bp.route("", methods=["GET", "POST"])
@login_required
def index(budget_id: int):
    budget = get_budget_or_404(budget_id)
    rows = svc.periods_of(budget.id)
    can_change = holds_the_account(current_user, budget)
    if request.method == "POST" and not can_change:
        abort(404)
    starts = svc.next_period_start(budget.id)
    first = starts is None
    current_open = next((p for p in rows if not p.is_closed), None)
    form = None
    if can_change and current_open is None:
        # Suggested figures when the form is first shown; a form sent is read as it was sent.
        form = OpenPeriodForm(data=None if request.method == "POST" else svc.next_period_defaults(budget.id, first))
        if not first:  # it opens where the last one closed
            del form.starts_on
            del form.opening
        if form.validate_on_submit():
            start = form.starts_on.data if first else starts
            try:
                period = svc.open_period(budget.id, start, form.ends_on.data,
                                         form.opening.pence if first else 0, form.statement.pence, current_user)
                db.session.commit()
            except ValueError as err:
                db.session.rollback()
                form.ends_on.errors = [str(err)]
            else:
                flash(f"Period from {period.starts_on:%-d %B %Y} to {period.ends_on:%-d %B %Y} started. Check the "
                      "figures, then close it.", "success")
                return redirect(url_for("periods.show", budget_id=budget.id, period_id=period.id), 303)
    return render_template("reconciliation/index.html", budget=budget, periods=rows, form=form, first=first,
                           starts=starts, current_open=current_open, can_change=can_change)


def _try_change(budget, period, field, change, done: str):
    """Close or reopen: the page again when it worked or the form was stale (with why), or None with the
    refusal on `field` so the form is shown again."""
    back = redirect(url_for("periods.show", budget_id=budget.id, period_id=period.id), 303)
    try:
        change()
        db.session.commit()
    except (svc.StalePeriod, StaleDataError) as err:  # the form's version, or a race settled by the database
        db.session.rollback()
        flash(str(err) if isinstance(err, svc.StalePeriod) else "Someone else changed this period a moment ago. "
              "Check the figures again below.", "important")
        return back
    except ValueError as err:
        db.session.rollback()
        db.session.refresh(period)
        field.errors = [str(err)]
        return None
    flash(done, "success")
    return back


def _period_or_404(budget, period_id: int) -> ReconciliationPeriod:
    return owned_or_404(ReconciliationPeriod, period_id, budget)


@bp.route("/<int:period_id>", methods=["GET", "POST"])
@login_required
def show(budget_id: int, period_id: int):
    budget = get_budget_or_404(budget_id)
    period = _period_or_404(budget, period_id)
    can_change = holds_the_account(current_user, budget)
    if request.method == "POST" and not can_change:
        abort(404)
    close_form = reopen_form = None
    if can_change and not period.is_closed:
        close_form = ClosePeriodForm(prefix="close", data=None if request.method == "POST" else {
            "version": period.version, "statement": period.statement_balance_pence})
        if close_form.validate_on_submit():
            done = _try_change(budget, period, close_form.explanation, lambda: svc.close_period(
                period, int(close_form.version.data or 0), close_form.statement.pence,
                close_form.explanation.data, current_user),
                "Period closed. Its money is now locked: reopen it to change anything in it.")
            if done is not None:
                return done
    elif can_change:
        if request.method == "POST":  # a close sent from a page opened before someone else closed it
            flash(f"{period.closed_by.name} closed this period a moment ago. It is shown as it is now.", "important")
            return redirect(url_for("periods.show", budget_id=budget.id, period_id=period.id), 303)
        reopen_form = ReopenPeriodForm(prefix="reopen", version=period.version)
    result = svc.reconcile(period)
    return render_template("reconciliation/show.html", budget=budget, period=period, result=result,
                           close_form=close_form, reopen_form=reopen_form, can_change=can_change,
                           has_errors=bool(close_form and close_form.errors))


@bp.route("/<int:period_id>/reopen", methods=["POST"])
@login_required
def reopen(budget_id: int, period_id: int):
    budget = get_budget_or_404(budget_id, holds_the_account)
    period = _period_or_404(budget, period_id)
    form = ReopenPeriodForm(prefix="reopen")
    if form.validate_on_submit():
        done = _try_change(budget, period, form.reason, lambda: svc.reopen_period(
            period, int(form.version.data or 0), form.reason.data, current_user),
            "Period reopened. Put things right, then close it again.")
        if done is not None:
            return done
    if not period.is_closed:
        abort(404)
    return render_template("reconciliation/show.html", budget=budget, period=period, result=svc.reconcile(period),
                           close_form=None, reopen_form=form, can_change=True, has_errors=bool(form.errors))
