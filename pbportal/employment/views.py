"""The PAs a holder employs: their records, checks, training, delegated tasks, pay and true cost."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.utils import secure_filename

from ..budget.access import can_record_spending, get_budget_or_404, owned_or_404
from ..dates import plan_year_for
from ..extensions import db
from ..money import format_pence
from ..partials import wants_partial
from ..timeutil import today
from . import forms, section_forms
from .models import Absence, DelegatedTask, EmploymentCheck, PayRecord, PersonalAssistant, Training
from .payroll import import_payroll
from .payroll_csv import MAX_BYTES, PayrollFileError
from .payslips import RECORDS_KEPT_YEARS, payslips_for, tax_year_records, tax_years_paid
from .rates import rates_on, tax_year_label, tax_year_start
from .services import (
    DuplicatePeriod,
    MoneyDepends,
    add_row,
    employment_for,
    end_employment,
    pay_lines,
    recent_absences,
    record_pay,
    remove_pa,
    remove_row,
    save_employer,
    save_pa,
    void_pay,
    wage_lines,
    wage_payments,
    why_pa_stays,
)
from .warnings import pay_below_minimum, pay_notes

bp = Blueprint("employment", __name__, url_prefix="/budgets/<int:budget_id>/pas")


def _can_change(budget) -> bool:
    """Whoever runs the budget's money (holder or representative; provider staff for managed accounts)."""
    return can_record_spending(current_user, budget)


@bp.route("")
@login_required
def index(budget_id: int):
    budget = get_budget_or_404(budget_id)
    emp = employment_for(budget.id, today())
    return render_template("employment/index.html", budget=budget, emp=emp, can_change=_can_change(budget))


# ---- a PA's record -----------------------------------------------------------------------------------

def _edit_pa(budget, pa=None):
    form = forms.PAForm(lines=wage_lines(budget), end_date=pa.end_date if pa else None)
    if not form.is_submitted():
        form.fill(pa)
    if form.validate_on_submit():
        saved = save_pa(budget, form.values(), form.rate_values, current_user, pa)
        db.session.commit()
        flash(f"{saved.name}’s details saved.", "success")
        return redirect(url_for("employment.show", budget_id=budget.id, pa_id=saved.id), 303)
    return render_template("employment/pa_form.html", budget=budget, form=form, pa=pa)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(budget_id: int):
    return _edit_pa(get_budget_or_404(budget_id, can_record_spending))


