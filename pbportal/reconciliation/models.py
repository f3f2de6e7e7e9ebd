"""Reconciliation periods of managed accounts, and the monitoring returns made from them."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..choices import check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class PeriodStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # its money is locked until it is reopened (lock.py)


PERIOD_STATUS_LABELS = {PeriodStatus.OPEN: "Open", PeriodStatus.CLOSED: "Closed"}


class ReconciliationPeriod(db.Model):
    """A stretch of days whose books are checked against the bank: opening balance + money in − money out
    should equal the statement's closing balance. Closed periods are locked; reopening needs a reason."""

    __tablename__ = "reconciliation_period"
    __table_args__ = (
        UniqueConstraint("budget_id", "starts_on"),
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint(check_in("status", PeriodStatus), name="status"),
        CheckConstraint("status = 'open' OR difference_pence = 0 OR explanation <> ''",
                        name="explained_when_not_agreeing"),
        Index("ix_reconciliation_period_budget_status_end", "budget_id", "status", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    opening_balance_pence: Mapped[int] = mapped_column(BigInteger)
    statement_balance_pence: Mapped[int] = mapped_column(BigInteger)  # the closing balance per the bank statement
    status: Mapped[str] = mapped_column(String(10), default=PeriodStatus.OPEN)
    # Figures as they stood when the period was closed.
    money_in_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    money_out_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    difference_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    explanation: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED

    @property
    def status_label(self) -> str:
        return PERIOD_STATUS_LABELS[self.status]


class ReturnStatus(enum.StrEnum):
    """Where a monitoring return is: with the case manager, accepted, or sent back with a query."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    QUERIED = "queried"


RETURN_STATUS_LABELS = {ReturnStatus.SUBMITTED: "Waiting for the case manager", ReturnStatus.ACCEPTED: "Accepted",
                        ReturnStatus.QUERIED: "Queried by the case manager"}


class ReturnAction(enum.StrEnum):
    """A step in a return's history: the provider submits (and, after a query, resubmits) it; the case manager
    accepts or queries it."""

    SUBMITTED = "submitted"
    RESUBMITTED = "resubmitted"
    QUERIED = "queried"
    ACCEPTED = "accepted"


RETURN_ACTION_LABELS = {ReturnAction.SUBMITTED: "Submitted", ReturnAction.RESUBMITTED: "Submitted again",
                        ReturnAction.QUERIED: "Queried", ReturnAction.ACCEPTED: "Accepted"}


class MonitoringReturn(db.Model):
    """The account's figures for a span of closed periods, sent to the funder's case manager."""

    __tablename__ = "monitoring_return"
    __table_args__ = (
        UniqueConstraint("budget_id", "starts_on", "ends_on"),
        CheckConstraint(check_in("status", ReturnStatus), name="status"),
        Index("ix_monitoring_return_budget_status", "budget_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=ReturnStatus.SUBMITTED)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)  # as submitted: see returns.return_figures
    declaration: Mapped[str] = mapped_column(Text)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    submitted_by: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return RETURN_STATUS_LABELS[self.status]


class ReturnEvent(db.Model):
    """Each step of a return (submitted, queried, resubmitted, accepted), with its comment: the thread both
    sides read."""

    __tablename__ = "return_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("monitoring_return.id"), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User] = relationship()

    @property
    def action_label(self) -> str:
        return RETURN_ACTION_LABELS[self.action]

    @property
    def is_decision(self) -> bool:
        """The case manager's: accepted or queried."""
        return self.action in (ReturnAction.ACCEPTED, ReturnAction.QUERIED)
