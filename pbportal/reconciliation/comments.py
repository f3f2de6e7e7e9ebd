"""What the holder (or their representative) adds to a line of their account's statements (a note, a receipt, a
question for the provider) and the provider's answers."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..audit import AlreadyChanged, record
from ..banking.models import CommentStatus, LineComment, StatementLine
from ..extensions import db
from ..spending.receipts import CheckedReceipt
from ..spending.services import save_with_receipt
from ..timeutil import utcnow
from . import notices


def add_comment(budget, line: StatementLine, text: str, question: bool, checked: CheckedReceipt | None, actor,
                upload_dir: str) -> LineComment:
    """A note (or a question, open until answered) with its receipt, if one was chosen: committed together with
    the receipt's file, or neither."""
    def save(receipt):
        comment = LineComment(budget_id=budget.id, statement_line_id=line.id, text=text, receipt=receipt,
                              status=CommentStatus.OPEN if question else CommentStatus.NOTE, created_by_id=actor.id)
        db.session.add(comment)
        event = record("line_comment.added", comment, actor=actor, budget_id=budget.id, statement_line_id=line.id,
                       question=bool(question), receipt=bool(receipt))
        if question:
            notices.question_asked(budget, line, event, actor)
        return comment

    return save_with_receipt(budget.id, checked, actor, upload_dir, save)


def answer_question(question: LineComment, text: str, actor) -> None:
    """Answer an open question. The row is read again under a lock, so of two answers sent at once the second
    waits, finds it answered, and raises AlreadyChanged: one answer, one audit row."""
    status = db.session.execute(select(LineComment.status).where(LineComment.id == question.id)
                                .with_for_update()).scalar_one()
    if status != CommentStatus.OPEN:
        raise AlreadyChanged("That question was answered by someone else a moment ago")
    question.answer, question.status = text, CommentStatus.ANSWERED
    question.answered_by_id, question.answered_at = actor.id, utcnow()
    event = record("line_comment.answered", question, actor=actor, budget_id=question.budget_id,
                   statement_line_id=question.statement_line_id)
    notices.question_answered(question, event, actor)


def thread_of(line: StatementLine) -> list[LineComment]:
    """Everything added to the line, oldest first."""
    return list(db.session.scalars(select(LineComment).options(
        joinedload(LineComment.created_by), joinedload(LineComment.answered_by), joinedload(LineComment.receipt))
        .where(LineComment.statement_line_id == line.id).order_by(LineComment.created_at, LineComment.id)))


def comment_counts(line_ids: list[int]) -> dict[int, int]:
    """How many notes and questions each line has."""
    return dict(db.session.execute(select(LineComment.statement_line_id, func.count())
                                   .where(LineComment.statement_line_id.in_(line_ids or [0]))
                                   .group_by(LineComment.statement_line_id)).all())


def open_questions(budget_id: int) -> int:
    """Questions on the account's lines still waiting for the provider's answer."""
    return db.session.scalar(select(func.count()).where(LineComment.budget_id == budget_id,
                                                        LineComment.status == CommentStatus.OPEN))
