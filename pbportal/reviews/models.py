"""Review requests and their progress, and reviews as the case manager records them."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ColumnElement, Date, ForeignKey, String, Text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..choices import check_in
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


class ReviewStatus(enum.StrEnum):
    """Where a review request has got to. Completed and declined are final; the others are open."""

    REQUESTED = "requested"
    ACKNOWLEDGED = "acknowledged"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    DECLINED = "declined"


STATUS_LABELS = {
    ReviewStatus.REQUESTED: "Requested",
    ReviewStatus.ACKNOWLEDGED: "Acknowledged",
    ReviewStatus.SCHEDULED: "Scheduled",
    ReviewStatus.COMPLETED: "Completed",
    ReviewStatus.DECLINED: "Declined",
}
STATUS_TAGS = {
    ReviewStatus.REQUESTED: "govuk-tag--blue",
    ReviewStatus.ACKNOWLEDGED: "govuk-tag--purple",
    ReviewStatus.SCHEDULED: "govuk-tag--yellow",
    ReviewStatus.COMPLETED: "govuk-tag--green",
    ReviewStatus.DECLINED: "govuk-tag--red",
}
# What the case manager does to move a request on, as the status form offers it.
STATUS_ACTIONS = {
    ReviewStatus.ACKNOWLEDGED: "Acknowledge the request",
    ReviewStatus.SCHEDULED: "Schedule the review",
    ReviewStatus.COMPLETED: "Mark it completed",
    ReviewStatus.DECLINED: "Decline the request",
}
OPEN_STATUSES = (ReviewStatus.REQUESTED, ReviewStatus.ACKNOWLEDGED, ReviewStatus.SCHEDULED)
# Where a request may go next; completed and declined are final.
NEXT = {
    ReviewStatus.REQUESTED: (ReviewStatus.ACKNOWLEDGED, ReviewStatus.SCHEDULED, ReviewStatus.DECLINED),
    ReviewStatus.ACKNOWLEDGED: (ReviewStatus.SCHEDULED, ReviewStatus.DECLINED),
    ReviewStatus.SCHEDULED: (ReviewStatus.SCHEDULED, ReviewStatus.COMPLETED, ReviewStatus.DECLINED),
    ReviewStatus.COMPLETED: (),
    ReviewStatus.DECLINED: (),
}


class Rating(enum.StrEnum):
    """Whether an outcome of the plan is being met."""

    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"


RATINGS = {Rating.MET: "Met", Rating.PARTLY: "Partly met", Rating.NOT_MET: "Not met"}


class Decision(enum.StrEnum):
    """What a review decided about the plan and its money."""

    MAINTAIN = "maintain"
    INCREASE = "increase"
    REDUCE = "reduce"
    CHANGE = "change"
    STOP = "stop"
    REPAY = "repay"


DECISIONS = {
    Decision.MAINTAIN: "Keep the plan as it is",
    Decision.INCREASE: "Increase the budget",
    Decision.REDUCE: "Reduce the budget",
    Decision.CHANGE: "Change the plan",
    Decision.STOP: "Stop the direct payment",
    Decision.REPAY: "Money to be repaid",
}


class ReviewRequest(db.Model):
    __tablename__ = "review_request"
    __table_args__ = (
        CheckConstraint(check_in("status", ReviewStatus), name="status"),
        CheckConstraint("status <> 'declined' OR decline_reason <> ''", name="reason_when_declined"),
        CheckConstraint("status <> 'scheduled' OR scheduled_for IS NOT NULL", name="date_when_scheduled"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default=ReviewStatus.REQUESTED)
    scheduled_for: Mapped[date | None] = mapped_column(Date)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)  # optimistic lock: a stale status change is refused

    requested_by: Mapped[User] = relationship()
    events: Mapped[list[RequestEvent]] = relationship(order_by="RequestEvent.id")

    __mapper_args__ = {"version_id_col": version}

    @hybrid_property
    def is_open(self) -> bool:
        """Still to be dealt with: requested, acknowledged or scheduled. Also a SQL condition
        (`.where(ReviewRequest.is_open)`), so pages and counts agree on what is open."""
        return self.status in OPEN_STATUSES

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls) -> ColumnElement[bool]:
        return cls.status.in_(OPEN_STATUSES)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def status_tag(self) -> str:
        return STATUS_TAGS[self.status]


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

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


class Review(db.Model):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("review_request.id"))
    held_on: Mapped[date] = mapped_column(Date)
    plan_pence: Mapped[int] = mapped_column(BigInteger)
    expected_pence: Mapped[int] = mapped_column(BigInteger)
    spent_pence: Mapped[int] = mapped_column(BigInteger)
    received_pence: Mapped[int] = mapped_column(BigInteger)
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
    __table_args__ = (CheckConstraint(check_in("rating", Rating), name="rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    outcome: Mapped[str] = mapped_column(Text)
    rating: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")

    @property
    def rating_label(self) -> str:
        return RATINGS[self.rating]
