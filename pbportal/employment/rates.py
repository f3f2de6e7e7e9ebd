"""Statutory figures (wages, NI, pension, holiday, SSP, DBS) as data with valid-from dates and sources."""
from __future__ import annotations

import csv
import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Date, ForeignKey, Numeric, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import record
from ..extensions import db
from ..money import format_pence
from ..timeutil import UTCDateTime, utcnow

SEED_FILE = Path(__file__).with_name("statutory_rates.csv")


class Unit(enum.StrEnum):
    """What a statutory figure is measured in."""

    PENCE_PER_HOUR = "pence_per_hour"
    PENCE_PER_WEEK = "pence_per_week"
    PENCE_PER_DAY = "pence_per_day"
    PENCE_PER_MONTH = "pence_per_month"
    PENCE_PER_YEAR = "pence_per_year"
    PENCE = "pence"
    PERCENT = "percent"
    WEEKS = "weeks"
    YEARS = "years"  # an age
    DAYS = "days"

    @property
    def in_pence(self) -> bool:
        """Money, kept as a whole number of pence."""
        return self in (Unit.PENCE_PER_HOUR, Unit.PENCE_PER_DAY, Unit.PENCE_PER_WEEK, Unit.PENCE_PER_MONTH,
                        Unit.PENCE_PER_YEAR, Unit.PENCE)

    def show(self, value: Decimal) -> str:
        if self.in_pence:
            return format_pence(int(value))
        if self is Unit.YEARS:
            return f"{float(value):g} years old"
        if self is Unit.DAYS:
            return f"{float(value):g} day{'' if value == 1 else 's'}"
        return f"{float(value):g}%" if self is Unit.PERCENT else f"{float(value):g} weeks"


# kind: (label, unit)
KINDS = {
    "nlw_21_plus": ("National Living Wage", Unit.PENCE_PER_HOUR),
    "nlw_age": ("Age the National Living Wage starts at", Unit.YEARS),
    "nmw_21_22": ("National Minimum Wage, 21 to 22 (while the National Living Wage started at 23)",
                  Unit.PENCE_PER_HOUR),
    "nmw_18_20": ("National Minimum Wage, 18 to 20", Unit.PENCE_PER_HOUR),
    "nmw_under_18": ("National Minimum Wage, under 18", Unit.PENCE_PER_HOUR),
    "nmw_apprentice": ("Apprentice rate", Unit.PENCE_PER_HOUR),
    "accommodation_offset": ("Accommodation offset (live-in PAs)", Unit.PENCE_PER_DAY),
    "employer_ni_rate": ("Employer National Insurance rate", Unit.PERCENT),
    "employer_ni_threshold": ("Employer NI secondary threshold", Unit.PENCE_PER_YEAR),
    "employer_ni_threshold_weekly": ("Employer NI secondary threshold, weekly pay", Unit.PENCE_PER_WEEK),
    "employer_ni_threshold_monthly": ("Employer NI secondary threshold, monthly pay", Unit.PENCE_PER_MONTH),
    "employer_ni_under21_upper": ("Employer NI: 0% up to this for PAs under 21", Unit.PENCE_PER_YEAR),
    "employer_ni_under21_upper_weekly": ("Employer NI: 0% up to this for PAs under 21, weekly pay",
                                         Unit.PENCE_PER_WEEK),
    "employer_ni_under21_upper_monthly": ("Employer NI: 0% up to this for PAs under 21, monthly pay",
                                          Unit.PENCE_PER_MONTH),
    "lel_weekly": ("National Insurance lower earnings limit, weekly pay", Unit.PENCE_PER_WEEK),
    "lel_monthly": ("National Insurance lower earnings limit, monthly pay", Unit.PENCE_PER_MONTH),
    "employment_allowance": ("Employment Allowance", Unit.PENCE_PER_YEAR),
    "pension_trigger": ("Pension auto-enrolment earnings trigger", Unit.PENCE_PER_YEAR),
    "pension_trigger_weekly": ("Pension auto-enrolment earnings trigger, weekly pay", Unit.PENCE_PER_WEEK),
    "pension_trigger_monthly": ("Pension auto-enrolment earnings trigger, monthly pay", Unit.PENCE_PER_MONTH),
    "pension_lower": ("Pension qualifying earnings: lower limit", Unit.PENCE_PER_YEAR),
    "pension_lower_weekly": ("Pension qualifying earnings: lower limit, weekly pay", Unit.PENCE_PER_WEEK),
    "pension_lower_monthly": ("Pension qualifying earnings: lower limit, monthly pay", Unit.PENCE_PER_MONTH),
    "pension_upper": ("Pension qualifying earnings: upper limit", Unit.PENCE_PER_YEAR),
    "pension_upper_weekly": ("Pension qualifying earnings: upper limit, weekly pay", Unit.PENCE_PER_WEEK),
    "pension_upper_monthly": ("Pension qualifying earnings: upper limit, monthly pay", Unit.PENCE_PER_MONTH),
    "pension_employer_rate": ("Employer pension contribution", Unit.PERCENT),
    "holiday_accrual_rate": ("Holiday accrual for irregular hours", Unit.PERCENT),
    "holiday_weeks": ("Statutory holiday", Unit.WEEKS),
    "ssp_weekly": ("Statutory Sick Pay", Unit.PENCE_PER_WEEK),
    "ssp_earnings_percent": ("Statutory Sick Pay: at most this share of average weekly earnings", Unit.PERCENT),
    "ssp_waiting_days": ("Statutory Sick Pay: unpaid waiting days", Unit.DAYS),
    "dbs_basic": ("Basic DBS check", Unit.PENCE),
    "dbs_standard": ("Standard DBS check", Unit.PENCE),
    "dbs_enhanced": ("Enhanced DBS check", Unit.PENCE),
    "dbs_update_service": ("DBS Update Service subscription", Unit.PENCE_PER_YEAR),
}


