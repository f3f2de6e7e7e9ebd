"""Data out: the spending in any span as a CSV or a printable page (the evidence a council asks for), and all of
a budget's data as one ZIP for the person (or their case manager on their behalf)."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..audit import record
from ..auth.models import Role
from ..budget.access import get_budget_or_404
from ..dates import plan_year_for
from ..extensions import db
from ..partials import wants_partial
from ..spending.models import SpendingEntry
from ..spreadsheet import text_cell
from ..timeutil import today
from . import former, services
from .forms import AskForm, SpanForm
from .models import ExportRequest, ExportStatus

bp = Blueprint("exports", __name__, url_prefix="/budgets/<int:budget_id>")


def may_ask(user, budget) -> bool:
    """The person, those acting for them, and their case manager on their behalf."""
    return user.role in (Role.HOLDER, Role.REPRESENTATIVE, Role.CASE_MANAGER)


# ---- the spending in a span ----------------------------------------------------------------------------

def _entries(budget_id: int, start, end) -> list[SpendingEntry]:
    return list(db.session.scalars(
        select(SpendingEntry).options(joinedload(SpendingEntry.line), joinedload(SpendingEntry.receipt))
        .where(SpendingEntry.budget_id == budget_id, SpendingEntry.paid_on.between(start, end))
        .order_by(SpendingEntry.paid_on, SpendingEntry.id)))


def _totals(entries: list[SpendingEntry]) -> list[tuple[str, int]]:
    by_line: dict[str, int] = {}
    for entry in entries:
        if entry.status == "active":
            by_line[entry.line.item] = by_line.get(entry.line.item, 0) + entry.amount_pence
    return sorted(by_line.items())


@bp.route("/spending/download")
@login_required
def spending(budget_id: int):
    budget = get_budget_or_404(budget_id)
    form = SpanForm(request.args)
    year = plan_year_for(budget.plan_year_start, today())
    if not request.args:
        form.starts_on.data, form.ends_on.data = year.start, min(year.end, today())
        return render_template("exports/spending.html", budget=budget, form=form, entries=None)
    if not form.validate():
        return render_template("exports/spending.html", budget=budget, form=form, entries=None), 200
    entries = _entries(budget.id, form.starts_on.data, form.ends_on.data)
    totals = _totals(entries)
    if request.args.get("format") == "csv":
        record("spending.downloaded", budget, actor=current_user, budget_id=budget.id,
               starts_on=form.starts_on.data, ends_on=form.ends_on.data, rows=len(entries))
        db.session.commit()
        return _csv(budget, form.starts_on.data, form.ends_on.data, entries, totals)
    return render_template("exports/spending.html", budget=budget, form=form, entries=entries, totals=totals,
                           total=sum(pence for _, pence in totals), starts_on=form.starts_on.data,
                           ends_on=form.ends_on.data)


def _csv(budget, start, end, entries, totals) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Date paid", "Paid to", "Budget line", "Category", "Amount (£)", "Receipt", "Status",
                     "Why changed", "Note"])
    for e in entries:
        writer.writerow([e.paid_on.isoformat(), text_cell(e.payee), text_cell(e.line.item), text_cell(e.category),
                         f"{e.amount_pence / 100:.2f}", "yes" if e.receipt_id else "no", e.status,
                         text_cell(e.change_reason), text_cell(e.note)])
    writer.writerow([])
    for item, pence in totals:
        writer.writerow(["", "", text_cell(item), "Total", f"{pence / 100:.2f}", "", "", "", ""])
    writer.writerow(["", "", "All lines", "Total", f"{sum(p for _, p in totals) / 100:.2f}", "", "", "", ""])
    return _csv_response(out, f"spending-{budget.id}-{start:%Y%m%d}-{end:%Y%m%d}.csv")


def _csv_response(out: io.StringIO, name: str, **headers) -> Response:
    """A CSV download (with a byte order mark, so spreadsheet programs read it as UTF-8)."""
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Content-Type-Options": "nosniff", **headers})


# ---- all the data ------------------------------------------------------------------------------------------

@bp.route("/export", methods=["GET", "POST"])
@login_required
def show(budget_id: int):
    budget = get_budget_or_404(budget_id, may_ask)
    form = AskForm()
    if form.validate_on_submit():
        asked = services.ask(budget, current_user)
        if services.is_small(budget.id):
            services.make(asked)  # a small budget: ready now, no need to wait for the worker
        db.session.commit()
        return redirect(url_for("exports.show", budget_id=budget.id), 303)
    latest = services.latest(budget.id, current_user.id)
    template = "exports/_status.html" if wants_partial() else "exports/export.html"
    return render_template(template, budget=budget, form=form, latest=latest, days=services.EXPORT_DAYS)


@bp.route("/export/<int:request_id>.zip")
@login_required
def download(budget_id: int, request_id: int):
    budget = get_budget_or_404(budget_id, may_ask)
    found = db.session.scalar(select(ExportRequest).where(
        ExportRequest.id == request_id, ExportRequest.budget_id == budget.id,
        ExportRequest.requested_by_id == current_user.id))  # only for the person who asked
    if found is None or found.status != ExportStatus.READY:
        abort(404)
    content = services.content_of(found)
    if content is None:
        abort(404)
    record("export.downloaded", found, actor=current_user, budget_id=budget.id)
    db.session.commit()
    name = f"pbportal-{budget.id}-{found.ready_at:%Y%m%d}.zip"
    return Response(content, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})



# ---- a provider's time holding an account that has moved on -------------------------------------------------

def _held_before_or_404(budget_id: int):
    spans = former.handovers_from(current_user, budget_id)
    if not spans:
        abort(404)
    return spans


@bp.route("/held-before")
@login_required
def held_before(budget_id: int):
    held = former.held_time(_held_before_or_404(budget_id), request.args.get("page", 1, type=int))
    return render_template("exports/held_before.html", held=held, budget=held.budget,
                           **held.payments.context())


@bp.route("/held-before.csv")
@login_required
def held_before_csv(budget_id: int):
    spans = _held_before_or_404(budget_id)
    budget = spans[0].budget
    entries = list(db.session.scalars(former.payments_query(budget.id, spans)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Record", "Date", "Paid to or from", "Budget line", "Amount (£)", "Status", "Why changed",
                     "Note"])
    for e in entries:
        writer.writerow(["Payment", e.paid_on.isoformat(), text_cell(e.payee), text_cell(e.line.item),
                         f"{e.amount_pence / 100:.2f}", e.status, text_cell(e.change_reason), text_cell(e.note)])
    for m in former.money_in_of(budget.id, spans):
        writer.writerow(["Money in", m.received_on.isoformat(), text_cell(m.source_label), "",
                         f"{m.amount_pence / 100:.2f}", m.status, text_cell(m.change_reason), text_cell(m.note)])
    record("former.downloaded", budget, actor=current_user, budget_id=budget.id, rows=len(entries))
    db.session.commit()
    name = f"held-{budget.id}-{min(h.held_from for h in spans):%Y%m%d}-{max(h.held_until for h in spans):%Y%m%d}.csv"
    return _csv_response(out, name, **{"Cache-Control": "private, no-store"})
