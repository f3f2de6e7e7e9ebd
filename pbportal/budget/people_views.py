"""Adding a person and their budget (case managers), and who can see a budget (the holder and the case manager
manage representatives)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..audit import refuse
from ..auth.invitations import statuses
from ..auth.models import Role
from ..extensions import db
from ..forms import ActionForm
from . import people
from .access import get_budget_or_404, owned_or_404
from .models import Budget, Representative
from .people import NewBudget, PeopleError
from .people_forms import KIND_LABELS, NewPersonForm, PermissionForm, RepresentativeForm

bp = Blueprint("people", __name__)


def _case_manager() -> None:
    if current_user.role != Role.CASE_MANAGER:
        refuse("case manager pages")


@bp.route("/caseload/new", methods=["GET", "POST"])
@login_required
def new_person():
    _case_manager()
    providers = people.providers()
    budgets = people.caseload_to_copy(current_user)
    form = NewPersonForm(providers=providers, budgets=budgets)
    if form.validate_on_submit():
        chosen = {str(p.id): p for p in providers}
        copies = {str(b.id): b for b in budgets}
        new = NewBudget(form.person_name.data, form.date_of_birth.data, form.email.data, form.held_as.data,
                        chosen.get(form.provider.data), form.plan_year_start.data, copies.get(form.copy_from.data))
        try:
            budget = people.create_budget(new, current_user)
        except PeopleError as err:
            db.session.rollback()
            form[err.field].errors.append(str(err))
        else:
            db.session.commit()
            flash(f"{budget.person_name}’s budget is set up and an invitation has been sent to {new.email}. "
                  "Add the lines of the agreed plan, then agree it.", "success")
            return redirect(url_for("plan.show", budget_id=budget.id), 303)
    return render_template("budget/new_person.html", form=form)


def _manager_of(user, budget: Budget) -> bool:
    """The holder and the budget's case manager manage who else can see it (representatives cannot)."""
    return user.role in (Role.HOLDER, Role.CASE_MANAGER)


def _page(budget, form=None, status=200):
    reps = people.representatives_of(budget)
    states = statuses([budget.holder] + [r.user for r in reps])
    return render_template("budget/people.html", budget=budget, reps=reps, states=states, kinds=KIND_LABELS,
                           form=form or RepresentativeForm(), action=ActionForm()), status


@bp.route("/budgets/<int:budget_id>/people", methods=["GET", "POST"])
@login_required
def index(budget_id: int):
    budget = get_budget_or_404(budget_id, _manager_of)
    form = RepresentativeForm()
    if form.validate_on_submit():
        try:
            rep = people.invite_representative(budget, form.name.data, form.email.data, form.kind.data,
                                               form.may_record.data == "yes", current_user)
        except PeopleError as err:
            db.session.rollback()
            form[err.field].errors.append(str(err))
        else:
            db.session.commit()
            flash(f"{rep.user.name} can now see {budget.person_name}’s budget. We have emailed them.", "success")
            return redirect(url_for("people.index", budget_id=budget.id), 303)
        return _page(budget, form)
    return _page(budget)


@bp.route("/budgets/<int:budget_id>/people/<int:rep_id>", methods=["GET", "POST"])
@login_required
def representative(budget_id: int, rep_id: int):
    budget = get_budget_or_404(budget_id, _manager_of)
    rep = owned_or_404(Representative, rep_id, budget)
    form = PermissionForm(may_record="yes" if rep.may_record_spending else "no")
    if form.validate_on_submit():
        people.set_may_record(rep, form.may_record.data == "yes", current_user)
        db.session.commit()
        may = "see the budget and record spending" if rep.may_record_spending else "see the budget only"
        flash(f"Saved: {rep.user.name} may {may}.", "success")
        return redirect(url_for("people.index", budget_id=budget.id), 303)
    return render_template("budget/representative.html", budget=budget, rep=rep, form=form, action=ActionForm(),
                           kinds=KIND_LABELS)


@bp.route("/budgets/<int:budget_id>/people/<int:rep_id>/remove", methods=["POST"])
@login_required
def remove(budget_id: int, rep_id: int):
    budget = get_budget_or_404(budget_id, _manager_of)
    rep = owned_or_404(Representative, rep_id, budget)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = rep.user.name
    people.remove_representative(rep, current_user)
    db.session.commit()
    flash(f"{name} can no longer see {budget.person_name}’s budget.", "success")
    return redirect(url_for("people.index", budget_id=budget.id), 303)


@bp.route("/budgets/<int:budget_id>/people/holder/invite", methods=["POST"])
@login_required
def resend_holder(budget_id: int):
    budget = get_budget_or_404(budget_id, lambda user, b: user.role == Role.CASE_MANAGER)
    if not ActionForm().validate_on_submit() or budget.holder.joined_at is not None:
        abort(404)
    people.resend_holder_invitation(budget, current_user)
    db.session.commit()
    flash(f"A new invitation has been sent to {budget.holder.email}. The old link no longer works.", "success")
    return redirect(url_for("people.index", budget_id=budget.id), 303)
