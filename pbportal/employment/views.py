"""The PAs a holder employs: their records, checks, training, delegated tasks, pay and true cost."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..budget.access import can_record_spending, get_budget_or_404, owned_or_404
from ..budget.services import current_plan, plan_lines
from ..dates import plan_year_for
from ..extensions import db
from ..money import format_pence, pence_to_input
from ..partials import wants_partial
from ..timeutil import today
from . import forms
from .models import Absence, DelegatedTask, EmploymentCheck, PayRecord, PersonalAssistant, Training
from .payroll_csv import PayrollFileError, parse
from .services import (
    DuplicatePeriod,
    add_row,
    employment_for,
    employment_lines,
    end_employment,
    record_pay,
    save_employer,
    save_pa,
    void_pay,
)

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

def _lines(budget):
    return plan_lines(current_plan(budget))


def _pa_form(budget, lines, pa=None) -> forms.PAForm:
    wage_lines = [line for line in lines if line.category in ("pa_wages", "agency_care")] or lines
    form = forms.PAForm(line_ids=[line.id for line in wage_lines], end_date=pa.end_date if pa else None)
    form.line_id.choices = [(0, "Select a budget line")] + [(line.id, line.item) for line in wage_lines]
    if not form.is_submitted():
        if pa is None:
            form.employment_type.data = "employed"
            form.line_id.data = wage_lines[0].id if wage_lines else 0
        else:
            for name in ("name", "phone", "email", "date_of_birth", "start_date", "employment_type",
                         "irregular_hours", "is_relative", "relative_exception", "line_id"):
                getattr(form, name).data = getattr(pa, name)
            for rate in pa.rates:
                if hasattr(form, f"{rate.kind}_rate"):
                    getattr(form, f"{rate.kind}_rate").data = pence_to_input(rate.hourly_pence)
                    getattr(form, f"{rate.kind}_hours").data = f"{rate.hours_per_week.normalize():f}"
    return form


def _edit_pa(budget, pa=None):
    lines = _lines(budget)
    form = _pa_form(budget, lines, pa)
    if form.validate_on_submit():
        values = {
            "name": form.name.data.strip(), "phone": (form.phone.data or "").strip(),
            "email": (form.email.data or "").strip(), "date_of_birth": form.date_of_birth.data,
            "start_date": form.start_date.data, "employment_type": form.employment_type.data,
            "irregular_hours": bool(form.irregular_hours.data), "is_relative": bool(form.is_relative.data),
            "relative_exception": (form.relative_exception.data or "").strip() if form.is_relative.data else "",
            "line_id": form.line_id.data,
        }
        saved = save_pa(budget, values, form.rate_values, current_user, pa)
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
    if request.method == "GET":
        form.end_date.data = today()
    if form.validate_on_submit():
        end_employment(pa, form.end_date.data, form.reason.data.strip(), current_user)
        db.session.commit()
        flash(f"{pa.name}’s employment ended on {pa.end_date:%-d %B %Y}. Their records are kept.", "success")
        return redirect(url_for("employment.show", budget_id=budget.id, pa_id=pa.id), 303)
    return render_template("employment/end.html", budget=budget, pa=pa, form=form)


# ---- the PA page and its sections (checks, training, delegated tasks, pay, absences) ---------------------

def _check_values(form):
    dbs = form.kind.data == "dbs"
    return {"kind": form.kind.data, "checked_on": form.checked_on.data, "expires_on": form.expires_on.data,
            "evidence": form.evidence.data.strip(), "dbs_level": form.dbs_level.data if dbs else "",
            "dbs_certificate": (form.dbs_certificate.data or "").strip() if dbs else "",
            "dbs_update_service": bool(form.dbs_update_service.data) if dbs else False}


SECTIONS = {
    "checks": (forms.CheckForm, EmploymentCheck, "employment_check.added", _check_values, "Check added."),
    "training": (forms.TrainingForm, Training, "training.added",
                 lambda f: {"course": f.course.data.strip(), "completed_on": f.completed_on.data,
                            "expires_on": f.expires_on.data, "cost_pence": f.cost_pence}, "Training added."),
    "tasks": (forms.TaskForm, DelegatedTask, "delegated_task.added",
              lambda f: {"task": f.task.data.strip(), "practitioner": f.practitioner.data.strip(),
                         "practitioner_registration": f.practitioner_registration.data.strip(),
                         "trained_on": f.trained_on.data, "signed_off_by": (f.signed_off_by.data or "").strip(),
                         "signed_off_on": f.signed_off_on.data, "review_on": f.review_on.data},
              "Delegated task added."),
    "absences": (forms.AbsenceForm, Absence, "absence.added",
                 lambda f: {"kind": f.kind.data, "start_date": f.start_date.data, "end_date": f.end_date.data,
                            "note": (f.note.data or "").strip()}, "Absence added."),
}


def _blank_forms(budget):
    plan_year = plan_year_for(budget.plan_year_start, today())
    blank = {name: spec[0](formdata=None, prefix=f"{name}-") for name, spec in SECTIONS.items()}
    blank["pay"] = forms.PayForm(formdata=None, plan_year=plan_year, prefix="pay-")
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
        "absences": db.session.scalars(select(Absence).where(Absence.pa_id == pa.id)
                                       .order_by(Absence.start_date.desc()).limit(20)).all(),
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


def _section_response(budget, pa, section: str, form, message: str = ""):
    """After a section's form: its partial (and, if saved, fresh warnings and costs out-of-band) for htmx;
    the whole PA page otherwise."""
    context = pa_context(budget, pa, forms={section: form}, messages={section: message})
    if wants_partial():
        return render_template("employment/_section_response.html", section=section, saved=bool(message),
                               in_partial=True, **context)
    return render_template("employment/show.html", **context)


def _saved(budget, pa, section: str, message: str):
    db.session.commit()
    if wants_partial():
        return _section_response(budget, pa, section, _blank_forms(budget)[section], message)
    flash(message, "success")
    return redirect(url_for("employment.show", budget_id=budget.id, pa_id=pa.id) + f"#{section}", 303)


@bp.route("/<int:pa_id>/<any(checks, training, tasks, absences):section>", methods=["POST"])
@login_required
def add(budget_id: int, pa_id: int, section: str):
    budget = get_budget_or_404(budget_id, can_record_spending)
    pa = owned_or_404(PersonalAssistant, pa_id, budget)
    form_class, model, action, values, message = SECTIONS[section]
    form = form_class(prefix=f"{section}-")  # five forms share the PA page: prefixes keep their ids apart
    if form.validate_on_submit():
        add_row(model, pa, values(form), current_user, action)
        return _saved(budget, pa, section, message)
    return _section_response(budget, pa, section, form)


@bp.route("/<int:pa_id>/pay", methods=["POST"])
@login_required
def pay(budget_id: int, pa_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    pa = owned_or_404(PersonalAssistant, pa_id, budget)
    if not pa.is_employed:
        abort(404)  # self-employed PAs are paid on invoice, recorded as ordinary payments
    form = forms.PayForm(plan_year=plan_year_for(budget.plan_year_start, today()), prefix="pay-")
    if form.validate_on_submit():
        if pa.line_id is None:
            form.gross.errors = ["Choose the budget line this PA’s pay comes from first (change their details)"]
            return _section_response(budget, pa, "pay", form)
        values = {"period_start": form.period_start.data, "period_end": form.period_end.data,
                  "hours": form.hours_value, "gross_pence": form.gross.pence, "net_pence": form.net.pence,
                  "paid_on": form.paid_on.data, **form.pence}
        lines = {"wages": pa.line, **employment_lines(_lines(budget))}
        try:
            saved = record_pay(pa, values, lines, current_user)
        except DuplicatePeriod as err:
            db.session.rollback()
            form.period_start.errors = [str(err)]
            return _section_response(budget, pa, "pay", form)
        return _saved(budget, pa, "pay", f"Pay of {format_pence(saved.gross_pence)} gross recorded: "
                                         f"{format_pence(saved.net_pence)} to {pa.name}, "
                                         f"{format_pence(saved.hmrc_pence)} to HMRC, "
                                         f"{format_pence(saved.pension_pence)} to the pension.")
    return _section_response(budget, pa, "pay", form)


@bp.route("/<int:pa_id>/pay/<int:pay_id>/void", methods=["GET", "POST"])
@login_required
def void_pay_record(budget_id: int, pa_id: int, pay_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    pa = owned_or_404(PersonalAssistant, pa_id, budget)
    record_ = db.session.scalar(select(PayRecord).where(PayRecord.id == pay_id, PayRecord.pa_id == pa.id))
    if record_ is None:
        abort(404)
    if record_.status != "active":
        flash("This pay record has already been voided.", "important")
        return redirect(url_for("employment.show", budget_id=budget.id, pa_id=pa.id) + "#pay", 303)
    form = forms.VoidPayForm()
    if form.validate_on_submit():
        void_pay(record_, form.reason.data.strip(), current_user)
        db.session.commit()
        flash("Pay record voided, with its payments.", "success")
        return redirect(url_for("employment.show", budget_id=budget.id, pa_id=pa.id) + "#pay", 303)
    return render_template("employment/void_pay.html", budget=budget, pa=pa, pay=record_, form=form)


# ---- the employer ------------------------------------------------------------------------------------

@bp.route("/employer", methods=["GET", "POST"])
@login_required
def employer(budget_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    emp = employment_for(budget.id, today())
    form = forms.EmployerForm()
    current = emp.employer
    if not form.is_submitted():
        form.allowance_claimed.data = emp.allowance_claimed
        if current is not None:
            for name in ("paye_reference", "hmrc_registered_on", "insurer", "policy_number", "insurance_renews_on",
                         "insurance_covers_delegated_tasks"):
                getattr(form, name).data = getattr(current, name)
            form.insurance_premium.data = pence_to_input(current.insurance_premium_pence or None)
            form.payroll_fee.data = pence_to_input(current.payroll_fee_pence_per_year or None)
    if form.validate_on_submit():
        values = {name: (getattr(form, name).data.strip() if isinstance(getattr(form, name).data, str)
                         else getattr(form, name).data)
                  for name in ("paye_reference", "hmrc_registered_on", "insurer", "policy_number",
                               "insurance_renews_on")}
        values["insurance_covers_delegated_tasks"] = bool(form.insurance_covers_delegated_tasks.data)
        values["insurance_premium_pence"] = form.premium_pence
        values["payroll_fee_pence_per_year"] = form.payroll_pence
        save_employer(budget, values, bool(form.allowance_claimed.data), today(), current_user)
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
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            form.file.errors = ["Select a CSV file"]
        else:
            result = _import(budget, upload.stream.read(1024 * 1024 + 1))
            if isinstance(result, str):
                form.file.errors = [result]
            elif result[0]:
                problems = result[0]
                form.file.errors = [f"The file has {len(problems)} problem{'s' if len(problems) != 1 else ''}. "
                                    "Nothing was imported. Correct the file and try again."]
            else:
                created, skipped = result[1], result[2]
                flash(f"{created} pay record{'s' if created != 1 else ''} imported"
                      + (f"; {skipped} already recorded and left as they were" if skipped else "") + ".", "success")
                return redirect(url_for("employment.index", budget_id=budget.id), 303)
    return render_template("employment/import.html", budget=budget, form=form, problems=problems)


def _import(budget, content: bytes):
    """All or nothing: every row is checked and saved in one transaction, or none is."""
    pas = db.session.scalars(select(PersonalAssistant).where(PersonalAssistant.budget_id == budget.id)).all()
    try:
        parsed = parse(content, {pa.name.strip().lower(): pa for pa in pas})
    except PayrollFileError as err:
        return str(err)
    if parsed.errors:
        return parsed.errors, 0, 0
    lines = employment_lines(_lines(budget))
    existing = {(r.pa_id, r.period_start): r for r in db.session.scalars(
        select(PayRecord).where(PayRecord.budget_id == budget.id, PayRecord.status == "active"))}
    errors, created, skipped = [], 0, 0
    for row in parsed.rows:
        pa, values = row.pa, row.values
        same = existing.get((pa.id, values["period_start"]))
        if same is not None:
            if all(getattr(same, key) == value for key, value in values.items()):
                skipped += 1
                continue
            errors.append(f"Row {row.line_no}: pay for {pa.name} from {values['period_start']:%-d %B %Y} is already "
                          "recorded with different figures")
            continue
        if pa.line_id is None:
            errors.append(f"Row {row.line_no}: choose the budget line {pa.name}’s pay comes from first")
            continue
        plan_year = plan_year_for(budget.plan_year_start, today())
        if values["paid_on"] > today() or not plan_year.contains(values["paid_on"]):
            errors.append(f"Row {row.line_no}: the date paid must be in this plan year and not in the future")
            continue
        try:
            record_pay(pa, values, {"wages": pa.line, **lines}, current_user, source="csv")
        except DuplicatePeriod as err:
            errors.append(f"Row {row.line_no}: {err}")
            continue
        created += 1
    if errors:
        db.session.rollback()
        return errors, 0, 0
    db.session.commit()
    current_app.logger.info("payroll import: %s created, %s skipped for budget %s", created, skipped, budget.id)
    return [], created, skipped
