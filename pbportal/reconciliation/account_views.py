"""A managed account as its holder sees it: the balance on the bank's statements and the books, the periods
reconciled, each statement line and what the provider matched it to. The holder (or their representative)
can add a note or a receipt to a line, or ask the provider about it; the provider answers."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovFileInput, GovSubmitInput, GovTextArea
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import Length

from ..audit import record
from ..banking.matching import matched_to
from ..banking.models import LineComment, StatementLine
from ..banking.services import statement_summary
from ..budget.access import get_budget_or_404, holds_the_account, is_holder_side, is_managed_account, owned_or_404
from ..extensions import db
from ..pagination import page_of
from ..spending.receipts import ACCEPT, ReceiptError, check_receipt, discard
from ..spending.services import save_receipt
from ..timeutil import utcnow
from .periods import last_reconciled, portal_balances

bp = Blueprint("account", __name__, url_prefix="/budgets/<int:budget_id>/account")



class CommentForm(FlaskForm):
    text = TextAreaField("Note or question", widget=GovTextArea(),
                         description="For example, what the payment was for, or what you want to know about it",
                         validators=[Length(max=2000, message="Note must be 2,000 characters or fewer")])
    receipt = FileField("Receipt or invoice (optional)", widget=GovFileInput(),
                        description="A photo (JPEG, PNG or WEBP) or a PDF, up to 10 MB")
    question = BooleanField("This is a question for the provider: I would like an answer", widget=GovCheckboxInput())
    submit = SubmitField("Add to this line", widget=GovSubmitInput())


class AnswerForm(FlaskForm):
    answer = TextAreaField("Your answer", widget=GovTextArea(),
                           validators=[Length(max=2000, message="Answer must be 2,000 characters or fewer")])
    submit = SubmitField("Send the answer", widget=GovSubmitInput())


@bp.route("")
@login_required
def show(budget_id: int):
    budget = get_budget_or_404(budget_id, is_managed_account)
    found = page_of(select(StatementLine).where(StatementLine.budget_id == budget.id)
                    .order_by(StatementLine.line_date.desc(), StatementLine.id.desc()),
                    request.args.get("page", 1, type=int))
    lines = found.items
    ids = [line.id for line in lines]
    comments = dict(db.session.execute(select(LineComment.statement_line_id, func.count())
                                       .where(LineComment.statement_line_id.in_(ids or [0]))
                                       .group_by(LineComment.statement_line_id)).all())
    open_questions = db.session.scalar(select(func.count()).where(LineComment.budget_id == budget.id,
                                                                  LineComment.status == "open"))
    return render_template("reconciliation/account.html", budget=budget, lines=lines, **found.context(),
                           matched_to=matched_to([ln.id for ln in lines if ln.status == "matched"]),
                           comments=comments, open_questions=open_questions,
                           statement=statement_summary([budget.id])[budget.id],
                           portal_pence=portal_balances([budget.id])[budget.id],
                           reconciled_to=last_reconciled([budget.id]).get(budget.id))


def _thread(line: StatementLine) -> list[LineComment]:
    return list(db.session.scalars(select(LineComment).options(
        joinedload(LineComment.created_by), joinedload(LineComment.answered_by), joinedload(LineComment.receipt))
        .where(LineComment.statement_line_id == line.id).order_by(LineComment.created_at, LineComment.id)))


def _page(budget, line, form=None, answer_form=None, answering=None):
    return render_template("reconciliation/account_line.html", budget=budget, line=line, thread=_thread(line),
                           matched_to=matched_to([line.id]).get(line.id, []), form=form, answer_form=answer_form,
                           answering=answering, accept=ACCEPT,
                           has_errors=bool((form and form.errors) or (answer_form and answer_form.errors)))


@bp.route("/lines/<int:line_id>", methods=["GET", "POST"])
@login_required
def line(budget_id: int, line_id: int):
    budget = get_budget_or_404(budget_id, is_managed_account)
    item = owned_or_404(StatementLine, line_id, budget)
    form = CommentForm() if is_holder_side(current_user) else None
    answer_form = AnswerForm() if holds_the_account(current_user, budget) else None
    if form is None and request.method == "POST":
        abort(404)
    if form is not None and form.validate_on_submit():
        text = (form.text.data or "").strip()
        upload = form.receipt.data
        checked = None
        if upload and getattr(upload, "filename", ""):
            try:
                checked = check_receipt(upload.stream, upload.filename, current_app.config["RECEIPT_MAX_BYTES"])
            except ReceiptError as err:
                form.receipt.errors = [str(err)]
        if not text and checked is None and not form.receipt.errors:
            form.text.errors = ["Enter a note or a question, or choose a receipt to add"]
        elif form.question.data and not text:
            form.text.errors = ["Enter your question"]
        if not form.errors:
            receipt = None
            try:
                if checked:
                    receipt = save_receipt(budget.id, checked, current_user, current_app.config["UPLOAD_DIR"])
                comment = LineComment(budget_id=budget.id, statement_line_id=item.id, text=text, receipt=receipt,
                                      status="open" if form.question.data else "note", created_by_id=current_user.id)
                db.session.add(comment)
                record("line_comment.added", comment, actor=current_user, budget_id=budget.id,
                       statement_line_id=item.id, question=bool(form.question.data), receipt=bool(receipt))
                db.session.commit()
            except Exception:
                db.session.rollback()
                if receipt is not None:
                    discard(current_app.config["UPLOAD_DIR"], receipt.storage_key)
                raise
            flash("Your question has been sent to the provider." if form.question.data else "Added to the line.",
                  "success")
            return redirect(url_for("account.line", budget_id=budget.id, line_id=item.id), 303)
    return _page(budget, item, form, answer_form)


@bp.route("/lines/<int:line_id>/questions/<int:comment_id>", methods=["POST"])
@login_required
def answer(budget_id: int, line_id: int, comment_id: int):
    budget = get_budget_or_404(budget_id, holds_the_account)
    item = owned_or_404(StatementLine, line_id, budget)
    question = owned_or_404(LineComment, comment_id, budget)
    if question.statement_line_id != item.id:
        abort(404)
    form = AnswerForm()
    if question.status != "open":
        flash("That question has already been answered.", "important")
        return redirect(url_for("account.line", budget_id=budget.id, line_id=item.id), 303)
    if form.validate_on_submit():
        text = (form.answer.data or "").strip()
        if not text:
            form.answer.errors = ["Enter your answer"]
        else:
            question.answer, question.status = text, "answered"
            question.answered_by_id, question.answered_at = current_user.id, utcnow()
            record("line_comment.answered", question, actor=current_user, budget_id=budget.id,
                   statement_line_id=item.id)
            db.session.commit()
            flash("Answer sent.", "success")
            return redirect(url_for("account.line", budget_id=budget.id, line_id=item.id), 303)
    return _page(budget, item, None, form, answering=question.id)
