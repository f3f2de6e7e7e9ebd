"""Monitoring returns: whoever holds the money (a provider, or a direct payment's holder) prepares and submits
them, the case manager accepts or queries them, and the holder can read them. On screen, as CSV, and as a page
that prints (or saves as PDF) on A4."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..budget.access import get_budget_or_404, holds_the_account, is_case_manager, owned_or_404
from ..budget.models import CATEGORIES
from ..extensions import db
from . import returns as svc
from .forms import RespondReturnForm, ResubmitReturnForm, SubmitReturnForm
from .models import MonitoringReturn, ReturnStatus
from .periods import periods_of

bp = Blueprint("returns", __name__, url_prefix="/budgets/<int:budget_id>/returns")
bp.add_app_template_global(ReturnStatus, "ReturnStatus")

STALE = "This return has moved on since you opened it. It is shown as it is now."


def _labels() -> dict:
    return {"sources": svc.RETURN_SOURCES, "categories": CATEGORIES, "weeks": svc.format_weeks}


@bp.route("")
@login_required
def index(budget_id: int):
    budget = get_budget_or_404(budget_id)
    returns = db.session.scalars(select(MonitoringReturn).where(MonitoringReturn.budget_id == budget.id)
                                 .order_by(MonitoringReturn.starts_on.desc())).all()
    closed = [p for p in periods_of(budget.id) if p.is_closed]
    return render_template("reconciliation/returns.html", budget=budget, returns=returns, closed=closed,
                           can_prepare=holds_the_account(current_user, budget))


def _span(budget) -> tuple[date, date]:
    """The dates chosen as a first and a last closed period (by id), or 404."""
    by_id = {p.id: p for p in periods_of(budget.id) if p.is_closed}
    first = by_id.get(request.values.get("first", 0, type=int))
    last = by_id.get(request.values.get("last", 0, type=int))
    if first is None or last is None:
        abort(404)
    return (first.starts_on, last.ends_on) if first.starts_on <= last.ends_on else (last.starts_on, first.ends_on)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def prepare(budget_id: int):
    """The return for the chosen periods, exactly as it will be sent, with the declaration and Submit."""
    budget = get_budget_or_404(budget_id, holds_the_account)
    starts_on, ends_on = _span(budget)
    try:
        svc.refuse_overlap(budget, starts_on, ends_on)
        figures = svc.return_figures(budget, starts_on, ends_on)
    except ValueError as err:
        flash(str(err), "important")
        return redirect(url_for("returns.index", budget_id=budget.id), 303)
    form = SubmitReturnForm()
    if form.validate_on_submit():
        try:
            ret = svc.submit_return(budget, starts_on, ends_on, current_user, form.comment.data)
            db.session.commit()
        except ValueError as err:
            db.session.rollback()
            form.comment.errors = [str(err)]
        else:
            flash("Return submitted to the case manager.", "success")
            return redirect(url_for("returns.show", budget_id=budget.id, return_id=ret.id), 303)
    return render_template("reconciliation/return_prepare.html", budget=budget, figures=figures, form=form,
                           first=request.values.get("first"), last=request.values.get("last"),
                           declaration=svc.declaration_for(budget, current_user), **_labels())


def _return_or_404(budget, return_id: int) -> MonitoringReturn:
    return owned_or_404(MonitoringReturn, return_id, budget)


@bp.route("/<int:return_id>", methods=["GET", "POST"])
@login_required
def show(budget_id: int, return_id: int):
    budget = get_budget_or_404(budget_id)
    ret = _return_or_404(budget, return_id)
    respond_form = resubmit_form = None
    # A form first shown holds the version the page was opened at; a form sent is read as it was sent.
    first_shown = None if request.method == "POST" else {"version": ret.version}
    if is_case_manager(current_user) and ret.status == ReturnStatus.SUBMITTED:
        respond_form = RespondReturnForm(prefix="respond", data=first_shown)
        if respond_form.validate_on_submit():
            try:
                svc.respond(ret, int(respond_form.version.data or 0), respond_form.decision.data,
                            respond_form.comment.data, current_user)
                db.session.commit()
            except (svc.StaleReturn, StaleDataError):
                db.session.rollback()
                flash(STALE, "important")
            else:
                flash("Return accepted." if ret.status == ReturnStatus.ACCEPTED else
                      f"Query sent to {budget.provider.name if budget.provider else ret.submitted_by.name}.",
                      "success")
            return redirect(url_for("returns.show", budget_id=budget.id, return_id=ret.id), 303)
    elif holds_the_account(current_user, budget) and ret.status == ReturnStatus.QUERIED:
        resubmit_form = ResubmitReturnForm(prefix="resubmit", data=first_shown)
        if resubmit_form.validate_on_submit():
            try:
                svc.resubmit_return(budget, ret, int(resubmit_form.version.data or 0), resubmit_form.comment.data,
                                    current_user)
                db.session.commit()
            except (svc.StaleReturn, StaleDataError):
                db.session.rollback()
                flash(STALE, "important")
            except ValueError as err:
                db.session.rollback()
                flash(f"The return could not be submitted again: {err}.", "important")
            else:
                flash("Return submitted again, with your answer.", "success")
            return redirect(url_for("returns.show", budget_id=budget.id, return_id=ret.id), 303)
    elif request.method == "POST":
        # The form of someone who could have acted, sent after someone else moved the return on (two case
        # managers accepting and querying at once): told plainly, nothing changed. Anything else is not theirs.
        responding = is_case_manager(current_user) and any(k.startswith("respond-") for k in request.form)
        resubmitting = holds_the_account(current_user, budget) and any(k.startswith("resubmit-") for k in request.form)
        if not (responding or resubmitting):
            abort(404)
        flash(f"{STALE} Nothing was changed: it is {ret.status_label.lower()}.", "important")
        return redirect(url_for("returns.show", budget_id=budget.id, return_id=ret.id), 303)
    form = respond_form or resubmit_form
    return render_template("reconciliation/return_show.html", budget=budget, ret=ret, figures=ret.figures,
                           events=svc.events_of(ret), respond_form=respond_form, resubmit_form=resubmit_form,
                           has_errors=bool(form and form.errors), **_labels())


@bp.route("/<int:return_id>/print")
@login_required
def printable(budget_id: int, return_id: int):
    budget = get_budget_or_404(budget_id)
    ret = _return_or_404(budget, return_id)
    return render_template("reconciliation/return_print.html", budget=budget, ret=ret, figures=ret.figures,
                           events=svc.events_of(ret), **_labels())


@bp.route("/<int:return_id>.csv")
@login_required
def download(budget_id: int, return_id: int):
    budget = get_budget_or_404(budget_id)
    ret = _return_or_404(budget, return_id)
    name = f"monitoring-return-{budget.id}-{ret.starts_on:%Y%m%d}-{ret.ends_on:%Y%m%d}.csv"
    return Response("\ufeff" + svc.as_csv(budget, ret.figures), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
