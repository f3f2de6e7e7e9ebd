"""A funder's people and their case managers (its admins assign and hand over); a provider accepting or declining
an account; the case manager choosing another provider, or ending a budget."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..audit import refuse
from ..auth.models import Role
from ..extensions import db
from ..forms import ActionForm
from ..partials import render
from . import caseload
from .access import get_budget_or_404
from .caseload import CaseloadError
from .caseload_forms import DeclineForm, EndForm, HandOverForm, MoveProviderForm, ProviderForm

bp = Blueprint("caseloads", __name__)


def _funder_admins_org():
    org = current_user.organisation
    if current_user.role != Role.ORG_ADMIN or org is None or not org.is_funder:
        refuse("caseload assignment")
    return org


def _people(org, hand_over=None, error="", status=200):
    managers = caseload.case_managers(org)
    chosen = request.args.get("case_manager", "")
    ended = request.args.get("ended") == "1"
    page = caseload.people_page(org, request.args.get("page", type=int), chosen, ended)
    choices = [(str(u.id), u.name) for u in managers]
    pager_args = {k: v for k, v in (("case_manager", chosen), ("ended", "1" if ended else "")) if v}
    return render("budget/people_list.html", "budget/_people_list.html", org=org, page=page, managers=managers,
                  chosen=chosen, ended=ended, error=error, form=ActionForm(),
                  hand_over=hand_over or HandOverForm(choices=choices, owners=caseload.caseload_owners(org)),
                  pager_args=pager_args), status


@bp.route("/organisation/people")
@login_required
def people():
    return _people(_funder_admins_org())


@bp.route("/organisation/people/assign", methods=["POST"])
@login_required
def assign():
    org = _funder_admins_org()
    if not ActionForm().validate_on_submit():
        abort(400)
    ids = [int(v) for v in request.form.getlist("people") if v.isdigit() and len(v) < 10]
    try:
        moved = caseload.assign(org, ids, request.form.get("case_manager", ""), current_user)
    except CaseloadError as err:
        db.session.rollback()
        return _people(org, error=str(err), status=200)
    db.session.commit()
    flash(f"{moved} {'person is' if moved == 1 else 'people are'} now on the chosen caseload.", "success")
    return redirect(url_for("caseloads.people"), 303)


@bp.route("/organisation/people/hand-over", methods=["POST"])
@login_required
def hand_over():
    org = _funder_admins_org()
    choices = [(str(u.id), u.name) for u in caseload.case_managers(org)]
    form = HandOverForm(choices=choices, owners=caseload.caseload_owners(org))
    if form.validate_on_submit():
        try:
            moved = caseload.hand_over(org, form.from_case_manager.data, form.to_case_manager.data, current_user)
        except CaseloadError as err:
            db.session.rollback()
            form[err.field].errors.append(str(err))
        else:
            db.session.commit()
            flash(f"The caseload is handed over: {moved} {'person' if moved == 1 else 'people'} moved.", "success")
            return redirect(url_for("caseloads.people"), 303)
    return _people(org, hand_over=form)


def _provider_staff(user, budget) -> bool:
    return user.role == Role.PROVIDER_STAFF and budget.provider_accepted_at is None


@bp.route("/budgets/<int:budget_id>/provider/accept", methods=["POST"])
@login_required
def accept(budget_id: int):
    budget = get_budget_or_404(budget_id, _provider_staff)
    if not ActionForm().validate_on_submit():
        abort(400)
    caseload.accept(budget, current_user)
    db.session.commit()
    flash(f"You have accepted {budget.person_name}’s account.", "success")
    return redirect(url_for("homes.accounts"), 303)


@bp.route("/budgets/<int:budget_id>/provider/decline", methods=["GET", "POST"])
@login_required
def decline(budget_id: int):
    budget = get_budget_or_404(budget_id, _provider_staff)
    form = DeclineForm()
    if form.validate_on_submit():
        caseload.decline(budget, form.reason.data, current_user)
        db.session.commit()
        flash(f"You have declined {budget.person_name}’s account. Their case manager has been told why.", "success")
        return redirect(url_for("homes.accounts"), 303)
    return render_template("budget/decline.html", budget=budget, form=form)


def _case_manager(user, budget) -> bool:
    return user.role == Role.CASE_MANAGER


def _chosen(providers, field):
    """The provider the select names, of those offered; None, with the field's error, for anything else."""
    chosen = next((p for p in providers if str(p.id) == field.data), None)
    if chosen is None:
        field.errors.append("Choose a provider from the list")
    return chosen


@bp.route("/budgets/<int:budget_id>/provider", methods=["GET", "POST"])
@login_required
def choose_provider(budget_id: int):
    budget = get_budget_or_404(budget_id, lambda user, b: _case_manager(user, b) and b.is_declined)
    providers = caseload.providers()
    form = ProviderForm(providers=providers)
    if form.validate_on_submit():
        chosen = _chosen(providers, form.provider)
        if chosen is not None:
            caseload.choose_provider(budget, chosen, current_user)
            db.session.commit()
            flash(f"{chosen.name} has been asked to hold {budget.person_name}’s account.", "success")
            return redirect(url_for("homes.budget", budget_id=budget.id), 303)
    return render_template("budget/choose_provider.html", budget=budget, form=form)


def _may_move(user, budget) -> bool:
    """The case manager moves a managed account its provider has taken on."""
    return (_case_manager(user, budget) and budget.is_managed_account and budget.provider_id is not None
            and budget.provider_accepted_at is not None and not budget.is_declined)


@bp.route("/budgets/<int:budget_id>/provider/move", methods=["GET", "POST"])
@login_required
def move_provider(budget_id: int):
    budget = get_budget_or_404(budget_id, _may_move)
    others = [p for p in caseload.providers() if p.id != budget.provider_id]
    form = MoveProviderForm(providers=others)
    if form.validate_on_submit():
        chosen = _chosen(others, form.provider)
        if chosen is not None:
            before = budget.provider.name
            try:
                caseload.move_provider(budget, chosen, form.moves_on.data, form.reason.data, current_user)
            except CaseloadError as err:
                db.session.rollback()
                form[err.field].errors.append(str(err))
            else:
                db.session.commit()
                flash(f"{budget.person_name}’s account moves from {before} to {chosen.name} from "
                      f"{form.moves_on.data:%-d %B %Y}. Both providers and {budget.person_name} have been told.",
                      "success")
                return redirect(url_for("homes.budget", budget_id=budget.id), 303)
    return render_template("budget/move_provider.html", budget=budget, form=form,
                           handovers=caseload.handovers(budget.id))


@bp.route("/budgets/<int:budget_id>/end", methods=["GET", "POST"])
@login_required
def end(budget_id: int):
    budget = get_budget_or_404(budget_id, _case_manager)
    form = EndForm()
    if form.validate_on_submit():
        try:
            caseload.end_budget(budget, form.ended_on.data, form.reason.data, form.note.data or "", current_user)
        except CaseloadError as err:
            db.session.rollback()
            form[err.field].errors.append(str(err))
        else:
            db.session.commit()
            flash(f"{budget.person_name}’s budget has ended. It can still be read, but not changed.", "success")
            return redirect(url_for("homes.budget", budget_id=budget.id), 303)
    return render_template("budget/end.html", budget=budget, form=form)
