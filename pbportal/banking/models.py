"""Bank statements of managed accounts: imported lines, and how each account's files are laid out."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


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
    closing_balance_pence: Mapped[int | None]
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    imported_by: Mapped[User] = relationship()


class StatementLine(db.Model):
    """A line of a bank statement. Its fingerprint makes the same line imported twice recognisable."""

    __tablename__ = "statement_line"
    __table_args__ = (
        UniqueConstraint("budget_id", "fingerprint"),
        CheckConstraint("amount_pence <> 0", name="amount_not_zero"),
        CheckConstraint("status IN ('unmatched', 'matched', 'ignored')", name="status"),
        Index("ix_statement_line_budget_status", "budget_id", "status"),
        Index("ix_statement_line_budget_date", "budget_id", "line_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    line_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    amount_pence: Mapped[int]  # money in is positive, money out negative
    balance_pence: Mapped[int | None]
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="unmatched")
