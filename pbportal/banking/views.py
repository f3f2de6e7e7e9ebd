"""Managed-account providers import each account's bank statements."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovSubmitInput
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound
from wtforms import SelectField, SubmitField

from ..budget.access import get_budget_or_404, holds_the_account
from ..extensions import db
from ..pagination import page_of
from .models import Statement, StatementLine
from .services import discard_pending, import_statement, keep_upload, pending, preview, save_layout
from .statement_csv import MAX_BYTES, TOO_LARGE, Layout, StatementError, decode, find_header, rows_of
from .statement_ofx import is_ofx, parse_ofx

bp = Blueprint("banking", __name__, url_prefix="/budgets/<int:budget_id>/statements")



class UploadForm(FlaskForm):
    file = FileField("Bank statement (CSV or OFX)", widget=GovFileInput(),
                     description="The account’s transactions as the bank’s online banking exports them: CSV, or "
                                 "OFX (sometimes called Money or Quicken format). Up to 10 MB.")
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class LayoutForm(FlaskForm):
    date = SelectField("Date", widget=GovSelect(), validate_choice=False)
    description = SelectField("Description", widget=GovSelect(), validate_choice=False)
    amount = SelectField("Amount (one column, money out negative)", widget=GovSelect(), validate_choice=False)
    paid_out = SelectField("Paid out (if separate)", widget=GovSelect(), validate_choice=False)
    paid_in = SelectField("Paid in (if separate)", widget=GovSelect(), validate_choice=False)
    balance = SelectField("Balance (optional)", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Use these columns", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    submit = SubmitField("Import these lines", widget=GovSubmitInput())


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
        upload_ = form.file.data
        if not upload_ or not getattr(upload_, "filename", ""):
            form.file.errors = ["Select a CSV file"]
        else:
            content = upload_.stream.read(MAX_BYTES + 1)
            try:
                if len(content) > MAX_BYTES:
                    raise StatementError(TOO_LARGE)
                parse_ofx(content) if is_ofx(content) else decode(content)
            except StatementError as err:
                form.file.errors = [str(err)]
            else:
                token = keep_upload(current_app.config["UPLOAD_DIR"], budget.id, upload_.filename, content)
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
    held = pending(current_app.config["UPLOAD_DIR"], budget.id, token)
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
        rows = rows_of(decode(content))
        header = [cell.strip() for cell in rows[find_header(rows)]]
    except StatementError as err:
        flash(str(err), "important")
        return redirect(url_for("banking.upload", budget_id=budget.id), 303)
    form = LayoutForm()
    choices = [("", "Not in this file")] + [(name, name) for name in header if name]
    for field in (form.date, form.description, form.amount, form.paid_out, form.paid_in, form.balance):
        field.choices = choices
    if form.validate_on_submit():
        layout = Layout(form.date.data or "", form.description.data or "", form.amount.data or "",
                        form.paid_out.data or "", form.paid_in.data or "", form.balance.data or "")
        problems = layout.problems()
        if not problems:
            save_layout(budget.id, layout, current_user)
            db.session.commit()
            return redirect(url_for("banking.check", budget_id=budget.id, token=token), 303)
        target = {"date": form.date, "description": form.description}
        for problem in problems:
            field = next((f for key, f in target.items() if key in problem), form.amount)
            field.errors = list(field.errors) + [problem]
    return render_template("banking/columns.html", budget=budget, form=form, header=header, token=token)


@bp.route("/import/<token>", methods=["GET", "POST"])
@login_required
def check(budget_id: int, token: str):
    budget = get_budget_or_404(budget_id, holds_the_account)
    content, filename = _pending_or_404(budget, token)
    try:
        result = preview(budget.id, content)
    except StatementError as err:
        discard_pending(current_app.config["UPLOAD_DIR"], token)
        flash(str(err), "important")
        return redirect(url_for("banking.upload", budget_id=budget.id), 303)
    if result.layout is None:
        return redirect(url_for("banking.columns", budget_id=budget.id, token=token), 303)
    form = ConfirmForm()
    if form.validate_on_submit() and result.can_import:
        try:
            statement = import_statement(budget.id, filename, content, current_user, checked=result)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            flash("Some of these lines were imported by someone else a moment ago. Check the file again.",
                  "important")
            return redirect(url_for("banking.check", budget_id=budget.id, token=token), 303)
        discard_pending(current_app.config["UPLOAD_DIR"], token)
        flash(f"{statement.lines_imported} line{'s' if statement.lines_imported != 1 else ''} imported"
              + (f"; {statement.lines_already_held} were already held and left as they were"
                 if statement.lines_already_held else "") + ".", "success")
        return redirect(url_for("banking.index", budget_id=budget.id), 303)
    return render_template("banking/check.html", budget=budget, result=result, form=form, token=token,
                           filename=filename)
