"""What happens when things go wrong: arrangements per scenario, a risk register, and share links."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..budget.models import BudgetLine
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

SCENARIOS = {
    "pa_sick": "A PA is off sick",
    "pa_leave": "A PA is on holiday or leave",
    "holder_unwell": "I am unwell or in hospital",
    "emergency": "An emergency",
    "bad_weather": "Bad weather",
    "money_late": "The money does not arrive",
    "own": "Something else",
}


class ContingencyPlan(db.Model):
    """One per budget: the last-resort contact and when the plan was last looked at."""

    __tablename__ = "contingency_plan"
    __table_args__ = (UniqueConstraint("budget_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    last_resort_name: Mapped[str] = mapped_column(String(200), default="")
    last_resort_phone: Mapped[str] = mapped_column(String(50), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    updated_by: Mapped[User | None] = relationship()


class Arrangement(db.Model):
    __tablename__ = "contingency_arrangement"
    __table_args__ = (CheckConstraint("expected_cost_pence IS NULL OR expected_cost_pence >= 0", name="cost"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    scenario: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200), default="")
    what_happens: Mapped[str] = mapped_column(Text)
    who_steps_in: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(200), default="")
    expected_cost_pence: Mapped[int | None]
    line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_line.id"))
    position: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    line: Mapped[BudgetLine | None] = relationship()

    @property
    def heading(self) -> str:
        return self.title if self.scenario == "own" and self.title else SCENARIOS[self.scenario]


class Risk(db.Model):
    __tablename__ = "risk"
    __table_args__ = (
        CheckConstraint("status IN ('mitigated', 'accepted')", name="status"),
        CheckConstraint("status = 'accepted' OR mitigation <> ''", name="mitigation_when_mitigated"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    mitigation: Mapped[str] = mapped_column(Text, default="")
    accepted_by: Mapped[str] = mapped_column(String(200), default="")
    accepted_on: Mapped[date | None] = mapped_column(Date)
    review_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    recorded_by: Mapped[User] = relationship()


class ShareLink(db.Model):
    """A link a holder gives a back-up carer: opens only the contingency page, expires, can be revoked."""

    __tablename__ = "share_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    last_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    times_opened: Mapped[int] = mapped_column(default=0)

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
