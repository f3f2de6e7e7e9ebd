"""Itemised payslips for a PA's pay records: one A4 page each, and a tax year's together."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..choices import RecordStatus
from ..extensions import db
from .models import Employer, PayRecord, PersonalAssistant
from .payrules import WageCheck, wage_check
from .rates import StatutoryRate, UnknownRate, rates_on

# Minimum-wage records are kept for 6 years (National Minimum Wage Regulations 2015, reg 59(8)).
RECORDS_KEPT_YEARS = 6


@dataclass(frozen=True)
class Payslip:
    record: PayRecord
    employer_name: str
    paye_reference: str
    check: WageCheck | None

    @property
    def basic_pence(self) -> int:
        """Pay for the hours awake and working: gross less sleep-in pay, holiday pay and sick pay."""
        r = self.record
        return r.gross_pence - r.sleep_in_pence - r.holiday_pay_pence - r.ssp_pence

    @property
    def tax_and_ni_pence(self) -> int:
        """Income tax and employee NI as one deduction: what the payroll gave, less the employee's pension."""
        r = self.record
        return r.gross_pence - r.net_pence - r.employee_pension_pence


def _employer(budget) -> tuple[str, str]:
    employer = db.session.scalar(select(Employer).where(Employer.budget_id == budget.id))
    return budget.person_name, (employer.paye_reference if employer else "")


def payslips_for(budget, pa: PersonalAssistant, records: list[PayRecord]) -> list[Payslip]:
    """Payslips for these records, each with its minimum-wage check at the figures of its period's start."""
    name, paye = _employer(budget)
    rows = db.session.scalars(select(StatutoryRate)).all()
    slips = []
    for record in records:
        try:
            check = wage_check(record, rates_on(record.period_start, rows), date_of_birth=pa.date_of_birth,
                               apprentice_since=pa.apprentice_since,
                               accommodation_charge_pence=pa.accommodation_charge) if pa.is_employed else None
        except UnknownRate:
            check = None
        slips.append(Payslip(record, name, paye, check))
    return slips


def tax_year_records(pa: PersonalAssistant, start: date) -> list[PayRecord]:
    """The PA's pay records paid in the tax year from `start` (6 April), voided ones left out, oldest first."""
    end = date(start.year + 1, 4, 5)
    return list(db.session.scalars(
        select(PayRecord).where(PayRecord.pa_id == pa.id, PayRecord.status == RecordStatus.ACTIVE,
                                PayRecord.paid_on >= start, PayRecord.paid_on <= end)
        .order_by(PayRecord.paid_on, PayRecord.period_start)))


def tax_years_paid(pa: PersonalAssistant) -> list[date]:
    """The first days of the tax years in which the PA was paid, newest first."""
    days = db.session.scalars(select(PayRecord.paid_on).where(PayRecord.pa_id == pa.id,
                                                             PayRecord.status == RecordStatus.ACTIVE)).all()
    starts = {date(d.year if (d.month, d.day) >= (4, 6) else d.year - 1, 4, 6) for d in days}
    return sorted(starts, reverse=True)
