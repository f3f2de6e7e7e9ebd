"""Plan versions: the case manager signs a draft off; a change to an agreed plan starts a new version."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..auth.models import Role
from ..extensions import db
from ..forms import ActionForm
from ..timeutil import today
from .access import can_edit_lines, get_budget_or_404
from .forms import NewVersionForm
from .services import (
    PlanError,
    agree_plan,
    editable_plan,
    in_force,
    new_version_starts_after,
    plan_lines,
    plans_of,
    start_new_version,
)

bp = Blueprint("plan", __name__, url_prefix="/budgets/<int:budget_id>/plan")


def _context(budget, version_form: NewVersionForm | None = None):
    plans = plans_of(budget)
    now = today()
    current = in_force(plans, now)
    draft = editable_plan(plans)
    return {
        "budget": budget, "plans": plans, "current": current, "draft": draft,
        "lines": {p.id: plan_lines(p) for p in plans if p in (current, draft)},
        "can_agree": current_user.role == Role.CASE_MANAGER and draft is not None,
        "can_edit": can_edit_lines(current_user),
        "agree_form": ActionForm(formdata=None),
        "version_form": version_form or NewVersionForm(formdata=None, starts_on=now),
    }


@bp.route("")
@login_required
def show(budget_id: int):
    return render_template("budget/plan.html", **_context(get_budget_or_404(budget_id)))


@bp.route("/agree", methods=["POST"])
@login_required
def agree(budget_id: int):
    budget = get_budget_or_404(budget_id)
    if current_user.role != Role.CASE_MANAGER:
        abort(404)
    draft = editable_plan(plans_of(budget))
    if draft is None:
        flash("There is no draft to agree.", "important")
        return redirect(url_for("plan.show", budget_id=budget.id), 303)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        agree_plan(draft, current_user)
    except PlanError as err:
        flash(str(err), "important")
        return redirect(url_for("plan.show", budget_id=budget.id), 303)
    db.session.commit()
    flash(f"Version {draft.version} agreed. It is in force from {draft.starts_on:%-d %B %Y}.", "success")
    return redirect(url_for("plan.show", budget_id=budget.id), 303)


@bp.route("/versions", methods=["POST"])
@login_required
def new_version(budget_id: int):
    budget = get_budget_or_404(budget_id, can_edit_lines)
    plans = plans_of(budget)
    if editable_plan(plans) is not None:
        flash("There is already a draft version: change that one.", "important")
        return redirect(url_for("plan.show", budget_id=budget.id), 303)
    form = NewVersionForm(earliest=new_version_starts_after(plans, today()))
    if form.validate_on_submit():
        plan = start_new_version(budget, form.starts_on.data, current_user)
        db.session.commit()
        flash(f"Version {plan.version} started as a draft, with the lines of the agreed plan. Change what needs "
              "changing, then ask the case manager to agree it.", "success")
        return redirect(url_for("plan.show", budget_id=budget.id), 303)
    return render_template("budget/plan.html", **_context(budget, version_form=form))
