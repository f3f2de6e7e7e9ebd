"""A person's budget, their care and support plan's budget lines, and money in."""
from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Numeric, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Organisation, User
from ..choices import RecordStatus, check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class HeldAs(enum.StrEnum):
    """Who holds the money: the person (a direct payment) or a provider, for them (a managed account)."""

    DIRECT_PAYMENT = "direct_payment"
    MANAGED_ACCOUNT = "managed_account"


HELD_AS_LABELS = {HeldAs.DIRECT_PAYMENT: "Direct payment", HeldAs.MANAGED_ACCOUNT: "Managed account"}


class Frequency(enum.StrEnum):
    WEEKLY = "weekly"
    FOUR_WEEKLY = "four_weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"
    ONE_OFF = "one_off"


# Occurrences in a plan year. A year is taken as 52 weeks / 13 four-week periods, as councils'
# DP calculations do.
FREQUENCY_TIMES = {Frequency.WEEKLY: 52, Frequency.FOUR_WEEKLY: 13, Frequency.MONTHLY: 12, Frequency.YEARLY: 1,
                   Frequency.ONE_OFF: 1}
FREQUENCY_LABELS = {
    Frequency.WEEKLY: "Every week",
    Frequency.FOUR_WEEKLY: "Every 4 weeks",
    Frequency.MONTHLY: "Every month",
    Frequency.YEARLY: "Once a year",
    Frequency.ONE_OFF: "One-off",
}
# Spending on these tracks the calendar (weekly wages); on the others it lands at once (insurance).
PACED_FREQUENCIES = (Frequency.WEEKLY, Frequency.FOUR_WEEKLY, Frequency.MONTHLY)

CATEGORIES = {
    "pa_wages": "Personal assistant wages",
    "hmrc": "HMRC (PAYE and National Insurance)",
    "pension": "Workplace pension",
    "agency_care": "Agency care",
    "respite": "Respite and short breaks",
    "day_activities": "Day activities",
    "equipment": "Equipment",
    "transport": "Transport",
    "fees": "Payroll or managed-account fees",
    "insurance": "Insurance",
    "dbs_training": "DBS checks and training",
    "recruitment": "Recruitment",
    "contingency": "Contingency and redundancy reserve",
    "other": "Other support in the plan",
}

UNITS = {"hour": "hour", "day": "day", "week": "week", "month": "month", "item": "item", "year": "year"}


# A managed account moving to another provider does not end the budget (see ProviderHandover): the reason stays
# only to name budgets ended that way before moves were recorded.
END_REASONS = {"dp_stopped": "Direct payment stopped", "died": "The person died",
               "moved_away": "Moved to another council or NHS area", "other": "Other"}
OLD_END_REASONS = {"moved_provider": "Moved to another provider"}


