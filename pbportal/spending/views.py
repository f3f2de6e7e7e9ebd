"""Recording payments, the spending list, corrections, voids and receipts."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..budget.access import can_record_spending, get_budget_or_404, owned_or_404
from ..budget.locks import PeriodLocked
from ..budget.services import current_plan, plan_lines
from ..dates import month_bounds, months_in, plan_year_for, plan_years
from ..extensions import db
from ..money import format_pence
from ..partials import render, wants_partial
from ..storage import upload_location
from ..timeutil import today
from .figures import budget_figures
from .forms import VoidForm, correction_form_for, payment_form_for
from .models import Receipt, SpendingEntry
from .receipts import ACCEPT, file_response, read
from .services import (
    EntryFilter,
    PaymentRefused,
    already_recorded,
    correct_payment,
    entry_history,
    list_entries,
    payment_details,
    payment_warnings,
    record_payment,
    save_with_receipt,
    void_payment,
)
from .summary import spending_summary

bp = Blueprint("spending", __name__, url_prefix="/budgets/<int:budget_id>")


def _entry_or_404(budget, entry_id: int) -> SpendingEntry:
    return owned_or_404(SpendingEntry, entry_id, budget, joinedload(SpendingEntry.line),
                        joinedload(SpendingEntry.receipt), joinedload(SpendingEntry.created_by),
                        joinedload(SpendingEntry.changed_by))


def _swap_title(budget) -> str:
    """The title of the page an htmx form was sent from, so a swap can add or drop the 'Error: ' prefix."""
    try:
        sent_from = urlsplit(request.headers.get("HX-Current-URL", "")).path
    except ValueError:  # not an address at all: whatever sent it, answer as for the budget page
        sent_from = ""
    if sent_from == url_for("spending.new_payment", budget_id=budget.id):
        return "Record a payment"
    return f"{budget.person_name}’s budget"


def _details(budget, form):
    """What the form says was paid (PaymentRefused, naming the field, if the plan does not allow it)."""
    return payment_details(budget, form.chosen_line, form.paid_on.data, form.amount.pence, form.payee.data,
                           form.note.data)


@bp.route("/payments/new", methods=["GET", "POST"])
@login_required
def new_payment(budget_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    form = payment_form_for(plan_year_for(budget.plan_year_start, today()), plan_lines(current_plan(budget)),
                            submitted=request.method == "POST", line_id=request.args.get("line", 0, type=int))
    warnings = {}
    if form.validate_on_submit():
        key, refused = form.idempotency_key.data, False
        try:
            details = _details(budget, form)
            confirmed = set(form.confirmed.data.split(","))
            warnings = {k: v for k, v in payment_warnings(budget.id, details, _left_on(budget, details.line)).items()
                        if k not in confirmed}
            # Looked for after the warnings: a twin request that committed meanwhile is found here, not
            # mistaken for "the same payment recorded already".
            if already_recorded(budget.id, key) is not None:
                warnings = {}
            elif not warnings:
                save_with_receipt(budget.id, form.checked_receipt, current_user, upload_location(),
                                  lambda receipt: record_payment(budget, details, current_user, receipt, key))
        except PaymentRefused as err:
            form[err.field].errors, refused = [str(err)], True
        except PeriodLocked as err:
            form.paid_on.errors, refused = [str(err)], True
        except IntegrityError:  # the same form sent twice at once: the other request recorded it
            db.session.rollback()
            warnings = {}
        if not refused and warnings:  # asked once more, with what they confirm carried in the form
            form.confirmed.data = ",".join(sorted((set(form.confirmed.data.split(",")) | set(warnings)) - {""}))
        elif not refused:
            message = (f"{format_pence(details.amount_pence)} paid to {details.payee} recorded "
                       f"against {details.line.item}.")
            if not wants_partial():
                flash(message, "success")
                return redirect(url_for("homes.budget", budget_id=budget_id) + "#recent-spending", 303)
            return render_template("spending/_payment_recorded.html", message=message, accept=ACCEPT,
                                   swap_title=_swap_title(budget), **spending_summary(budget, current_user))
    return render("spending/new_payment.html", "spending/_payment_form.html", accept=ACCEPT, budget=budget,
                  form=form, warnings=warnings, swap_title=_swap_title(budget) if wants_partial() else None)


def _left_on(budget, line) -> int:
    figures = budget_figures(budget, today())
    found = figures.for_line(line.id)
    return found.left_pence if found is not None else line.annual_pence


def _filter_from_args(budget, lines) -> tuple[EntryFilter, list]:
    years = plan_years(budget.plan_year_start, today())
    chosen = next((y for y in years if y.start.isoformat() == request.args.get("year")), years[0])
    line_id = request.args.get("line", 0, type=int)
    line = next((line for line in lines if line.id == line_id), None)
    month = request.args.get("month", "")
    months = {m.strftime("%Y-%m") for m in months_in(chosen)}
    flt = EntryFilter(
        plan_year=chosen,
        line_id=line.id if line else None,
        lineage=line.lineage if line else None,
        month=month if month in months else None,
        include_changed=request.args.get("show") == "all",
    )
    return flt, years


@bp.route("/spending")
@login_required
def index(budget_id: int):
    budget = get_budget_or_404(budget_id)
    lines = plan_lines(current_plan(budget))
    flt, years = _filter_from_args(budget, lines)
    page = request.args.get("page", 1, type=int)
    found, total_pence, active_count = list_entries(budget.id, flt, page)
    return render(
        "spending/index.html", "spending/_results.html",
        budget=budget, lines=lines, flt=flt, years=years, rows=found.items, **found.context(),
        total_pence=total_pence, active_count=active_count, months=months_in(flt.plan_year),
        can_record=can_record_spending(current_user, budget),
        line_label=next((line.item for line in lines if line.id == flt.line_id), ""),
        month_label=f"{month_bounds(flt.month)[0]:%B %Y}" if flt.month else "",
    )


@bp.route("/spending/<int:entry_id>")
@login_required
def show(budget_id: int, entry_id: int):
    budget = get_budget_or_404(budget_id)
    entry = _entry_or_404(budget, entry_id)
    return render_template(
        "spending/show.html", budget=budget, entry=entry, history=entry_history(entry),
        can_change=entry.is_active and can_record_spending(current_user, budget),
    )


@bp.route("/spending/<int:entry_id>/correct", methods=["GET", "POST"])
@login_required
def correct(budget_id: int, entry_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    entry = _entry_or_404(budget, entry_id)
    if not entry.is_active:
        flash("This payment has already been changed, so it cannot be corrected again.", "important")
        return redirect(url_for("spending.show", budget_id=budget.id, entry_id=entry.id), 303)
    form = correction_form_for(entry, plan_year_for(budget.plan_year_start, today()), plan_lines(current_plan(budget)),
                               submitted=request.method == "POST")
    if form.validate_on_submit():
        try:
            details = _details(budget, form)
            replacement = save_with_receipt(
                budget.id, form.checked_receipt, current_user, upload_location(),
                lambda receipt: correct_payment(entry, details, form.reason.data, current_user, receipt))
        except PaymentRefused as err:
            form[err.field].errors = [str(err)]
        except PeriodLocked as err:
            form.paid_on.errors = [str(err)]
        else:
            flash("Payment corrected. The original is kept in its history.", "success")
            return redirect(url_for("spending.show", budget_id=budget.id, entry_id=replacement.id), 303)
    return render_template("spending/correct.html", budget=budget, entry=entry, form=form, accept=ACCEPT)


@bp.route("/spending/<int:entry_id>/void", methods=["GET", "POST"])
@login_required
def void(budget_id: int, entry_id: int):
    budget = get_budget_or_404(budget_id, can_record_spending)
    entry = _entry_or_404(budget, entry_id)
    if not entry.is_active:
        flash("This payment has already been changed, so it cannot be voided.", "important")
        return redirect(url_for("spending.show", budget_id=budget.id, entry_id=entry.id), 303)
    form = VoidForm()
    if form.validate_on_submit():
        void_payment(entry, form.reason.data, current_user)
        db.session.commit()
        flash(f"Payment of {format_pence(entry.amount_pence)} to {entry.payee} voided. "
              "It stays in the history but no longer counts.", "success")
        return redirect(url_for("homes.budget", budget_id=budget.id), 303)
    return render_template("spending/void.html", budget=budget, entry=entry, form=form)


@bp.route("/receipts/<int:receipt_id>")
@login_required
def receipt(budget_id: int, receipt_id: int):
    budget = get_budget_or_404(budget_id)
    stored = owned_or_404(Receipt, receipt_id, budget)
    content = read(upload_location(), stored.storage_key)
    if content is None:
        abort(404)
    return file_response(content, stored.content_type, stored.original_name, request.args.get("download") == "1")
