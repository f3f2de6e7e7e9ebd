"""The contingency plan: what happens when things go wrong, risks, and links to share it."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..auth.models import Role
from ..budget.access import can_edit_lines, get_budget_or_404, is_holder_side, owned_or_404
from ..budget.models import Budget
from ..budget.services import current_plan, plan_lines
from ..extensions import db, limiter
from ..money import pence_to_input
from ..spending.figures import budget_figures
from ..timeutil import today, utcnow
from .forms import ArrangementForm, LastResortForm, RiskForm, ShareForm
from .models import Arrangement, Risk, ShareLink
from .services import (
    contingency_for,
    create_share_link,
    open_share_link,
    revoke_share_link,
    save_arrangement,
    save_last_resort,
    save_risk,
)

bp = Blueprint("contingency", __name__, url_prefix="/budgets/<int:budget_id>/contingency")
share_bp = Blueprint("share", __name__)


def _card_context(budget):
    figures = budget_figures(budget, today())
    return {"budget": budget, "c": contingency_for(budget.id), "held_pence": figures.held_pence,
            "weeks": budget.funder.contingency_weeks}


@bp.route("")
@login_required
def show(budget_id: int):
    budget = get_budget_or_404(budget_id)
    links = []
    if current_user.role in (Role.HOLDER, Role.REPRESENTATIVE):
        links = db.session.scalars(select(ShareLink).where(ShareLink.budget_id == budget.id)
                                   .order_by(ShareLink.created_at.desc())).all()
    return render_template("contingency/show.html", can_edit=can_edit_lines(current_user), links=links,
                           now=utcnow(), can_share=current_user.role in (Role.HOLDER, Role.REPRESENTATIVE),
                           **_card_context(budget))


def _arrangement_form(budget, arrangement=None) -> ArrangementForm:
    lines = plan_lines(current_plan(budget))
    form = ArrangementForm(line_ids=[line.id for line in lines])
    form.line_id.choices = [(0, "None")] + [(line.id, line.item) for line in lines]
    if arrangement is not None and not form.is_submitted():
        for name in ("scenario", "title", "what_happens", "who_steps_in", "contact"):
            getattr(form, name).data = getattr(arrangement, name)
        form.line_id.data = arrangement.line_id or 0
        form.expected_cost.data = pence_to_input(arrangement.expected_cost_pence)
    elif not form.is_submitted():
        form.scenario.data = request.args.get("scenario", "")
    return form


def _edit_arrangement(budget, arrangement=None):
    form = _arrangement_form(budget, arrangement)
    if form.validate_on_submit():
        values = {"scenario": form.scenario.data,
                  "title": (form.title.data or "").strip() if form.scenario.data == "own" else "",
                  "what_happens": form.what_happens.data.strip(), "who_steps_in": form.who_steps_in.data.strip(),
                  "contact": form.contact.data.strip(), "expected_cost_pence": form.cost_pence,
                  "line_id": form.line_id.data or None}
        save_arrangement(budget.id, values, current_user, arrangement)
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
    form = LastResortForm()
    c = contingency_for(budget.id)
    if not form.is_submitted() and c.plan is not None:
        form.last_resort_name.data, form.last_resort_phone.data = c.plan.last_resort_name, c.plan.last_resort_phone
    if form.validate_on_submit():
        save_last_resort(budget.id, form.last_resort_name.data.strip(), form.last_resort_phone.data.strip(),
                         current_user)
        db.session.commit()
        flash("Last-resort contact saved.", "success")
        return redirect(url_for("contingency.show", budget_id=budget.id), 303)
    return render_template("contingency/last_resort.html", budget=budget, form=form)


def _edit_risk(budget, risk=None):
    form = RiskForm()
    if risk is not None and not form.is_submitted():
        for name in ("description", "status", "mitigation", "accepted_by", "review_on"):
            getattr(form, name).data = getattr(risk, name)
    if form.validate_on_submit():
        accepted = form.status.data == "accepted"
        values = {"description": form.description.data.strip(), "status": form.status.data,
                  "mitigation": (form.mitigation.data or "").strip() if not accepted else "",
                  "accepted_by": (form.accepted_by.data or "").strip() if accepted else "",
                  "accepted_on": (risk.accepted_on if risk and risk.status == "accepted" and accepted else
                                  today() if accepted else None),
                  "review_on": form.review_on.data}
        save_risk(budget.id, values, current_user, risk)
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
        link, token = create_share_link(budget.id, form.label.data.strip(), form.days.data, current_user)
        db.session.commit()
        url = url_for("share.open_link", token=token, _external=True)
        return render_template("contingency/share_created.html", budget=budget, link=link, url=url)
    return render_template("contingency/share.html", budget=budget, form=form)


@bp.route("/share/<int:link_id>/revoke", methods=["POST"])
@login_required
def revoke(budget_id: int, link_id: int):
    budget = get_budget_or_404(budget_id, is_holder_side)
    link = owned_or_404(ShareLink, link_id, budget)
    if not FlaskForm().validate_on_submit():
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
