"""A request for all of a budget's data as one ZIP: made by the worker, kept for a week for the person who asked,
then removed."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..choices import check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


class ExportRequest(db.Model):
    __tablename__ = "export_request"
    __table_args__ = (
        CheckConstraint(check_in("status", ExportStatus), name="status"),
        Index("ix_export_request_budget_status", "budget_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=ExportStatus.QUEUED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    storage_key: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column()
    files: Mapped[int | None] = mapped_column()
    error: Mapped[str] = mapped_column(Text, default="", server_default="")
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    requested_by: Mapped[User] = relationship()
