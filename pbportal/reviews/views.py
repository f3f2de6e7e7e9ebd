"""Reviews: when the next one is due, asking for one and following it, and the case manager's record."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..auth.models import Role
from ..budget.access import get_budget_or_404, is_case_manager, owned_or_404
from ..extensions import db
from ..partials import render
from ..spending.figures import budget_figures
from ..timeutil import today
from .forms import RequestForm, ReviewForm, StatusForm
from .models import REASONS, URGENCY, Review, ReviewRequest, ReviewStatus
from .services import (
    TransitionError,
    add_months,
    create_request,
    first_payment_on,
    money_position,
    move_request,
    outcomes_to_rate,
    record_review,
    requests_for,
)

bp = Blueprint("reviews", __name__, url_prefix="/budgets/<int:budget_id>/reviews")
bp.add_app_template_global(ReviewStatus, "ReviewStatus")

REQUESTERS = (Role.HOLDER, Role.REPRESENTATIVE, Role.CASE_MANAGER)


@bp.route("")
@login_required
def index(budget_id: int):
    budget = get_budget_or_404(budget_id)
    reviews = db.session.scalars(select(Review).options(selectinload(Review.outcomes))
                                 .where(Review.budget_id == budget.id).order_by(Review.held_on.desc())).all()
    return render_template(
        "reviews/index.html", budget=budget, requests=requests_for(budget.id), reviews=reviews, today=today(),
        first_payment=first_payment_on(budget.id), reasons=REASONS, urgency=URGENCY,
        can_request=current_user.role in REQUESTERS, is_case_manager=is_case_manager(current_user))


@bp.route("/request", methods=["GET", "POST"])
@login_required
def new_request(budget_id: int):
    budget = get_budget_or_404(budget_id)
    if current_user.role not in REQUESTERS:
        abort(404)
    form = RequestForm()
    if form.validate_on_submit():
        created = create_request(budget, form.reason.data, form.details.data, form.urgency.data, current_user)
        db.session.commit()
        flash("Your request for a review has been sent to the case manager. You can follow it here.", "success")
        return redirect(url_for("reviews.show_request", budget_id=budget.id, request_id=created.id), 303)
    return render_template("reviews/request_form.html", budget=budget, form=form)


def _request_context(budget, req, form=None, message=""):
    return {"budget": budget, "req": req, "reasons": REASONS, "urgency": URGENCY, "message": message,
            "is_case_manager": is_case_manager(current_user),
            "form": form or StatusForm(formdata=None, version=req.version)}


@bp.route("/requests/<int:request_id>")
@login_required
def show_request(budget_id: int, request_id: int):
    budget = get_budget_or_404(budget_id)
    req = owned_or_404(ReviewRequest, request_id, budget)
    return render_template("reviews/request.html", **_request_context(budget, req))


@bp.route("/requests/<int:request_id>/status", methods=["POST"])
@login_required
def change_status(budget_id: int, request_id: int):
    budget = get_budget_or_404(budget_id, is_case_manager)
    req = owned_or_404(ReviewRequest, request_id, budget)
    form = StatusForm()
    if form.validate_on_submit():
        if form.version.data != str(req.version):
            form.action.errors = ["Someone else changed this request while you were looking at it. Check its "
                                  "status below and try again."]
        else:
            try:
                move_request(req, form.action.data, current_user, today=today(),
                             scheduled_for=form.scheduled_for.data, note=form.note.data)
                db.session.commit()
            except TransitionError as err:
                db.session.rollback()
                # The refusal names move_request's argument; each has its field on the form.
                field = {"status": form.action, "scheduled_for": form.scheduled_for, "note": form.note}[err.field]
                field.errors = list(field.errors) + [str(err)]
            except StaleDataError:
                db.session.rollback()
                form.action.errors = ["Someone else changed this request at the same time. Check its status and "
                                      "try again."]
            else:
                message = f"Request {req.status_label.lower()}."
                if request.htmx:
                    return render("reviews/request.html", "reviews/_status.html", in_partial=True,
                                  **_request_context(budget, req, message=message))
                flash(message, "success")
                return redirect(url_for("reviews.show_request", budget_id=budget.id, request_id=req.id), 303)
    db.session.refresh(req)
    form.version.data = str(req.version)
    return render("reviews/request.html", "reviews/_status.html", in_partial=bool(request.htmx),
                  **_request_context(budget, req, form=form))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(budget_id: int):
    budget = get_budget_or_404(budget_id, is_case_manager)
    now = today()
    figures = budget_figures(budget, now)
    money = money_position(figures, now)
    outcomes = outcomes_to_rate([f.line for f in figures.lines])
    all_requests = requests_for(budget.id)
    months = budget.funder.review_interval_months
    checks = {"interval_months": months, "requests": all_requests, "plan_outcomes": outcomes}
    if request.method == "POST":
        form = ReviewForm(**checks)
    else:  # held today, the next one due at the funder's interval, each of the plan's outcomes to rate
        form = ReviewForm(**checks, held_on=now, next_review_on=add_months(now, months),
                          request_id=request.args.get("request", type=int),
                          outcomes=[{"outcome": outcome} for outcome in outcomes])
    if form.validate_on_submit():
        try:
            review = record_review(budget, form.values(), form.ratings(), money, current_user, form.linked, now)
        except TransitionError as err:
            db.session.rollback()
            form.request_id.errors = [str(err)]
        else:
            db.session.commit()
            flash(f"Review recorded. The next review is due by {review.next_review_on:%-d %B %Y}.", "success")
            return redirect(url_for("reviews.index", budget_id=budget.id), 303)
    return render_template("reviews/review_form.html", budget=budget, form=form, money=money, figures=figures,
                           open_requests=[r for r in all_requests if r.is_open], reasons=REASONS)