@bp.route("/<int:pa_id>/edit", methods=["GET", "POST"])
@login_required
def edit(budget_id: int, pa_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    return _edit_pa(budget, owned_or_404(PersonalAssistant, pa_id, budget))


@bp.route("/<int:pa_id>/end", methods=["GET", "POST"])
@login_required
def end(budget_id: int, pa_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    pa = owned_or_404(PersonalAssistant, pa_id, budget)
    form = forms.EndEmploymentForm(start_date=pa.start_date)
    if not form.is_submitted():
        form.end_date.data = today()
    if form.validate_on_submit():
        end_employment(pa, form.end_date.data, form.reason.data.strip(), current_user)
        db.session.commit()
        flash(f"{pa.name}’s employment ended on {pa.end_date:%-d %B %Y}. Their records are kept.", "success")
        return redirect(url_for("employment.show", budget_id=budget.id, pa_id=pa.id), 303)
    return render_template("employment/end.html", budget=budget, pa=pa, form=form)


# ---- the PA page and its sections (checks, training, delegated tasks, pay, absences) ---------------------

# section: (its form, what it adds, the audit action, the message once added)
SECTIONS = {
    "checks": (section_forms.CheckForm, EmploymentCheck, "employment_check.added", "Check added."),
    "training": (section_forms.TrainingForm, Training, "training.added", "Training added."),
    "tasks": (section_forms.TaskForm, DelegatedTask, "delegated_task.added", "Delegated task added."),
    "absences": (section_forms.AbsenceForm, Absence, "absence.added", "Absence added."),
}


def _blank_forms(budget):
    plan_year = plan_year_for(budget.plan_year_start, today())
    blank = {name: spec[0](formdata=None, prefix=f"{name}-") for name, spec in SECTIONS.items()}
    blank["pay"] = section_forms.PayForm(formdata=None, plan_year=plan_year, prefix="pay-")
    blank["pay"].paid_on.data = today()
    return blank


def pa_context(budget, pa, **overrides) -> dict:
    emp = employment_for(budget.id, today())
    context = {
        "budget": budget, "pa": pa, "emp": emp, "cost": emp.cost_for(pa.id),
        "pa_warnings": emp.warnings_for(pa.id), "can_change": _can_change(budget),
        "checks": sorted(emp.checks[pa.id], key=lambda c: c.checked_on, reverse=True),
        "trainings": sorted(emp.trainings[pa.id], key=lambda t: t.completed_on, reverse=True),
        "tasks": emp.tasks[pa.id], "pay": emp.pay[pa.id],
        "absences": recent_absences(pa), "wages": wage_payments(pa, today()), "time_off": emp.time_off.get(pa.id),
        "forms": _blank_forms(budget), "messages": {},
    }
    context["forms"].update(overrides.pop("forms", {}))
    context.update(overrides)
    context["has_errors"] = any(form.errors for form in context["forms"].values())
    return context


@bp.route("/<int:pa_id>")
@login_required
def show(budget_id: int, pa_id: int):
    budget = get_budget_or_404(budget_id)
    pa = owned_or_404(PersonalAssistant, pa_id, budget)
    return render_template("employment/show.html", **pa_context(budget, pa))


def _section_response(budget, pa, section: str, form, message: str = "", warning: str | None = None,
                      notes: list[str] | None = None):
    """After a section's form: its partial (and, if saved, fresh warnings and costs out-of-band) for htmx;
    the whole PA page otherwise."""
    context = pa_context(budget, pa, forms={section: form},
                         messages={section: message, "warning": warning, "notes": notes or []})
    if wants_partial():
        return render_template("employment/_section_response.html", section=section, saved=bool(message),
                               in_partial=True, **context)
    return render_template("employment/show.html", **context)


def _saved(budget, pa, section: str, message: str, warning: str | None = None, notes: list[str] | None = None):
    """Saved: the section again with the message (and a warning about what was saved, if any, and what the
    rules say of it)."""
    db.session.commit()
    if wants_partial():
        return _section_response(budget, pa, section, _blank_forms(budget)[section], message, warning, notes)
    flash(message, "success")
    if warning:
        flash(f"Check this: {warning}.", "important")
    for note in notes or []:
        flash(f"{note}.", "important")
    return redirect(url_for("employment.show", budget_id=budget.id, pa_id=pa.id) + f"#{section}", 303)


@bp.route("/<int:pa_id>/<any(checks, training, tasks, absences):section>", methods=["POST"])
@login_required
def add(budget_id: int, pa_id: int, section: str):
    budget = get_budget_or_404(budget_id, can_record_spending)
    pa = owned_or_404(PersonalAssistant, pa_id, budget)
    form_class, model, action, message = SECTIONS[section]
    form = form_class(prefix=f"{section}-")  # five forms share the PA page: prefixes keep their ids apart
    if form.validate_on_submit():
        add_row(model, pa, form.values(), current_user, action)
        return _saved(budget, pa, section, message)
    return _section_response(budget, pa, section, form)


@bp.route("/<int:pa_id>/pay", methods=["POST"])
@login_required
def pay(budget_id: int, pa_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    pa = owned_or_404(PersonalAssistant, pa_id, budget)
    if not pa.is_employed:
        abort(404)  # self-employed PAs are paid on invoice, recorded as ordinary payments
    form = section_forms.PayForm(plan_year=plan_year_for(budget.plan_year_start, today()), prefix="pay-",
                                 irregular_hours=pa.irregular_hours)
    if form.validate_on_submit():
        if pa.line_id is None:
            form.gross.errors = ["Choose the budget line this PA’s pay comes from first (change their details)"]
            return _section_response(budget, pa, "pay", form)
        try:
            saved = record_pay(pa, form.values(), pay_lines(budget, pa), current_user)
        except DuplicatePeriod as err:
            db.session.rollback()
            form.period_start.errors = [str(err)]
            return _section_response(budget, pa, "pay", form)
        # Said now, beside "recorded", not only among the warnings further up the page.
        below = pay_below_minimum(pa, saved, rates_on(saved.period_start))
        notes = pay_notes(pa, saved, rates_on(saved.paid_on))
        linked = (f" The payment of {format_pence(saved.net_pence)} to {pa.name} recorded already for "
                  f"{saved.paid_on:%-d %B %Y} is now part of this pay record." if saved.linked_payment else "")
        return _saved(budget, pa, "pay", f"Pay of {format_pence(saved.gross_pence)} gross recorded: "
                                         f"{format_pence(saved.net_pence)} to {pa.name}, "
                                         f"{format_pence(saved.hmrc_pence)} to HMRC, "
                                         f"{format_pence(saved.pension_pence)} to the pension.{linked}",
                      warning=below, notes=notes)
    return _section_response(budget, pa, "pay", form)


@bp.route("/<int:pa_id>/pay/<int:pay_id>/payslip")
@login_required
def payslip(budget_id: int, pa_id: int, pay_id: int):
    """One pay record as an itemised payslip, one A4 page when printed (or saved as PDF by the browser)."""
    budget = get_budget_or_404(budget_id)
    pa = owned_or_404(PersonalAssistant, pa_id, budget)
    record = owned_or_404(PayRecord, pay_id, budget)
    if record.pa_id != pa.id or not pa.is_employed:
        abort(404)
    return render_template("employment/payslips.html", budget=budget, pa=pa, slips=payslips_for(budget, pa, [record]),
                           single=True, kept_years=RECORDS_KEPT_YEARS)


@bp.route("/<int:pa_id>/payslips")
@login_required
def payslips(budget_id: int, pa_id: int):
    """A tax year's payslips together: to print, or (?download=1) to save as one file."""
    budget = get_budget_or_404(budget_id)
    pa = owned_or_404(PersonalAssistant, pa_id, budget)
    if not pa.is_employed:
        abort(404)
    years = tax_years_paid(pa)
    try:
        start = date(request.args.get("year", type=int) or tax_year_start(today()).year, 4, 6)
    except (ValueError, OverflowError):
        abort(404)
    slips = payslips_for(budget, pa, tax_year_records(pa, start))
    context = {"budget": budget, "pa": pa, "slips": slips, "single": False, "year_start": start,
               "year_label": tax_year_label(start), "years": years, "kept_years": RECORDS_KEPT_YEARS}
    if request.args.get("download") == "1":
        body = render_template("employment/payslips_file.html", **context)
        name = secure_filename(f"payslips-{pa.name}-{tax_year_label(start).replace('/', '-')}.html") or "payslips.html"
        return Response(body, mimetype="text/html",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return render_template("employment/payslips.html", **context)


@bp.route("/<int:pa_id>/pay/<int:pay_id>/void", methods=["GET", "POST"])
@login_required
def void_pay_record(budget_id: int, pa_id: int, pay_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    pa = owned_or_404(PersonalAssistant, pa_id, budget)
    pay_record = owned_or_404(PayRecord, pay_id, budget)
    if pay_record.pa_id != pa.id:
        abort(404)
    pay_section = url_for("employment.show", budget_id=budget.id, pa_id=pa.id) + "#pay"
    if not pay_record.is_active:
        flash("This pay record has already been voided.", "important")
        return redirect(pay_section, 303)
    form = forms.VoidPayForm()
    if form.validate_on_submit():
        void_pay(pay_record, form.reason.data.strip(), current_user)
        db.session.commit()
        flash("Pay record voided, with its payments.", "success")
        return redirect(pay_section, 303)
    return render_template("employment/void_pay.html", budget=budget, pa=pa, pay=pay_record, form=form)


# ---- removing what was entered by mistake ---------------------------------------------------------------

REMOVABLE = {  # section (its model is in SECTIONS): (audit action, what it is called)
    "checks": ("employment_check.removed", "check"),
    "training": ("training.removed", "training record"),
    "tasks": ("delegated_task.removed", "delegated task"),
    "absences": ("absence.removed", "absence"),
}


def _describe(section: str, row) -> str:
    if section == "checks":
        return f"{row.kind_label}, {row.checked_on:%-d %B %Y}"
    if section == "training":
        return f"{row.course}, {row.completed_on:%-d %B %Y}"
    if section == "tasks":
        return row.task
    return f"{row.kind_label}, {row.start_date:%-d %B %Y} to {row.end_date:%-d %B %Y}"


@bp.route("/<int:pa_id>/<any(checks, training, tasks, absences):section>/<int:row_id>/remove",
          methods=["GET", "POST"])
@login_required
def remove(budget_id: int, pa_id: int, section: str, row_id: int):
    """Remove a check, training record, delegated task or absence entered by mistake, with a reason."""
    budget = get_budget_or_404(budget_id, can_record_spending)
    pa = owned_or_404(PersonalAssistant, pa_id, budget)
    action, noun = REMOVABLE[section]
    row = owned_or_404(SECTIONS[section][1], row_id, budget)
    if row.pa_id != pa.id:
        abort(404)
    form = forms.RemoveForm()
    what = _describe(section, row)
    if form.validate_on_submit():
        remove_row(row, form.reason.data.strip(), current_user, action)
        db.session.commit()
        flash(f"{noun.capitalize()} removed: {what}. The audit log keeps what it said and why it was removed.",
              "success")
        return redirect(url_for("employment.show", budget_id=budget.id, pa_id=pa.id) + f"#{section}", 303)
    return render_template("employment/remove.html", budget=budget, pa=pa, form=form, noun=noun, what=what,
                           back=url_for("employment.show", budget_id=budget.id, pa_id=pa.id) + f"#{section}")


@bp.route("/<int:pa_id>/remove", methods=["GET", "POST"])
@login_required
def remove_person(budget_id: int, pa_id: int):
    """Remove a PA entered by mistake, while no pay depends on them."""
    budget = get_budget_or_404(budget_id, can_record_spending)
    pa = owned_or_404(PersonalAssistant, pa_id, budget)
    form = forms.RemoveForm()
    back = url_for("employment.show", budget_id=budget.id, pa_id=pa.id)
    refused = None
    if form.validate_on_submit():
        name = pa.name
        try:
            remove_pa(pa, form.reason.data.strip(), current_user)
            db.session.commit()
        except MoneyDepends as err:
            db.session.rollback()
            refused = str(err)
        else:
            flash(f"{name} removed. The audit log keeps their record and why it was removed.", "success")
            return redirect(url_for("employment.index", budget_id=budget.id), 303)
    else:
        refused = why_pa_stays(pa)
    return render_template("employment/remove.html", budget=budget, pa=pa, form=form, noun="PA", what=pa.name,
                           back=back, refused=refused, whole_pa=True)


# ---- the employer ------------------------------------------------------------------------------------

@bp.route("/employer", methods=["GET", "POST"])
@login_required
def employer(budget_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    emp = employment_for(budget.id, today())
    form = forms.EmployerForm()
    if not form.is_submitted():
        form.fill(emp.employer, emp.allowance_claimed)
    if form.validate_on_submit():
        save_employer(budget, form.values(), bool(form.allowance_claimed.data), today(), current_user)
        db.session.commit()
        flash("Employer details saved.", "success")
        return redirect(url_for("employment.index", budget_id=budget.id), 303)
    return render_template("employment/employer.html", budget=budget, form=form, emp=emp)


# ---- payroll import ----------------------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
@login_required
def payroll_import(budget_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    form = forms.PayrollImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            result = import_payroll(budget, form.file.data.stream.read(MAX_BYTES + 1), current_user, today())
        except PayrollFileError as err:
            form.file.errors = [str(err)]
        else:
            if not result.problems:
                db.session.commit()
                current_app.logger.info("payroll import: %s created, %s skipped for budget %s", result.created,
                                        result.skipped, budget.id)
                flash(result.message, "success")
                return redirect(url_for("employment.index", budget_id=budget.id), 303)
            db.session.rollback()
            problems, form.file.errors = result.problems, [result.message]
    return render_template("employment/import.html", budget=budget, form=form, problems=problems)
