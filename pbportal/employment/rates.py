"""Statutory figures (wages, NI, pension, holiday, SSP, DBS) as data with valid-from dates and sources."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Date, ForeignKey, Numeric, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

SEED_FILE = Path(__file__).with_name("statutory_rates.csv")

# kind: (label, unit). Units: pence_per_hour, percent, pence_per_year, pence_per_week, pence, weeks.
KINDS = {
    "nlw_21_plus": ("National Living Wage, 21 and over", "pence_per_hour"),
    "nmw_18_20": ("National Minimum Wage, 18 to 20", "pence_per_hour"),
    "nmw_under_18": ("National Minimum Wage, under 18", "pence_per_hour"),
    "employer_ni_rate": ("Employer National Insurance rate", "percent"),
    "employer_ni_threshold": ("Employer NI secondary threshold", "pence_per_year"),
    "employer_ni_under21_upper": ("Employer NI: 0% up to this for PAs under 21", "pence_per_year"),
    "employment_allowance": ("Employment Allowance", "pence_per_year"),
    "pension_trigger": ("Pension auto-enrolment earnings trigger", "pence_per_year"),
    "pension_lower": ("Pension qualifying earnings: lower limit", "pence_per_year"),
    "pension_upper": ("Pension qualifying earnings: upper limit", "pence_per_year"),
    "pension_employer_rate": ("Employer pension contribution", "percent"),
    "holiday_accrual_rate": ("Holiday accrual for irregular hours", "percent"),
    "holiday_weeks": ("Statutory holiday", "weeks"),
    "ssp_weekly": ("Statutory Sick Pay", "pence_per_week"),
    "dbs_enhanced": ("Enhanced DBS check", "pence"),
    "dbs_update_service": ("DBS Update Service subscription", "pence_per_year"),
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
    def label(self) -> str:
        return KINDS.get(self.kind, (self.kind, ""))[0]

    @property
    def unit(self) -> str:
        return KINDS.get(self.kind, ("", ""))[1]


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