class StatutoryRate(db.Model):
    __tablename__ = "statutory_rate"
    __table_args__ = (UniqueConstraint("kind", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    source: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def unit(self) -> Unit:
        return KINDS[self.kind][1]

    @property
    def shown(self) -> str:
        """The figure as people read it: £12.71, 15% or 5.6 weeks."""
        return self.unit.show(self.value)


def tax_year_start(day: date) -> date:
    """6 April on or before day: UK tax years run 6 April to 5 April."""
    start = date(day.year, 4, 6)
    return start if day >= start else date(day.year - 1, 4, 6)


def tax_year_label(day: date) -> str:
    start = tax_year_start(day)
    return f"{start.year}/{str(start.year + 1)[2:]}"


class UnknownRate(LookupError):
    """No figure is recorded for this kind on that date (for example, a tax year not yet entered)."""


@dataclass(frozen=True)
class Rates:
    """The statutory figures in force on one day."""

    on: date
    values: dict[str, Decimal]

    def __getitem__(self, kind: str) -> Decimal:
        try:
            return self.values[kind]
        except KeyError:
            raise UnknownRate(f"No {KINDS.get(kind, (kind,))[0]} is recorded for {self.on:%-d %B %Y}") from None

    def pence(self, kind: str) -> int:
        return int(self[kind])

    def fraction(self, kind: str) -> Decimal:
        return self[kind] / 100


def rates_on(day: date, rows: list[StatutoryRate] | None = None) -> Rates:
    """The latest figure of each kind valid on day (one query, or none if rows are given)."""
    if rows is None:
        rows = db.session.scalars(
            select(StatutoryRate).where(StatutoryRate.valid_from <= day).order_by(StatutoryRate.valid_from)
        ).all()
    values: dict[str, Decimal] = {}
    for row in sorted(rows, key=lambda r: r.valid_from):
        if row.valid_from <= day:
            values[row.kind] = Decimal(row.value)
    return Rates(day, values)


def seed_rows() -> list[dict]:
    with SEED_FILE.open(newline="", encoding="utf-8") as handle:
        return [
            {"kind": r["kind"], "valid_from": date.fromisoformat(r["valid_from"]), "value": Decimal(r["value"]),
             "source": r["source"]}
            for r in csv.DictReader(handle)
        ]


def seed_statutory_rates() -> int:
    """Add any seed figure that is not yet in the table; returns how many were added."""
    existing = set(db.session.execute(select(StatutoryRate.kind, StatutoryRate.valid_from)).all())
    added = 0
    for row in seed_rows():
        if (row["kind"], row["valid_from"]) not in existing:
            db.session.add(StatutoryRate(**row))
            added += 1
    return added


def figures_by_kind() -> dict[str, list[StatutoryRate]]:
    """Every figure, grouped by kind in the order of KINDS, the latest first."""
    by_kind: dict[str, list[StatutoryRate]] = {kind: [] for kind in KINDS}
    for row in db.session.scalars(select(StatutoryRate).order_by(StatutoryRate.kind, StatutoryRate.valid_from.desc())):
        by_kind.setdefault(row.kind, []).append(row)
    return by_kind


class FigureExists(ValueError):
    """The kind already has a figure from that date; the message is for the administrator."""


def save_figure(kind: str, values: dict, actor, row: StatutoryRate | None = None) -> StatutoryRate:
    """Add a figure of `kind`, or change `row`; audited. values: valid_from, value, source."""
    clash = select(StatutoryRate.id).where(StatutoryRate.kind == kind, StatutoryRate.valid_from == values["valid_from"])
    if row is not None:
        clash = clash.where(StatutoryRate.id != row.id)
    if db.session.scalar(clash) is not None:
        raise FigureExists(f"There is already a figure for {KINDS[kind][0]} from this date: change that one")
    creating = row is None
    before = None if creating else {"valid_from": row.valid_from, "value": row.value, "source": row.source}
    row = row or StatutoryRate(kind=kind)
    row.valid_from, row.value, row.source = values["valid_from"], values["value"], values["source"]
    row.changed_by_id = actor.id
    db.session.add(row)
    db.session.flush()
    record("statutory_rate.added" if creating else "statutory_rate.changed", row, actor=actor, budget_id=None,
           kind=kind, before=before, valid_from=row.valid_from, value=row.value, source=row.source)
    return row


# The figures that change every April: an administrator adds next year's when they are announced.
YEARLY_KINDS = ("nlw_21_plus", "nmw_18_20", "nmw_under_18", "nmw_apprentice", "accommodation_offset", "ssp_weekly",
                "lel_weekly", "lel_monthly")


def missing_next_year(today: date) -> tuple[date, list[str]] | None:
    """In March and April: the coming (or new) April and the names of yearly figures with none from it yet;
    None at other times of year or when all are entered."""
    if today.month not in (3, 4):
        return None
    april = date(today.year, 4, 1)
    held = set(db.session.scalars(select(StatutoryRate.kind).where(StatutoryRate.valid_from >= april)))
    missing = [KINDS[kind][0] for kind in YEARLY_KINDS if kind not in held]
    return (april, missing) if missing else None

