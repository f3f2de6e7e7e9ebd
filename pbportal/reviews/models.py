"""Review requests and their progress, and reviews as the case manager records them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

REASONS = {
    "need": "My needs have changed",
    "circumstance": "My circumstances have changed",
    "money_short": "The money is running short",
    "money_building": "Money is building up",
    "pa_problem": "A problem with a PA",
    "other": "Something else",
}
URGENCY = {"routine": "Routine", "soon": "Soon (within a month)", "urgent": "Urgent (within a week)"}
STATUSES = {"requested": "Requested", "acknowledged": "Acknowledged", "scheduled": "Scheduled",
            "completed": "Completed", "declined": "Declined"}
# Where a request may go next; completed and declined are final.
NEXT = {
    "requested": ("acknowledged", "scheduled", "declined"),
    "acknowledged": ("scheduled", "declined"),
    "scheduled": ("scheduled", "completed", "declined"),
    "completed": (),
    "declined": (),
}
RATINGS = {"met": "Met", "partly": "Partly met", "not_met": "Not met"}
DECISIONS = {
    "maintain": "Keep the plan as it is",
    "increase": "Increase the budget",
    "reduce": "Reduce the budget",
    "change": "Change the plan",
    "stop": "Stop the direct payment",
    "repay": "Money to be repaid",
}


class ReviewRequest(db.Model):
    __tablename__ = "review_request"
    __table_args__ = (
        CheckConstraint("status IN ('requested', 'acknowledged', 'scheduled', 'completed', 'declined')",
                        name="status"),
        CheckConstraint("status <> 'declined' OR decline_reason <> ''", name="reason_when_declined"),
        CheckConstraint("status <> 'scheduled' OR scheduled_for IS NOT NULL", name="date_when_scheduled"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="requested")
    scheduled_for: Mapped[date | None] = mapped_column(Date)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)  # optimistic lock: a stale status change is refused

    requested_by: Mapped[User] = relationship()
    events: Mapped[list[RequestEvent]] = relationship(order_by="RequestEvent.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status not in ("completed", "declined")

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


class RequestEvent(db.Model):
    """Each step of a request: who moved it to which status, when, and any note."""

    __tablename__ = "review_request_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("review_request.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    scheduled_for: Mapped[date | None] = mapped_column(Date)
    by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    by: Mapped[User] = relationship()


class Review(db.Model):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("review_request.id"))
    held_on: Mapped[date] = mapped_column(Date)
    plan_pence: Mapped[int]
    expected_pence: Mapped[int]
    spent_pence: Mapped[int]
    received_pence: Mapped[int]
    money_notes: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(String(10))
    decision_notes: Mapped[str] = mapped_column(Text, default="")
    next_review_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by: Mapped[User] = relationship()
    outcomes: Mapped[list[ReviewOutcome]] = relationship(order_by="ReviewOutcome.id")

    @property
    def decision_label(self) -> str:
        return DECISIONS[self.decision]

    @property
    def difference_pence(self) -> int:
        """Positive: less spent than the plan expected by the review date (a surplus)."""
        return self.expected_pence - self.spent_pence


class ReviewOutcome(db.Model):
    __tablename__ = "review_outcome"
    __table_args__ = (CheckConstraint("rating IN ('met', 'partly', 'not_met')", name="rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    outcome: Mapped[str] = mapped_column(Text)
    rating: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")

    @property
    def rating_label(self) -> str:
        return RATINGS[self.rating]
