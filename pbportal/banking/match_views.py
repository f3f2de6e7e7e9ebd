"""Matching a managed account's statement lines to the plan, one by one or in bulk, with or without htmx."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..budget.access import get_budget_or_404, holds_the_account, owned_or_404
from ..budget.locks import PeriodLocked
from ..budget.models import INCOME_SOURCES, Budget
from ..extensions import db
from ..pagination import page_of
from ..partials import wants_partial
from . import jobs, matching
from .forms import MAX_PARTS, IncomeMatchForm, LineMatchForm, ReasonForm, SplitForm
from .models import LineStatus, StatementLine

bp = Blueprint("matching", __name__, url_prefix="/budgets/<int:budget_id>/matching")


def _version() -> int:
    return request.form.get("version", 0, type=int)


def _row_context(budget, lines, plan=None):
    plan = plan or matching.PlanIndex.load(budget.id)
    return {"budget": budget, "plan": plan, "suggested": matching.suggestions(budget, lines, plan),
            "matched_to": matching.matched_to([ln.id for ln in lines if ln.is_matched]),
            "sources": INCOME_SOURCES, "max_parts": MAX_PARTS}


def _page_context(budget, show: str, page: int):
    where = [StatementLine.budget_id == budget.id]
    if show != "all":
        where.append(StatementLine.status == LineStatus.UNMATCHED)
    found = page_of(select(StatementLine).where(*where).order_by(StatementLine.line_date, StatementLine.id), page)
    return dict(_row_context(budget, found.items), lines=found.items, **found.context(), show=show,
                totals=matching.match_counts(budget.id), job=jobs.unfinished(budget.id))


@bp.route("")
@login_required
def index(budget_id: int):
    budget = get_budget_or_404(budget_id, holds_the_account)
    show = "all" if request.args.get("show") == "all" else "todo"
    context = _page_context(budget, show, request.args.get("page", 1, type=int))
    template = "banking/_match_list.html" if wants_partial() else "banking/matching.html"
    return render_template(template, **context)


def _list_on_screen(budget) -> dict | None:
    """The page of the list the htmx request came from (its HX-Current-URL), to count its lines again; None if
    it came from elsewhere."""
    try:
        url = urlsplit(request.headers.get("HX-Current-URL", ""))
        query = parse_qs(url.query)
    except ValueError:
        return None
    if url.path != url_for("matching.index", budget_id=budget.id):
        return None
    show = "all" if query.get("show", [""])[0] == "all" else "todo"
    page = query.get("page", ["1"])[0]
    context = _page_context(budget, show, int(page) if page.isdigit() and len(page) < 10 else 1)
    return {key: context[key] for key in ("lines", "suggested", "count", "page", "pages", "show", "job")}


def _line_or_404(budget, line_id: int) -> StatementLine:
    return owned_or_404(StatementLine, line_id, budget)


def _respond(budget, line, *, mode="view", errors=None, values=None, message=None, kind="success"):
    """The row again: to htmx, the row and the totals out-of-band; without JavaScript, after a change, back to
    the list (303); with errors or to split, set aside or undo, a page for this one line."""
    db.session.refresh(line)
    errors = errors or {}
    context = dict(_row_context(budget, [line]), line=line, mode=mode, errors=errors, values=values or {},
                   message=message, message_kind=kind)
    if wants_partial():
        return render_template("banking/_match_response.html", totals=matching.match_counts(budget.id),
                               summary=_list_on_screen(budget), **context)
    if mode == "view" and not errors:
        if message:
            flash(message, kind)
        back = request.form.get("back") or ""
        if not back.startswith(f"/budgets/{budget.id}/matching"):
            back = url_for("matching.index", budget_id=budget.id)
        return redirect(back, 303)
    return render_template("banking/match_line.html", **context)


def _attempt(budget, line, action, message: str, mode="view", values=None):
    """Run a matching action; a stale line (someone else got there first) or a closed period is explained,
    never a 500, and nothing is half-saved."""
    try:
        action()
        db.session.commit()
        return _respond(budget, line, message=message)
    except matching.StaleLine as err:
        db.session.rollback()
        return _respond(budget, line, message=str(err), kind="important")
    except ValueError as err:  # PeriodLocked too
        db.session.rollback()
        return _respond(budget, line, mode=mode, errors={"line": str(err)}, values=values)


@bp.route("/<int:line_id>/accept", methods=["POST"])
@login_required
def accept(budget_id: int, line_id: int):
    budget = get_budget_or_404(budget_id, holds_the_account)
    line = _line_or_404(budget, line_id)
    if line.version != _version() or not line.is_unmatched:  # dealt with since the page was opened
        return _respond(budget, line, message=str(matching.StaleLine()), kind="important")
    suggestion = matching.suggestions(budget, [line]).get(line.id)
    if suggestion is None:
        return _respond(budget, line, errors={"line": "There is no suggestion for this line: choose a budget line"})
    return _attempt(budget, line, lambda: matching.apply(budget, line, _version(), suggestion, current_user),
                    f"{line.description} matched to {suggestion.label}.")


@bp.route("/<int:line_id>/match", methods=["POST"])
@login_required
def match(budget_id: int, line_id: int):
    """Match to the budget line chosen (money out) or the kind of money in chosen (money in)."""
    budget = get_budget_or_404(budget_id, holds_the_account)
    line = _line_or_404(budget, line_id)
    if line.is_money_in:
        form = IncomeMatchForm()
    else:
        form = LineMatchForm(lines=matching.PlanIndex.load(budget.id).lines_on(line.line_date))
    values = {"target": form.target.data}
    if not form.validate():
        return _respond(budget, line, errors=form.row_errors, values=values)
    if line.is_money_in:
        source = form.target.data
        return _attempt(budget, line, lambda: matching.match_income(budget, line, _version(), source, current_user),
                        f"{line.description} recorded as money in: {INCOME_SOURCES[source].lower()}.", values=values)
    chosen = form.chosen_line
    return _attempt(budget, line, lambda: matching.match_to_lines(
        budget, line, _version(), [(chosen, -line.amount_pence)], form.payee.data, current_user),
        f"{line.description} matched to {chosen.item}.", values=values)


@bp.route("/<int:line_id>/split", methods=["GET", "POST"])
@login_required
def split(budget_id: int, line_id: int):
    """One payment out across several budget lines: each part a line and an amount, adding up to the whole."""
    budget = get_budget_or_404(budget_id, holds_the_account)
    line = _line_or_404(budget, line_id)
    if line.is_money_in:
        abort(404)
    if not line.is_unmatched:  # someone else matched or set it aside since the page was opened
        return _respond(budget, line, message=str(matching.StaleLine()), kind="important")
    if request.method == "GET":
        count = min(max(request.args.get("parts", 2, type=int), 2), MAX_PARTS)
        return _respond(budget, line, mode="split", values={"parts": [("", "")] * count})
    form = SplitForm(lines=matching.PlanIndex.load(budget.id).lines_on(line.line_date), whole_pence=-line.amount_pence)
    values = {"parts": form.entered or [("", "")] * 2, "payee": form.payee.data}
    if not form.validate():
        return _respond(budget, line, mode="split", errors=form.row_errors, values=values)
    return _attempt(budget, line, lambda: matching.match_to_lines(
        budget, line, _version(), form.parts, form.payee.data, current_user),
        f"{line.description} split across {len(form.parts)} budget lines.", mode="split", values=values)


def _reason_action(budget_id, line_id, mode, action, done):
    budget = get_budget_or_404(budget_id, holds_the_account)
    line = _line_or_404(budget, line_id)
    if request.method == "GET":
        return _respond(budget, line, mode=mode)
    form = ReasonForm()
    values = {"reason": form.reason.data}
    if not form.validate():
        return _respond(budget, line, mode=mode, errors=form.row_errors, values=values)
    return _attempt(budget, line, lambda: action(budget, line, _version(), form.reason.data, current_user),
                    done(line), mode=mode, values=values)


@bp.route("/<int:line_id>/set-aside", methods=["GET", "POST"])
@login_required
def set_aside(budget_id: int, line_id: int):
    return _reason_action(budget_id, line_id, "set_aside", matching.set_aside,
                          lambda line: f"{line.description} set aside: not for the plan.")


@bp.route("/<int:line_id>/undo", methods=["GET", "POST"])
@login_required
def undo(budget_id: int, line_id: int):
    return _reason_action(budget_id, line_id, "undo", matching.undo,
                          lambda line: f"{line.description} is back on the list to match.")


@bp.route("/accept", methods=["POST"])
@login_required
def accept_many(budget_id: int):
    """Accept the suggestions ticked (each 'line id:version'), all or none."""
    budget = get_budget_or_404(budget_id, holds_the_account)
    chosen = []
    field = "every" if request.args.get("every") else "line"
    for value in request.form.getlist(field)[:500]:
        line_id, _, version = value.partition(":")
        if line_id.isdigit() and version.isdigit():
            chosen.append((int(line_id), int(version)))
    back = url_for("matching.index", budget_id=budget.id, page=request.form.get("page", 1, type=int))
    if not chosen:
        flash("Select the suggestions to accept.", "important")
        return redirect(back, 303)
    try:
        count = matching.accept_all(budget, chosen, current_user)
        db.session.commit()
    except (matching.StaleLine, PeriodLocked, ValueError) as err:
        db.session.rollback()
        flash(f"Nothing was matched. {err}", "important")
        return redirect(back, 303)
    flash(f"{count} suggestion{'s' if count != 1 else ''} accepted.", "success")
    return redirect(back, 303)


@bp.route("/accept-everything", methods=["POST"])
@login_required
def accept_everything(budget_id: int):
    """Ask the worker to accept every suggestion on every line still to match (all pages): one job at a time."""
    budget = get_budget_or_404(budget_id, holds_the_account)
    db.session.execute(select(Budget.id).where(Budget.id == budget.id).with_for_update())  # one job, not two
    job = jobs.ask(budget, current_user)
    db.session.commit()
    return redirect(url_for("matching.job", budget_id=budget.id, job_id=job.id), 303)


@bp.route("/jobs/<int:job_id>")
@login_required
def job(budget_id: int, job_id: int):
    """How far the worker has got: the page refreshes itself with htmx while it works; without JavaScript, a
    link does."""
    budget = get_budget_or_404(budget_id, holds_the_account)
    found = owned_or_404(jobs.MatchJob, job_id, budget)
    template = "banking/_job_progress.html" if wants_partial() else "banking/job.html"
    return render_template(template, budget=budget, job=found)
