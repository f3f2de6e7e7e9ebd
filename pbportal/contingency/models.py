"""What happens when things go wrong: arrangements per scenario, a risk register, and share links."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..budget.models import BudgetLine
from ..choices import check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class Scenario(enum.StrEnum):
    """What an arrangement is for. OWN is something else, named by the arrangement's title."""

    PA_SICK = "pa_sick"
    PA_LEAVE = "pa_leave"
    HOLDER_UNWELL = "holder_unwell"
    EMERGENCY = "emergency"
    BAD_WEATHER = "bad_weather"
    MONEY_LATE = "money_late"
    OWN = "own"


SCENARIOS = {
    Scenario.PA_SICK: "A PA is off sick",
    Scenario.PA_LEAVE: "A PA is on holiday or leave",
    Scenario.HOLDER_UNWELL: "I am unwell or in hospital",
    Scenario.EMERGENCY: "An emergency",
    Scenario.BAD_WEATHER: "Bad weather",
    Scenario.MONEY_LATE: "The money does not arrive",
    Scenario.OWN: "Something else",
}


class RiskStatus(enum.StrEnum):
    """How a risk is handled: something reduces it, or the person accepts it as their own choice."""

    MITIGATED = "mitigated"
    ACCEPTED = "accepted"


RISK_HANDLING = {
    RiskStatus.MITIGATED: "Mitigated: something is in place to reduce it",
    RiskStatus.ACCEPTED: "Accepted by the person as their own choice",
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
        return self.title if self.scenario == Scenario.OWN and self.title else SCENARIOS[self.scenario]


class Risk(db.Model):
    __tablename__ = "risk"
    __table_args__ = (
        CheckConstraint(check_in("status", RiskStatus), name="status"),
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

    @property
    def is_accepted(self) -> bool:
        return self.status == RiskStatus.ACCEPTED


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
