"""Personal assistants a holder employs: their pay, the employer's checks, training and delegated tasks."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..budget.models import BudgetLine
from ..choices import RecordStatus, check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow
from .payrules import PAY_FREQUENCIES, WEEKDAYS, PayFrequency


class EmploymentType(enum.StrEnum):
    """Employed PAs are paid through payroll (holiday, pension, NI); self-employed ones send invoices."""

    EMPLOYED = "employed"
    SELF_EMPLOYED = "self_employed"


EMPLOYMENT_TYPES = {
    EmploymentType.EMPLOYED: "Employed: I pay them through payroll",
    EmploymentType.SELF_EMPLOYED: "Self-employed: they send me invoices",
}


class CheckKind(enum.StrEnum):
    RIGHT_TO_WORK = "right_to_work"
    DBS = "dbs"
    CONTRACT = "contract"
    PENSION = "pension"


CHECK_KINDS = {
    CheckKind.RIGHT_TO_WORK: "Right to work",
    CheckKind.DBS: "DBS check",
    CheckKind.CONTRACT: "Written contract and terms",
    CheckKind.PENSION: "Pension duties assessed",
}


class DbsLevel(enum.StrEnum):
    ENHANCED = "enhanced"
    ENHANCED_BARRED = "enhanced_barred"
    STANDARD = "standard"
    BASIC = "basic"


DBS_LEVELS = {DbsLevel.ENHANCED: "Enhanced", DbsLevel.ENHANCED_BARRED: "Enhanced with barred list",
              DbsLevel.STANDARD: "Standard", DbsLevel.BASIC: "Basic"}


class RateKind(enum.StrEnum):
    """A PA's hourly rates. The PA form offers day, night and weekend; the others are kept for older records."""

    DAY = "day"
    NIGHT = "night"
    WEEKEND = "weekend"
    SLEEP_IN = "sleep_in"
    OTHER = "other"


RATE_KINDS = {RateKind.DAY: "Day", RateKind.NIGHT: "Night", RateKind.WEEKEND: "Weekend",
              RateKind.SLEEP_IN: "Sleep-in", RateKind.OTHER: "Other"}


class AbsenceKind(enum.StrEnum):
    HOLIDAY = "holiday"
    SICK = "sick"


ABSENCE_KINDS = {AbsenceKind.HOLIDAY: "Holiday", AbsenceKind.SICK: "Sick"}


class PaySource(enum.StrEnum):
    """Where a pay record came from: the pay form, or the payroll provider's CSV."""

    FORM = "form"
    CSV = "csv"


# A mistaken pay record is voided with a reason (and recorded again), never corrected.
PAY_STATUSES = (RecordStatus.ACTIVE, RecordStatus.VOIDED)


class _Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


# What the holder sets on the PA form and the employer form (besides rates and money).
PA_DETAILS = ("name", "phone", "email", "date_of_birth", "start_date", "employment_type", "irregular_hours",
              "is_relative", "relative_exception", "line_id", "pay_frequency", "pay_weekday", "working_days",
              "sleep_ins_per_week", "sleep_in_pence", "apprentice_since", "lives_in", "accommodation_charge_pence",
              "pension_enrolled_on", "pension_opted_out_on", "pension_postponed_until")
EMPLOYER_DETAILS = ("paye_reference", "hmrc_registered_on", "insurer", "policy_number", "insurance_renews_on",
                    "insurance_covers_delegated_tasks")
# Answered for the holder as one employer, across all their budgets.
EMPLOYER_ANSWERS = ("care_duties_only",)


