"""Plan versions: the case manager signs a draft off; a change to an agreed plan starts a new version."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField
from wtforms.validators import ValidationError

from ..auth.models import Role
from ..extensions import db
from ..fields import GovDateField
from ..timeutil import today
from .access import can_edit_lines, get_budget_or_404
from .services import agree_plan, editable_plan, in_force, plan_lines, plans_of, start_new_version

bp = Blueprint("plan", __name__, url_prefix="/budgets/<int:budget_id>/plan")


class AgreeForm(FlaskForm):
    submit = SubmitField("Agree and sign off this version", widget=GovSubmitInput())


class NewVersionForm(FlaskForm):
    starts_on = GovDateField("When should the new version start?", what="the date the new version starts",
                             description="Spending from this date follows the new version once it is agreed")
    submit = SubmitField("Start a new version", widget=GovSubmitInput())

    def __init__(self, *args, earliest=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest = earliest

    def validate_starts_on(self, field):
        if field.data and self.earliest and field.data <= self.earliest:
            raise ValidationError(f"The new version must start after {self.earliest:%-d %B %Y}, when the version "
                                  "in force started")


def _context(budget, **forms):
    plans = plans_of(budget)
    now = today()
    current = in_force(plans, now)
    draft = editable_plan(plans)
    return {
        "budget": budget, "plans": plans, "current": current, "draft": draft,
        "lines": {p.id: plan_lines(p) for p in plans if p in (current, draft)},
        "can_agree": current_user.role == Role.CASE_MANAGER and draft is not None,
        "can_edit": can_edit_lines(current_user),
        "agree_form": forms.get("agree_form") or AgreeForm(formdata=None),
        "version_form": forms.get("version_form") or _version_form(current, submitted=False),
    }


def _version_form(current, submitted: bool) -> NewVersionForm:
    earliest = current.starts_on if current else None
    form = NewVersionForm(earliest=earliest, **({} if submitted else {"formdata": None}))
    if not submitted:
        form.starts_on.data = today()
    return form


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
    if not AgreeForm().validate_on_submit():
        abort(400)
    if not plan_lines(draft):
        flash("A plan with no budget lines cannot be agreed. Add its lines first.", "important")
        return redirect(url_for("plan.show", budget_id=budget.id), 303)
    agree_plan(draft, current_user)
    db.session.commit()
    flash(f"Version {draft.version} agreed. It is in force from {draft.starts_on:%-d %B %Y}.", "success")
    return redirect(url_for("plan.show", budget_id=budget.id), 303)


@bp.route("/versions", methods=["POST"])
@login_required
def new_version(budget_id: int):
    budget = get_budget_or_404(budget_id)
    if not can_edit_lines(current_user):
        abort(404)
    plans = plans_of(budget)
    if editable_plan(plans) is not None:
        flash("There is already a draft version: change that one.", "important")
        return redirect(url_for("plan.show", budget_id=budget.id), 303)
    # A new version starts after the latest agreed one (which may not be in force yet).
    agreed = [p for p in plans if p.status == "agreed"]
    form = _version_form(max(agreed, key=lambda p: p.starts_on) if agreed else in_force(plans, today()),
                         submitted=True)
    if form.validate_on_submit():
        plan = start_new_version(budget, form.starts_on.data, current_user)
        db.session.commit()
        flash(f"Version {plan.version} started as a draft, with the lines of the agreed plan. Change what needs "
              "changing, then ask the case manager to agree it.", "success")
        return redirect(url_for("plan.show", budget_id=budget.id), 303)
    return render_template("budget/plan.html", **_context(budget, version_form=form))
