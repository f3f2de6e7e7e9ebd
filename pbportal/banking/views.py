"""Managed-account providers import each account's bank statements."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound

from ..budget.access import get_budget_or_404, holds_the_account
from ..extensions import db
from ..forms import ActionForm
from ..pagination import page_of
from ..storage import upload_location
from .forms import LayoutForm, UploadForm
from .models import Statement, StatementLine
from .services import discard_pending, import_statement, keep_upload, pending, preview, save_layout, saved_layout
from .statement_csv import TOO_LARGE, StatementError, first_rows, guess_by_content, guess_layout, read_table

bp = Blueprint("banking", __name__, url_prefix="/budgets/<int:budget_id>/statements")


@bp.route("")
@login_required
def index(budget_id: int):
    budget = get_budget_or_404(budget_id, holds_the_account)
    found = page_of(select(StatementLine).where(StatementLine.budget_id == budget.id)
                    .order_by(StatementLine.line_date.desc(), StatementLine.id.desc()),
                    request.args.get("page", 1, type=int))
    statements = db.session.scalars(select(Statement).where(Statement.budget_id == budget.id)
                                    .order_by(Statement.imported_at.desc()).limit(10)).all()
    return render_template("banking/index.html", budget=budget, lines=found.items, statements=statements,
                           **found.context())


@bp.route("/import", methods=["GET", "POST"])
@login_required
def upload(budget_id: int):
    budget = get_budget_or_404(budget_id, holds_the_account)
    form = UploadForm()
    if form.validate_on_submit():
        token = keep_upload(upload_location(), budget.id, form.file.data.filename, form.content)
        return redirect(url_for("banking.check", budget_id=budget.id, token=token), 303)
    return render_template("banking/upload.html", budget=budget, form=form)


def upload_too_large(budget_id: int | None):
    """The upload form again, with the reason on the file field, for a request larger than the app reads at all
    (MAX_CONTENT_LENGTH, so the request's form cannot be read). None when the user may not import here: the
    caller then shows the general page, which says nothing about the budget."""
    if budget_id is None or not current_user.is_authenticated:
        return None
    try:
        budget = get_budget_or_404(budget_id, holds_the_account)
    except NotFound:
        return None
    form = UploadForm(formdata=None)  # reading the request's form would refuse it again
    form.file.errors = [TOO_LARGE]
    return render_template("banking/upload.html", budget=budget, form=form)


def _pending_or_404(budget, token):
    held = pending(upload_location(), budget.id, token)
    if held is None:
        abort(404)
    return held


@bp.route("/import/<token>/columns", methods=["GET", "POST"])
@login_required
def columns(budget_id: int, token: str):
    """The first time an account's file is seen (or its layout changed): say which column holds what."""
    budget = get_budget_or_404(budget_id, holds_the_account)
    content, _ = _pending_or_404(budget, token)
    try:
        header, body = read_table(content)
    except StatementError as err:
        flash(str(err), "important")
        return redirect(url_for("banking.upload", budget_id=budget.id), 303)
    form = LayoutForm(header=header)
    if not form.is_submitted():
        form.preselect(saved_layout(budget.id) or guess_layout(header) or guess_by_content(header, body))
    if form.validate_on_submit():
        save_layout(budget.id, form.layout, current_user)
        db.session.commit()
        return redirect(url_for("banking.check", budget_id=budget.id, token=token), 303)
    return render_template("banking/columns.html", budget=budget, form=form, header=header, token=token,
                           sample=first_rows(body), named=not header[0].startswith("Column 1") if header else True)


@bp.route("/import/<token>", methods=["GET", "POST"])
@login_required
def check(budget_id: int, token: str):
    budget = get_budget_or_404(budget_id, holds_the_account)
    content, filename = _pending_or_404(budget, token)
    account = (request.values.get("account") or "")[:200]
    leave_out = request.values.get("leave_out_closed") == "1"
    try:
        result = preview(budget.id, content, account, leave_out)
    except StatementError as err:
        discard_pending(upload_location(), token)
        flash(str(err), "important")
        return redirect(url_for("banking.upload", budget_id=budget.id), 303)
    if result.layout is None:
        return redirect(url_for("banking.columns", budget_id=budget.id, token=token), 303)
    form = ActionForm()
    if form.validate_on_submit() and result.can_import:
        try:
            statement = import_statement(budget.id, filename, content, current_user, checked=result)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            flash("Some of these lines were imported by someone else a moment ago. Check the file again.",
                  "important")
            return redirect(url_for("banking.check", budget_id=budget.id, token=token, account=account or None,
                                    leave_out_closed="1" if leave_out else None), 303)
        discard_pending(upload_location(), token)
        flash(f"{statement.lines_imported} line{'s' if statement.lines_imported != 1 else ''} imported"
              + (f"; {statement.lines_already_held} were already held and left as they were"
                 if statement.lines_already_held else "") + ".", "success")
        return redirect(url_for("banking.index", budget_id=budget.id), 303)
    return render_template("banking/check.html", budget=budget, result=result, form=form, token=token,
                           filename=filename, account=result.parsed.account, leave_out=leave_out)
