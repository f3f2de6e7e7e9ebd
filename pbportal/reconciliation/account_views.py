"""A managed account as its holder sees it: the balance on the bank's statements and the books, the periods
reconciled, each statement line and what the provider matched it to. The holder (or their representative)
can add a note or a receipt to a line, or ask the provider about it; the provider answers."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..audit import AlreadyChanged
from ..banking.matching import matched_to
from ..banking.models import LineComment, StatementLine
from ..banking.services import statement_summary
from ..budget.access import get_budget_or_404, holds_the_account, is_holder_side, is_managed_account, owned_or_404
from ..extensions import db
from ..pagination import page_of
from ..spending.receipts import ACCEPT
from ..storage import upload_location
from .comments import add_comment, answer_question, comment_counts, open_questions, thread_of
from .forms import AnswerForm, CommentForm
from .periods import last_reconciled, portal_balances

bp = Blueprint("account", __name__, url_prefix="/budgets/<int:budget_id>/account")


@bp.route("")
@login_required
def show(budget_id: int):
    budget = get_budget_or_404(budget_id, is_managed_account)
    found = page_of(select(StatementLine).where(StatementLine.budget_id == budget.id)
                    .order_by(StatementLine.line_date.desc(), StatementLine.id.desc()),
                    request.args.get("page", 1, type=int))
    lines = found.items
    return render_template("reconciliation/account.html", budget=budget, lines=lines, **found.context(),
                           matched_to=matched_to([ln.id for ln in lines if ln.is_matched]),
                           comments=comment_counts([line.id for line in lines]),
                           open_questions=open_questions(budget.id),
                           statement=statement_summary([budget.id])[budget.id],
                           portal_pence=portal_balances([budget.id])[budget.id],
                           reconciled_to=last_reconciled([budget.id]).get(budget.id))


def _page(budget, line, form=None, answer_form=None, answering=None):
    return render_template("reconciliation/account_line.html", budget=budget, line=line, thread=thread_of(line),
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
        add_comment(budget, item, form.text.data, form.question.data, form.checked_receipt, current_user,
                    upload_location())
        flash("Your question has been sent to the provider." if form.question.data else "Added to the line.",
              "success")
        return redirect(url_for("account.line", budget_id=budget.id, line_id=item.id), 303)
    return _page(budget, item, form, answer_form)


@bp.route("/lines/<int:line_id>/questions/<int:comment_id>", methods=["POST"])
@login_required
def answer(budget_id: int, line_id: int, comment_id: int):
    budget = get_budget_or_404(budget_id, lambda user, b: is_managed_account(user, b) and holds_the_account(user, b))
    item = owned_or_404(StatementLine, line_id, budget)
    question = owned_or_404(LineComment, comment_id, budget)
    if question.statement_line_id != item.id:
        abort(404)
    form = AnswerForm()
    if not question.is_open:
        flash("That question has already been answered.", "important")
        return redirect(url_for("account.line", budget_id=budget.id, line_id=item.id), 303)
    if form.validate_on_submit():
        try:
            answer_question(question, form.answer.data, current_user)
            db.session.commit()
        except AlreadyChanged as err:
            db.session.rollback()
            flash(f"{err}, so yours was not sent. You wrote: “{form.answer.data}”", "important")
        else:
            flash("Answer sent.", "success")
        return redirect(url_for("account.line", budget_id=budget.id, line_id=item.id), 303)
    return _page(budget, item, None, form, answering=question.id)
