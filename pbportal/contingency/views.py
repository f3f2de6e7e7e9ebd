"""The contingency plan: what happens when things go wrong, risks, and links to share it."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..budget.access import can_edit_lines, get_budget_or_404, is_holder_side, owned_or_404
from ..budget.models import Budget
from ..budget.services import current_plan, plan_lines
from ..extensions import db, limiter
from ..forms import ActionForm
from ..spending.figures import budget_figures
from ..timeutil import today, utcnow
from .forms import ArrangementForm, LastResortForm, RiskForm, ShareForm
from .models import Arrangement, Risk, RiskStatus, ShareLink
from .services import (
    contingency_for,
    create_share_link,
    open_share_link,
    plan_of,
    revoke_share_link,
    save_arrangement,
    save_last_resort,
    save_risk,
)

bp = Blueprint("contingency", __name__, url_prefix="/budgets/<int:budget_id>/contingency")
share_bp = Blueprint("share", __name__)
bp.add_app_template_global(RiskStatus, "RiskStatus")


def _card_context(budget):
    figures = budget_figures(budget, today())
    return {"budget": budget, "c": contingency_for(budget.id), "held_pence": figures.held_pence,
            "weeks": budget.funder.contingency_weeks}


@bp.route("")
@login_required
def show(budget_id: int):
    budget = get_budget_or_404(budget_id)
    can_share = is_holder_side(current_user)
    links = []
    if can_share:
        links = db.session.scalars(select(ShareLink).where(ShareLink.budget_id == budget.id)
                                   .order_by(ShareLink.created_at.desc())).all()
    return render_template("contingency/show.html", can_edit=can_edit_lines(current_user), links=links,
                           now=utcnow(), can_share=can_share, **_card_context(budget))


# Edit forms are filled from the saved record only when first shown: a POST is judged on what was sent (WTForms
# would keep the record's value for a field left out of it).


def _edit_arrangement(budget, arrangement=None):
    lines = plan_lines(current_plan(budget))
    if request.method == "POST":
        form = ArrangementForm(lines=lines)
    else:  # the arrangement being changed; a new one may start from the scenario its link names
        form = ArrangementForm(lines=lines, obj=arrangement, scenario=request.args.get("scenario", ""))
    if form.validate_on_submit():
        save_arrangement(budget.id, form.values(), current_user, arrangement)
        db.session.commit()
        flash("Arrangement saved.", "success")
        return redirect(url_for("contingency.show", budget_id=budget.id), 303)
    return render_template("contingency/arrangement_form.html", budget=budget, form=form, arrangement=arrangement)


@bp.route("/arrangements/new", methods=["GET", "POST"])
@login_required
def new_arrangement(budget_id: int):
    return _edit_arrangement(get_budget_or_404(budget_id, can_edit_lines))


@bp.route("/arrangements/<int:arrangement_id>/edit", methods=["GET", "POST"])
@login_required
def edit_arrangement(budget_id: int, arrangement_id: int):
    budget = get_budget_or_404(budget_id, can_edit_lines)
    return _edit_arrangement(budget, owned_or_404(Arrangement, arrangement_id, budget))


@bp.route("/last-resort", methods=["GET", "POST"])
@login_required
def last_resort(budget_id: int):
    budget = get_budget_or_404(budget_id, can_edit_lines)
    form = LastResortForm() if request.method == "POST" else LastResortForm(obj=plan_of(budget.id))
    if form.validate_on_submit():
        save_last_resort(budget.id, form.last_resort_name.data, form.last_resort_phone.data, current_user)
        db.session.commit()
        flash("Last-resort contact saved.", "success")
        return redirect(url_for("contingency.show", budget_id=budget.id), 303)
    return render_template("contingency/last_resort.html", budget=budget, form=form)


def _edit_risk(budget, risk=None):
    form = RiskForm() if request.method == "POST" else RiskForm(obj=risk)
    if form.validate_on_submit():
        save_risk(budget.id, form.values(), current_user, risk)
        db.session.commit()
        flash("Risk saved.", "success")
        return redirect(url_for("contingency.show", budget_id=budget.id) + "#risks", 303)
    return render_template("contingency/risk_form.html", budget=budget, form=form, risk=risk)


@bp.route("/risks/new", methods=["GET", "POST"])
@login_required
def new_risk(budget_id: int):
    return _edit_risk(get_budget_or_404(budget_id, can_edit_lines))


@bp.route("/risks/<int:risk_id>/edit", methods=["GET", "POST"])
@login_required
def edit_risk(budget_id: int, risk_id: int):
    budget = get_budget_or_404(budget_id, can_edit_lines)
    return _edit_risk(budget, owned_or_404(Risk, risk_id, budget))


@bp.route("/share", methods=["GET", "POST"])
@login_required
def share(budget_id: int):
    budget = get_budget_or_404(budget_id, is_holder_side)
    form = ShareForm()
    if form.validate_on_submit():
        link, token = create_share_link(budget.id, form.label.data, form.days.data, current_user)
        db.session.commit()
        url = url_for("share.open_link", token=token, _external=True)
        return render_template("contingency/share_created.html", budget=budget, link=link, url=url)
    return render_template("contingency/share.html", budget=budget, form=form)


@bp.route("/share/<int:link_id>/revoke", methods=["POST"])
@login_required
def revoke(budget_id: int, link_id: int):
    budget = get_budget_or_404(budget_id, is_holder_side)
    link = owned_or_404(ShareLink, link_id, budget)
    if not ActionForm().validate_on_submit():
        abort(400)
    if link.revoked_at is None:
        revoke_share_link(link, current_user)
        db.session.commit()
    flash(f"The link for {link.label} no longer works.", "success")
    return redirect(url_for("contingency.show", budget_id=budget.id) + "#share", 303)


@share_bp.route("/share/<token>")
@limiter.limit("60 per minute")
def open_link(token: str):
    """What a back-up carer sees: this one page, nothing else, while the link is live."""
    link = open_share_link(token)
    if link is None:
        abort(404)
    budget = db.session.get(Budget, link.budget_id)
    response = make_response(render_template("contingency/shared.html", shared=True, link=link,
                                             **_card_context(budget)))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