class PersonalAssistant(_Timestamps, db.Model):
    __tablename__ = "personal_assistant"
    __table_args__ = (
        CheckConstraint(check_in("employment_type", EmploymentType), name="employment_type"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        CheckConstraint("hours_per_week >= 0", name="hours_not_negative"),
        CheckConstraint(check_in("pay_frequency", PayFrequency), name="pay_frequency"),
        CheckConstraint("pay_weekday BETWEEN 0 AND 6", name="pay_weekday"),
        CheckConstraint("sleep_ins_per_week >= 0 AND sleep_in_pence >= 0 AND accommodation_charge_pence >= 0",
                        name="pa_amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    employment_type: Mapped[str] = mapped_column(String(20), default=EmploymentType.EMPLOYED)
    irregular_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    hours_per_week: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=0)
    is_relative: Mapped[bool] = mapped_column(Boolean, default=False)
    relative_exception: Mapped[str] = mapped_column(Text, default="")
    line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_line.id"))
    # How and when they are paid: the pay days in a year (52 or 53 weekly ones) and each period's thresholds.
    pay_frequency: Mapped[str] = mapped_column(String(20), default=PayFrequency.WEEKLY,
                                               server_default=PayFrequency.WEEKLY.value)
    pay_weekday: Mapped[int] = mapped_column(default=4, server_default="4")  # Monday 0 … Sunday 6
    # The days they normally work (weekday digits, Monday 0): sick pay's qualifying days, holiday in days.
    working_days: Mapped[str] = mapped_column(String(7), default="01234", server_default="01234")
    # Sleep-ins a week and the flat amount paid for each: not working time for the minimum wage.
    sleep_ins_per_week: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=0, server_default="0")
    sleep_in_pence: Mapped[int] = mapped_column(default=0, server_default="0")
    apprentice_since: Mapped[date | None] = mapped_column(Date)
    # A live-in PA: free accommodation counts as pay up to the offset; a daily charge above it comes off.
    lives_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    accommodation_charge_pence: Mapped[int] = mapped_column(default=0, server_default="0")
    # Automatic enrolment: when they joined the pension scheme, opted out, or enrolment is postponed to.
    pension_enrolled_on: Mapped[date | None] = mapped_column(Date)
    pension_opted_out_on: Mapped[date | None] = mapped_column(Date)
    pension_postponed_until: Mapped[date | None] = mapped_column(Date)

    line: Mapped[BudgetLine | None] = relationship()
    rates: Mapped[list[PayRate]] = relationship(order_by="PayRate.id", back_populates="pa")

    @property
    def is_employed(self) -> bool:
        return self.employment_type == EmploymentType.EMPLOYED

    def is_current(self, on: date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)

    @property
    def frequency(self) -> PayFrequency:
        return PayFrequency(self.pay_frequency)

    @property
    def days_per_week(self) -> int:
        return len(self.working_days)

    @property
    def pay_pattern(self) -> str:
        """'Every week, on Friday', for the PA's page."""
        when = PAY_FREQUENCIES[self.frequency]
        if self.frequency is PayFrequency.MONTHLY:
            return f"{when}, counted on its last day"
        return f"{when}, on {WEEKDAYS[self.pay_weekday]}"

    @property
    def working_days_text(self) -> str:
        return ", ".join(WEEKDAYS[int(d)] for d in self.working_days) or "None"

    @property
    def pension_text(self) -> str:
        if self.pension_opted_out_on:
            return f"Opted out on {self.pension_opted_out_on:%-d %B %Y}"
        if self.pension_enrolled_on:
            return f"Joined on {self.pension_enrolled_on:%-d %B %Y}"
        if self.pension_postponed_until:
            return f"Enrolment postponed until {self.pension_postponed_until:%-d %B %Y}"
        return "Not in a workplace pension"

    @property
    def accommodation_charge(self) -> int | None:
        """For the minimum wage: the daily accommodation charge of a live-in PA (0 when free), else None."""
        return self.accommodation_charge_pence if self.lives_in else None


class PayRate(db.Model):
    """One of a PA's hourly rates (day, night, weekend…) and the hours a week paid at it."""

    __tablename__ = "pay_rate"
    __table_args__ = (
        CheckConstraint("hourly_pence > 0", name="rate_positive"),
        CheckConstraint("hours_per_week >= 0", name="hours_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pa_id: Mapped[int] = mapped_column(ForeignKey("personal_assistant.id"), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=RateKind.DAY)
    hourly_pence: Mapped[int]
    hours_per_week: Mapped[Decimal] = mapped_column(Numeric(6, 2))

    pa: Mapped[PersonalAssistant] = relationship(back_populates="rates")

    @property
    def kind_label(self) -> str:
        return RATE_KINDS.get(self.kind, self.kind)


class EmploymentCheck(db.Model):
    """An employer's check for one PA, with its date and evidence. Newer checks supersede older ones."""

    __tablename__ = "employment_check"
    __table_args__ = (
        CheckConstraint(check_in("kind", CheckKind), name="kind"),
        CheckConstraint("expires_on IS NULL OR expires_on >= checked_on", name="expires_after_check"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pa_id: Mapped[int] = mapped_column(ForeignKey("personal_assistant.id"), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    checked_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text, default="")
    dbs_level: Mapped[str] = mapped_column(String(20), default="")
    dbs_certificate: Mapped[str] = mapped_column(String(40), default="")
    dbs_update_service: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User] = relationship()

    @property
    def kind_label(self) -> str:
        return CHECK_KINDS[self.kind]

    @property
    def is_dbs(self) -> bool:
        return self.kind == CheckKind.DBS

    @property
    def dbs_level_label(self) -> str:
        return DBS_LEVELS.get(self.dbs_level, "")


class Employer(_Timestamps, db.Model):
    """The holder as an employer: HMRC registration, insurance and payroll, one per budget."""

    __tablename__ = "employer"
    __table_args__ = (UniqueConstraint("budget_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    paye_reference: Mapped[str] = mapped_column(String(20), default="")
    hmrc_registered_on: Mapped[date | None] = mapped_column(Date)
    insurer: Mapped[str] = mapped_column(String(200), default="")
    policy_number: Mapped[str] = mapped_column(String(60), default="")
    insurance_renews_on: Mapped[date | None] = mapped_column(Date)
    insurance_covers_delegated_tasks: Mapped[bool] = mapped_column(Boolean, default=False)
    insurance_premium_pence: Mapped[int] = mapped_column(default=0)
    payroll_fee_pence_per_year: Mapped[int] = mapped_column(default=0)
    # Asked once for the holder as an employer (copied to each of their budgets): are all the employees' duties
    # for the person's care and support? Employment Allowance needs it (HMRC NIM06520). None: not answered.
    care_duties_only: Mapped[bool | None] = mapped_column(Boolean)


class AllowanceClaim(db.Model):
    """Whether Employment Allowance is claimed for a tax year (it usually wipes out employer NI)."""

    __tablename__ = "allowance_claim"
    __table_args__ = (UniqueConstraint("budget_id", "tax_year_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    tax_year_start: Mapped[date] = mapped_column(Date)
    claimed: Mapped[bool] = mapped_column(Boolean, default=True)


class Training(db.Model):
    __tablename__ = "training"
    __table_args__ = (
        CheckConstraint("expires_on IS NULL OR expires_on >= completed_on", name="expires_after_completed"),
        CheckConstraint("cost_pence >= 0", name="cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pa_id: Mapped[int] = mapped_column(ForeignKey("personal_assistant.id"), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    course: Mapped[str] = mapped_column(String(200))
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    cost_pence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DelegatedTask(_Timestamps, db.Model):
    """A healthcare task a registered practitioner has delegated to a PA, with training and sign-off."""

    __tablename__ = "delegated_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    pa_id: Mapped[int] = mapped_column(ForeignKey("personal_assistant.id"), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    task: Mapped[str] = mapped_column(String(200))
    practitioner: Mapped[str] = mapped_column(String(200))
    practitioner_registration: Mapped[str] = mapped_column(String(60))
    trained_on: Mapped[date | None] = mapped_column(Date)
    signed_off_by: Mapped[str] = mapped_column(String(200), default="")
    signed_off_on: Mapped[date | None] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date)


class PayRecord(db.Model):
    """One pay period's pay for a PA; recording it creates the spending entries that pay it."""

    __tablename__ = "pay_record"
    __table_args__ = (
        # One active pay record per PA and period; a voided one can be recorded again, correctly.
        Index("uq_pay_record_active_period", "pa_id", "period_start", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
        CheckConstraint("period_end >= period_start", name="period_order"),
        CheckConstraint("hours >= 0", name="hours_not_negative"),
        CheckConstraint("gross_pence > 0", name="gross_positive"),
        CheckConstraint("net_pence > 0 AND net_pence + employee_pension_pence <= gross_pence",
                        name="net_within_gross"),
        CheckConstraint("employer_ni_pence >= 0 AND employer_pension_pence >= 0 AND employee_pension_pence >= 0",
                        name="costs_not_negative"),
        CheckConstraint("sleep_ins >= 0 AND sleep_in_pence >= 0 AND holiday_pay_pence >= 0 AND ssp_pence >= 0 AND "
                        "sleep_in_pence + holiday_pay_pence + ssp_pence <= gross_pence", name="parts_within_gross"),
        CheckConstraint(check_in("status", PAY_STATUSES), name="status"),
        CheckConstraint("status = 'active' OR change_reason <> ''", name="reason_when_voided"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pa_id: Mapped[int] = mapped_column(ForeignKey("personal_assistant.id"), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    gross_pence: Mapped[int]
    employer_ni_pence: Mapped[int] = mapped_column(default=0)
    employee_pension_pence: Mapped[int] = mapped_column(default=0)
    employer_pension_pence: Mapped[int] = mapped_column(default=0)
    net_pence: Mapped[int]
    # Parts of gross that are not pay for hours awake and working (left out of the minimum wage check).
    sleep_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    sleep_in_pence: Mapped[int] = mapped_column(default=0, server_default="0")
    holiday_pay_pence: Mapped[int] = mapped_column(default=0, server_default="0")
    # Rolled-up holiday pay (irregular-hours workers only): paid with each pay and shown apart on the payslip.
    holiday_rolled_up: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    ssp_pence: Mapped[int] = mapped_column(default=0, server_default="0")
    paid_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20), default=PaySource.FORM)
    status: Mapped[str] = mapped_column(String(10), default=RecordStatus.ACTIVE)
    change_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_active(self) -> bool:
        return self.status == RecordStatus.ACTIVE

    @property
    def is_imported(self) -> bool:
        return self.source == PaySource.CSV

    @property
    def hmrc_pence(self) -> int:
        """Income tax and employee NI deducted from gross, plus employer NI: all paid to HMRC."""
        return self.gross_pence - self.net_pence - self.employee_pension_pence + self.employer_ni_pence

    @property
    def pension_pence(self) -> int:
        return self.employee_pension_pence + self.employer_pension_pence


class PayRecordEntry(db.Model):
    """Which spending entries a pay record created (wages, HMRC, pension), or holds: a payment of the net pay
    recorded before the pay was (linked). Voiding the pay voids what it created and lets go of what it linked."""

    __tablename__ = "pay_record_entry"
    __table_args__ = (UniqueConstraint("entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pay_record_id: Mapped[int] = mapped_column(ForeignKey("pay_record.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("spending_entry.id"))
    linked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Absence(db.Model):
    __tablename__ = "absence"
    __table_args__ = (
        CheckConstraint(check_in("kind", AbsenceKind), name="kind"),
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pa_id: Mapped[int] = mapped_column(ForeignKey("personal_assistant.id"), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    # Holiday hours taken, when they are not the PA's usual hours for those days (irregular hours).
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def kind_label(self) -> str:
        return ABSENCE_KINDS[self.kind]

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1
