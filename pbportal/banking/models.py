"""Bank statements of managed accounts: imported lines, and how each account's files are laid out."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..choices import check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class LineStatus(enum.StrEnum):
    """Where a statement line is in matching."""

    UNMATCHED = "unmatched"  # still to match
    MATCHED = "matched"  # to budget lines or money in, or linked to a payment already recorded
    IGNORED = "ignored"  # set aside: not money for the plan (a transfer, a bank error put right…)


LINE_STATUS_LABELS = {LineStatus.UNMATCHED: "To match", LineStatus.MATCHED: "Matched", LineStatus.IGNORED: "Set aside"}


class CommentStatus(enum.StrEnum):
    """What a comment on a statement line is: a note, or a question for the provider, open until answered."""

    NOTE = "note"
    OPEN = "open"
    ANSWERED = "answered"


COMMENT_STATUS_LABELS = {CommentStatus.NOTE: "Note", CommentStatus.OPEN: "Question waiting for an answer",
                         CommentStatus.ANSWERED: "Question answered"}


class StatementLayout(db.Model):
    """Which column of an account's CSV exports holds what, remembered after the first import."""

    __tablename__ = "statement_layout"
    __table_args__ = (UniqueConstraint("budget_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    date_column: Mapped[str] = mapped_column(String(100))
    description_column: Mapped[str] = mapped_column(String(100))
    amount_column: Mapped[str] = mapped_column(String(100), default="")
    paid_out_column: Mapped[str] = mapped_column(String(100), default="")
    paid_in_column: Mapped[str] = mapped_column(String(100), default="")
    balance_column: Mapped[str] = mapped_column(String(100), default="")
    indicator_column: Mapped[str] = mapped_column(String(100), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Statement(db.Model):
    """One imported file."""

    __tablename__ = "statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    lines_imported: Mapped[int]
    lines_already_held: Mapped[int]
    closing_balance_pence: Mapped[int | None] = mapped_column(BigInteger)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    imported_by: Mapped[User] = relationship()


class StatementLine(db.Model):
    """A line of a bank statement. Its fingerprint makes the same line imported twice recognisable."""

    __tablename__ = "statement_line"
    __table_args__ = (
        UniqueConstraint("budget_id", "fingerprint"),
        CheckConstraint("amount_pence <> 0", name="amount_not_zero"),
        CheckConstraint(check_in("status", LineStatus), name="status"),
        Index("ix_statement_line_budget_status", "budget_id", "status"),
        Index("ix_statement_line_budget_date", "budget_id", "line_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    line_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    amount_pence: Mapped[int] = mapped_column(BigInteger)  # money in is positive, money out negative
    balance_pence: Mapped[int | None] = mapped_column(BigInteger)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=LineStatus.UNMATCHED)
    # Optimistic lock: a match, set-aside or undo names the version it saw; a stale one is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Why a line was set aside (not for the plan: a transfer, a bank error put right…).
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_money_in(self) -> bool:
        return self.amount_pence > 0

    @property
    def is_unmatched(self) -> bool:
        return self.status == LineStatus.UNMATCHED

    @property
    def is_matched(self) -> bool:
        return self.status == LineStatus.MATCHED

    @property
    def is_set_aside(self) -> bool:
        return self.status == LineStatus.IGNORED

    @property
    def status_label(self) -> str:
        return LINE_STATUS_LABELS[self.status]


class MatchRule(db.Model):
    """Learned from matches: statement lines whose description reads like `pattern` go to this budget line
    (by lineage, so a rule outlives plan versions) or are this kind of money in."""

    __tablename__ = "match_rule"
    __table_args__ = (
        UniqueConstraint("budget_id", "pattern"),
        CheckConstraint("(line_root_id IS NULL) <> (income_source IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    pattern: Mapped[str] = mapped_column(String(120))
    line_root_id: Mapped[int | None] = mapped_column(ForeignKey("budget_line.id"))
    income_source: Mapped[str | None] = mapped_column(String(20))
    payee: Mapped[str] = mapped_column(String(200), default="")
    uses: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class LineComment(db.Model):
    """What the holder (or their representative) adds to a statement line: a note, a receipt, or a question
    for the provider, which the provider answers."""

    __tablename__ = "line_comment"
    __table_args__ = (
        CheckConstraint(check_in("status", CommentStatus), name="status"),
        Index("ix_line_comment_budget_status", "budget_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    statement_line_id: Mapped[int] = mapped_column(ForeignKey("statement_line.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipt.id"))
    status: Mapped[str] = mapped_column(String(10), default=CommentStatus.NOTE)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    receipt = relationship("Receipt")

    @property
    def is_question(self) -> bool:
        return self.status != CommentStatus.NOTE

    @property
    def is_open(self) -> bool:
        """A question still waiting for the provider's answer."""
        return self.status == CommentStatus.OPEN

    @property
    def is_answered(self) -> bool:
        return self.status == CommentStatus.ANSWERED

    @property
    def status_label(self) -> str:
        return COMMENT_STATUS_LABELS[self.status]