class Budget(db.Model):
    __tablename__ = "budget"
    __table_args__ = (CheckConstraint(check_in("held_as", HeldAs), name="held_as"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_name: Mapped[str] = mapped_column(String(200))
    holder_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    held_as: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    case_manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The first plan year's first day; later plan years start on its anniversaries.
    plan_year_start: Mapped[date] = mapped_column(Date)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    # A managed account: the provider named accepts it (or declines it, with a reason, back to the case manager).
    provider_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    provider_declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    provider_decline_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Ended (direct payment stopped, moved to another provider, the person died…): read-only from then on.
    ended_on: Mapped[date | None] = mapped_column(Date, index=True)
    end_reason: Mapped[str] = mapped_column(String(30), default="", server_default="")
    end_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Kept up to date by reviews.services.refresh_next_review so caseloads can sort and filter on it.
    next_review_due: Mapped[date | None] = mapped_column(Date, index=True)
    # The money in the account when pbportal's books for it began (for a managed account, the opening balance of
    # its first reconciliation period); records dated before books_from are in that amount already.
    brought_forward_pence: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    books_from: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    holder: Mapped[User] = relationship(foreign_keys=[holder_id])
    case_manager: Mapped[User | None] = relationship(foreign_keys=[case_manager_id])
    funder: Mapped[Organisation] = relationship(foreign_keys=[funder_id])
    provider: Mapped[Organisation | None] = relationship(foreign_keys=[provider_id])

    @property
    def held_as_label(self) -> str:
        return HELD_AS_LABELS[self.held_as]

    @property
    def is_direct_payment(self) -> bool:
        return self.held_as == HeldAs.DIRECT_PAYMENT

    @property
    def account_label(self) -> str:
        """What its bank account is called: the provider's client account, or the holder's own."""
        return "managed account" if self.held_as == HeldAs.MANAGED_ACCOUNT else "direct payment account"

    @property
    def is_managed_account(self) -> bool:
        return self.held_as == HeldAs.MANAGED_ACCOUNT

    @property
    def is_ended(self) -> bool:
        return self.ended_on is not None

    @property
    def end_reason_label(self) -> str:
        return END_REASONS.get(self.end_reason) or OLD_END_REASONS.get(self.end_reason, self.end_reason)

    @property
    def is_declined(self) -> bool:
        return self.provider_declined_at is not None


class ProviderHandover(db.Model):
    """A managed account moving from one provider to another. The provider moved from held it until the day
    before `moves_on`, from the previous handover (or the start of the books); that time is its own and is
    closed to changes by anyone (reconciliation's lock refuses them), its staff may still read what they did
    then, and the provider moved to sees the whole history."""

    __tablename__ = "provider_handover"
    __table_args__ = (CheckConstraint("from_provider_id <> to_provider_id", name="another_provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    from_provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    to_provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    moves_on: Mapped[date] = mapped_column(Date)  # the new provider's first day
    held_from: Mapped[date] = mapped_column(Date)  # the old provider's first day
    reason: Mapped[str] = mapped_column(Text)
    moved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    budget: Mapped[Budget] = relationship()
    from_provider: Mapped[Organisation] = relationship(foreign_keys=[from_provider_id])
    to_provider: Mapped[Organisation] = relationship(foreign_keys=[to_provider_id])
    moved_by: Mapped[User] = relationship()

    @property
    def held_until(self) -> date:
        return self.moves_on - timedelta(days=1)


class RepresentativeKind(enum.StrEnum):
    """A nominated person acts for a holder who has capacity; an authorised one for a holder who lacks it."""

    NOMINATED = "nominated"
    AUTHORISED = "authorised"


class Representative(db.Model):
    """Someone who acts for a holder: a nominated person (holder has capacity) or an authorised one."""

    __tablename__ = "representative"
    __table_args__ = (
        UniqueConstraint("budget_id", "user_id"),
        CheckConstraint(check_in("kind", RepresentativeKind), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(Text, default="")
    # What the holder lets them do: see everything, and (if this is set) record spending too.
    may_record_spending: Mapped[bool] = mapped_column(default=True, server_default=true())

    user: Mapped[User] = relationship()


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    AGREED = "agreed"


class Plan(db.Model):
    """One version of the care and support plan's budget: drafted, then agreed by the case manager.

    An agreed plan is read-only; a change starts a new draft version. Spending follows the version in force
    on its date (the latest agreed version starting on or before it)."""

    __tablename__ = "plan"
    __table_args__ = (
        UniqueConstraint("budget_id", "version"),
        CheckConstraint(check_in("status", PlanStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(10), default=PlanStatus.DRAFT)
    starts_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    agreed_by: Mapped[User | None] = relationship()

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def is_agreed(self) -> bool:
        return self.status == PlanStatus.AGREED


class BudgetLine(db.Model):
    __tablename__ = "budget_line"
    __table_args__ = (
        CheckConstraint(check_in("frequency", Frequency), name="frequency"),
        CheckConstraint("unit_cost_pence > 0", name="unit_cost_positive"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("annual_pence >= 0", name="annual_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    # The same line across plan versions shares a lineage: the id of its first version (NULL on that one).
    root_line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_line.id"), index=True)
    item: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(30))
    unit: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    unit_cost_pence: Mapped[int] = mapped_column(BigInteger)
    frequency: Mapped[str] = mapped_column(String(20))
    annual_pence: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)

    @property
    def lineage(self) -> int:
        return self.root_line_id or self.id

    @property
    def frequency_label(self) -> str:
        return FREQUENCY_LABELS[self.frequency]

    @property
    def paces_with_year(self) -> bool:
        """Whether spending should track the calendar (weekly wages) rather than land at once (insurance)."""
        return self.frequency in PACED_FREQUENCIES


class IncomeSource(enum.StrEnum):
    """Where money paid into the budget came from. The funder's first payment starts the review clock."""

    FUNDER = "funder"
    CONTRIBUTION = "contribution"
    OTHER = "other"


INCOME_SOURCES = {
    IncomeSource.FUNDER: "Payment from the council or NHS",
    IncomeSource.CONTRIBUTION: "My own contribution",
    IncomeSource.OTHER: "Other money in (for example, a refund)",
}
# A mistaken record of money in is voided with a reason, never corrected: two of the money records' states.
MONEY_IN_STATUSES = (RecordStatus.ACTIVE, RecordStatus.VOIDED)


class MoneyIn(db.Model):
    """Money paid into the budget: the funder's payments and the person's own contribution.

    Never deleted: a mistaken record is voided with a reason."""

    __tablename__ = "money_in"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint(check_in("source", IncomeSource), name="source"),
        CheckConstraint(check_in("status", MONEY_IN_STATUSES), name="status"),
        CheckConstraint("status = 'active' OR change_reason <> ''", name="reason_when_voided"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    # The bank statement line it arrived on (managed accounts), once matched.
    statement_line_id: Mapped[int | None] = mapped_column(ForeignKey("statement_line.id"), index=True)
    from_statement: Mapped[bool] = mapped_column(default=False, server_default="0")
    status: Mapped[str] = mapped_column(String(10), default=RecordStatus.ACTIVE)
    change_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])

    @property
    def is_active(self) -> bool:
        return self.status == RecordStatus.ACTIVE

    @property
    def source_label(self) -> str:
        return INCOME_SOURCES[self.source]
