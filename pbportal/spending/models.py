"""Spending entries and their receipts. Entries are never deleted: they are voided or corrected."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..budget.models import CATEGORIES, BudgetLine
from ..choices import RecordStatus, check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

# How a payment's state reads on its page and in lists.
STATUS_LABELS = {RecordStatus.ACTIVE: "Recorded", RecordStatus.VOIDED: "Voided", RecordStatus.CORRECTED: "Corrected"}


class Receipt(db.Model):
    """Evidence for a payment, stored outside static/ under UPLOAD_DIR by a random name."""

    __tablename__ = "receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(50))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SpendingEntry(db.Model):
    __tablename__ = "spending_entry"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint(check_in("status", RecordStatus), name="status"),
        CheckConstraint("status = 'active' OR change_reason <> ''", name="reason_when_changed"),
        # The list (newest paid first), the budget page's latest recorded, and the list with voided ones.
        Index("ix_spending_entry_budget_status_paid", "budget_id", "status", "paid_on", "id"),
        Index("ix_spending_entry_budget_status_created", "budget_id", "status", "created_at", "id"),
        Index("ix_spending_entry_budget_paid", "budget_id", "paid_on", "id"),
        # Covering the budget page's sums (money held, spent by line): read from the index alone, not the table.
        Index("ix_spending_entry_sums", "budget_id", "status", "paid_on", "line_id", "amount_pence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("budget_line.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    # The key of the form that recorded it: a second send of the same form finds it and records nothing.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    payee: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipt.id"))
    # The bank statement line this payment was seen on (managed accounts), once matched.
    statement_line_id: Mapped[int | None] = mapped_column(ForeignKey("statement_line.id"), index=True)
    # Made by matching that line (so undoing the match voids it), not recorded first and linked later.
    from_statement: Mapped[bool] = mapped_column(default=False, server_default="0")
    status: Mapped[str] = mapped_column(String(10), default=RecordStatus.ACTIVE)
    # A correction is a new entry pointing at the one it replaces; the old one becomes corrected.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("spending_entry.id"), index=True)
    change_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    line: Mapped[BudgetLine] = relationship()
    receipt: Mapped[Receipt | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])
    corrects: Mapped[SpendingEntry | None] = relationship(remote_side=[id], foreign_keys=[corrects_id])

    @property
    def is_active(self) -> bool:
        return self.status == RecordStatus.ACTIVE

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)
