"""A document kept on a budget: a support plan, a PA's DBS certificate, right-to-work evidence, a contract, a
training or insurance certificate, or a file attached to a review, a review request, a question about a
statement line, or a monitoring return's query and its answer. The file is in the upload store (under
documents/) by a random name; the row says what it is, what it is about, who uploaded it and when, and, once
removed, who removed it, when and why (the row is kept)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..choices import check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class DocumentKind(enum.StrEnum):
    SUPPORT_PLAN = "support_plan"
    DBS = "dbs"
    RIGHT_TO_WORK = "right_to_work"
    CONTRACT = "contract"
    TRAINING = "training"
    INSURANCE = "insurance"
    OTHER = "other"


DOCUMENT_KINDS = {
    DocumentKind.SUPPORT_PLAN: "Care and support plan",
    DocumentKind.DBS: "DBS certificate",
    DocumentKind.RIGHT_TO_WORK: "Right to work evidence",
    DocumentKind.CONTRACT: "Contract or written terms",
    DocumentKind.TRAINING: "Training certificate",
    DocumentKind.INSURANCE: "Employer’s liability insurance certificate",
    DocumentKind.OTHER: "Something else",
}


class Subject(enum.StrEnum):
    """What a document is about: the budget as a whole, or one record on it."""

    BUDGET = "budget"
    PA = "pa"
    CHECK = "check"
    REVIEW = "review"
    REVIEW_REQUEST = "review_request"
    LINE_COMMENT = "line_comment"
    RETURN_EVENT = "return_event"  # a case manager's query on a monitoring return, or the provider's answer


class Document(db.Model):
    __tablename__ = "document"
    __table_args__ = (
        CheckConstraint(check_in("kind", DocumentKind), name="kind"),
        CheckConstraint(check_in("about", Subject), name="about"),
        CheckConstraint("removed_at IS NULL OR removed_reason <> ''", name="reason_when_removed"),
        Index("ix_document_budget_about", "budget_id", "about", "about_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    about: Mapped[str] = mapped_column(String(20), default=Subject.BUDGET)
    about_id: Mapped[int | None] = mapped_column()
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(50))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    removed_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])

    @property
    def kind_label(self) -> str:
        return DOCUMENT_KINDS[self.kind]

    @property
    def size_label(self) -> str:
        if self.size_bytes >= 1024 * 1024:
            return f"{self.size_bytes / (1024 * 1024):.1f} MB"
        return f"{max(1, round(self.size_bytes / 1024))} KB"

    @property
    def type_label(self) -> str:
        return "PDF" if self.content_type == "application/pdf" else "photo"
