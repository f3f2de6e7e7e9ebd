"""The employment rules for one pay period, each with the figures in force and its working in plain words.

Pure functions: no database. `rates` are the statutory figures in force on the day that matters for the rule:
the first day of the pay reference period for the minimum wage (NMW Regulations 2015, reg 4B), the pay day for
National Insurance and pension contributions (both are worked out on what is paid, when it is paid).
"""
from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal

from ..money import format_pence
from .rates import Rates, UnknownRate

# Automatic enrolment ages are in the Pensions Act 2008 (s 3 and s 7); they have not changed since 2012.
ENROLMENT_AGE = 22
JOINING_AGES = (16, 74)
POSTPONEMENT = 3  # months an employer may postpone automatic enrolment
REENROLMENT_YEARS = 3


class PayFrequency(enum.StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    FOUR_WEEKLY = "four_weekly"
    MONTHLY = "monthly"


PAY_FREQUENCIES = {PayFrequency.WEEKLY: "Every week", PayFrequency.FORTNIGHTLY: "Every 2 weeks",
                   PayFrequency.FOUR_WEEKLY: "Every 4 weeks", PayFrequency.MONTHLY: "Every month"}
WEEKS_IN = {PayFrequency.WEEKLY: 1, PayFrequency.FORTNIGHTLY: 2, PayFrequency.FOUR_WEEKLY: 4}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def frequency_of(start: date, end: date) -> PayFrequency:
    """How often a PA is paid, read from one pay period's length (a month is up to 31 days)."""
    days = (end - start).days + 1
    if days <= 7:
        return PayFrequency.WEEKLY
    if days <= 14:
        return PayFrequency.FORTNIGHTLY
    if days <= 28:
        return PayFrequency.FOUR_WEEKLY
    return PayFrequency.MONTHLY


def period_figure(rates: Rates, kind: str, frequency: PayFrequency) -> int:
    """A threshold for one pay period: HMRC's and the Pensions Regulator's monthly figure for monthly pay, the
    weekly figure times the weeks for weekly, fortnightly and four-weekly pay."""
    if frequency is PayFrequency.MONTHLY:
        return rates.pence(f"{kind}_monthly")
    return rates.pence(f"{kind}_weekly") * WEEKS_IN[frequency]


def period_name(frequency: PayFrequency) -> str:
    return {PayFrequency.WEEKLY: "weekly", PayFrequency.FORTNIGHTLY: "2-weekly",
            PayFrequency.FOUR_WEEKLY: "4-weekly", PayFrequency.MONTHLY: "monthly"}[frequency]


def round_nic(value: Decimal) -> int:
    """HMRC's exact percentage method: a part of a penny of 0.5p or less is dropped, more than 0.5p rounds up."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_DOWN))


def to_pence(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def age_on(date_of_birth: date | None, day: date) -> int | None:
    if date_of_birth is None:
        return None
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


# ---- the minimum wage ------------------------------------------------------------------------------------

def minimum_wage(rates: Rates, date_of_birth: date | None, day: date,
                 apprentice_since: date | None = None) -> tuple[int, str]:
    """The legal minimum hourly pay (pence) on `day` and its name. For a pay record, day is the first day of its
    pay reference period and rates those in force on it: a new rate applies from the first pay period that
    starts on or after 1 April (reg 4B), and the band from the PA's age when the period starts. The age the
    National Living Wage starts at is data (25, then 23 from April 2021, 21 from April 2024); while it was 23
    there was a 21 to 22 band. The apprentice rate is for apprentices under 19 or in their apprenticeship's
    first year.

    With no date of birth we assume the National Living Wage age or over, the highest band, so nobody is
    underpaid by omission."""
    age = age_on(date_of_birth, day)
    if apprentice_since is not None and apprentice_since <= day and \
            (day < add_months(apprentice_since, 12) or (age is not None and age < 19)):
        return rates.pence("nmw_apprentice"), "apprentice rate"
    if age is None or age >= int(rates["nlw_age"]):
        return rates.pence("nlw_21_plus"), "National Living Wage"
    if age >= 21:
        return rates.pence("nmw_21_22"), "National Minimum Wage for 21 to 22 year olds"
    if age >= 18:
        return rates.pence("nmw_18_20"), "National Minimum Wage for 18 to 20 year olds"
    return rates.pence("nmw_under_18"), "National Minimum Wage for under 18s"


@dataclass(frozen=True)
class WageCheck:
    """A pay period's pay measured against the minimum wage, with what was and was not counted."""

    counted_pence: int
    hours: Decimal
    minimum_pence: int
    label: str
    left_out: tuple[str, ...]
    added: tuple[str, ...]

    @property
    def hourly(self) -> Decimal:
        return Decimal(self.counted_pence) / self.hours

    @property
    def below(self) -> bool:
        return self.hourly < self.minimum_pence

    @property
    def shortfall_pence(self) -> int:
        """What the period's pay lacks to reach the minimum for its hours (0 when it does)."""
        return max(to_pence(self.minimum_pence * self.hours) - self.counted_pence, 0)

    @property
    def working(self) -> str:
        parts = [f"{format_pence(self.counted_pence)} for {self.hours.normalize():f} hours awake and working is "
                 f"{format_pence(int(self.hourly))} an hour; the {self.label} is "
                 f"{format_pence(self.minimum_pence)}"]
        parts += [f"{what} not counted" for what in self.left_out]
        parts += list(self.added)
        return "; ".join(parts)


def wage_check(record, rates: Rates, *, date_of_birth: date | None, apprentice_since: date | None = None,
               accommodation_charge_pence: int | None = None) -> WageCheck | None:
    """Pay for the minimum wage is gross pay less what is not pay for time worked: sleep-in payments (time asleep
    on a sleep-in is not working time, Royal Mencap Society v Tomlinson-Blake [2021] UKSC 8), holiday pay and
    Statutory Sick Pay; hours are the hours awake and working. For a live-in PA, free accommodation counts as
    pay up to the accommodation offset a day, and a charge above the offset comes off. None when the record
    has no working hours to measure."""
    hours = Decimal(record.hours or 0)
    if hours <= 0:
        return None
    counted = record.gross_pence
    left_out, added = [], []
    for amount, what in ((getattr(record, "sleep_in_pence", 0), "sleep-in pay"),
                         (getattr(record, "holiday_pay_pence", 0), "holiday pay"),
                         (getattr(record, "ssp_pence", 0), "sick pay")):
        if amount:
            counted -= amount
            left_out.append(f"{format_pence(amount)} {what}")
    if accommodation_charge_pence is not None:
        days = (record.period_end - record.period_start).days + 1
        offset = rates.pence("accommodation_offset")
        if accommodation_charge_pence == 0:
            counted += offset * days
            added.append(f"free accommodation counts as {format_pence(offset * days)} ({days} days at the "
                         f"{format_pence(offset)} offset)")
        elif accommodation_charge_pence > offset:
            counted -= (accommodation_charge_pence - offset) * days
            added.append(f"the accommodation charge above the {format_pence(offset)} offset "
                         f"({format_pence((accommodation_charge_pence - offset) * days)}) comes off")
    minimum, label = minimum_wage(rates, date_of_birth, record.period_start, apprentice_since)
    return WageCheck(counted, hours, minimum, label, tuple(left_out), tuple(added))


# ---- employer National Insurance ---------------------------------------------------------------------------

@dataclass(frozen=True)
class EmployerNI:
    pence: int
    gross_pence: int
    threshold_pence: int
    rate: Decimal
    under_21: bool
    frequency: PayFrequency

    @property
    def working(self) -> str:
        what = "the under-21 upper threshold" if self.under_21 else "the secondary threshold"
        period = period_name(self.frequency)
        if not self.pence:
            return (f"No employer National Insurance: {format_pence(self.gross_pence)} is not above {what} for "
                    f"{period} pay ({format_pence(self.threshold_pence)})")
        return (f"{self.rate.normalize():f}% of {format_pence(self.gross_pence - self.threshold_pence)}, the pay "
                f"above {what} for {period} pay ({format_pence(self.threshold_pence)})")


def employer_ni(gross_pence: int, rates: Rates, frequency: PayFrequency, age: int | None) -> EmployerNI:
    """Employer (secondary) Class 1 NI for one pay period, worked out with that period's threshold and not an
    annual one spread evenly. A PA under 21 pays no employer NI up to the upper secondary threshold; `age` is
    the PA's age at the end of the period, so the relief ends from the period they turn 21."""
    under_21 = age is not None and age < 21
    threshold = period_figure(rates, "employer_ni_under21_upper" if under_21 else "employer_ni_threshold", frequency)
    rate = rates["employer_ni_rate"]
    pence = round_nic(Decimal(max(gross_pence - threshold, 0)) * rate / 100)
    return EmployerNI(pence, gross_pence, threshold, rate, under_21, frequency)


# ---- automatic enrolment -----------------------------------------------------------------------------------

def state_pension_age_reached_on(date_of_birth: date) -> date:
    """The day someone reaches State Pension age (Pensions Acts 1995, 2007, 2011 and 2014, as legislated):
    66 for those born before 6 April 1960, rising by a month for each month of birth to 5 March 1961, 67 for
    those born from 6 March 1961 to 5 April 1977, and 68 after (rising from 6 April 1977 to 5 April 1978)."""
    born = date_of_birth
    if born < date(1960, 4, 6):
        return add_months(born, 66 * 12)
    if born < date(1961, 3, 6):
        months = (born.year - 1960) * 12 + born.month - 4 + (1 if born.day >= 6 else 0)
        return add_months(born, 66 * 12 + max(months, 1))
    if born < date(1977, 4, 6):
        return add_months(born, 67 * 12)
    if born < date(1978, 4, 6):
        months = (born.year - 1977) * 12 + born.month - 4 + (1 if born.day >= 6 else 0)
        return add_months(born, 67 * 12 + min(max(months, 1), 12))
    return add_months(born, 68 * 12)


class PensionStatus(enum.StrEnum):
    ELIGIBLE = "eligible"  # must be enrolled automatically
    NON_ELIGIBLE = "non_eligible"  # may opt in; the employer then contributes
    ENTITLED = "entitled"  # may ask to join a scheme; no employer contribution is required
    NONE = "none"  # under 16 or 75 and over


@dataclass(frozen=True)
class PensionAssessment:
    status: PensionStatus
    gross_pence: int
    trigger_pence: int
    lower_pence: int
    upper_pence: int
    rate: Decimal
    frequency: PayFrequency

    @property
    def qualifying_pence(self) -> int:
        return max(min(self.gross_pence, self.upper_pence) - self.lower_pence, 0)

    @property
    def contribution_pence(self) -> int:
        """The employer's minimum contribution for the period if the PA is in the scheme."""
        if self.status in (PensionStatus.ENTITLED, PensionStatus.NONE):
            return 0
        return to_pence(Decimal(self.qualifying_pence) * self.rate / 100)

    @property
    def working(self) -> str:
        period = period_name(self.frequency)
        if self.status is PensionStatus.ELIGIBLE:
            return (f"Must be enrolled: aged {ENROLMENT_AGE} to State Pension age and paid more than the "
                    f"{format_pence(self.trigger_pence)} {period} trigger; the employer pays at least "
                    f"{self.rate.normalize():f}% of {format_pence(self.qualifying_pence)} (pay above "
                    f"{format_pence(self.lower_pence)})")
        if self.status is PensionStatus.NON_ELIGIBLE:
            return (f"May choose to join: paid more than {format_pence(self.lower_pence)} but not an eligible "
                    f"jobholder (under {ENROLMENT_AGE}, over State Pension age or not above the "
                    f"{format_pence(self.trigger_pence)} {period} trigger); the employer contributes only if "
                    f"they join")
        if self.status is PensionStatus.ENTITLED:
            return (f"May ask to join a pension, but the employer need not contribute: paid "
                    f"{format_pence(self.lower_pence)} or less {period}")
        return "No pension duties: under 16, or 75 or over"


def assess_pension(gross_pence: int, rates: Rates, frequency: PayFrequency, date_of_birth: date | None,
                   period_end: date) -> PensionAssessment:
    """Automatic enrolment, assessed for each pay reference period as the Pensions Regulator describes: the
    trigger and the qualifying earnings band are the period's (£192 a week, £833 a month). Age is taken at the
    period's end (someone who turns 22 in the period is assessed as 22). Without a date of birth we assume an
    eligible age, so no duty is missed by omission."""
    trigger = period_figure(rates, "pension_trigger", frequency)
    lower = period_figure(rates, "pension_lower", frequency)
    upper = period_figure(rates, "pension_upper", frequency)
    age = age_on(date_of_birth, period_end)
    over_spa = date_of_birth is not None and state_pension_age_reached_on(date_of_birth) <= period_end
    if age is not None and not JOINING_AGES[0] <= age <= JOINING_AGES[1]:
        status = PensionStatus.NONE
    elif (age is None or age >= ENROLMENT_AGE) and not over_spa and gross_pence > trigger:
        status = PensionStatus.ELIGIBLE
    elif gross_pence > lower:
        status = PensionStatus.NON_ELIGIBLE
    else:
        status = PensionStatus.ENTITLED
    return PensionAssessment(status, gross_pence, trigger, lower, upper, rates["pension_employer_rate"], frequency)


def reenrolment_date(duties_start: date, today: date) -> date:
    """The next third anniversary of the employer's duties start date on or after today (re-enrolment is every
    3 years: staff who opted out and are eligible jobholders are put back in)."""
    years = REENROLMENT_YEARS
    while True:
        day = add_months(duties_start, years * 12)
        if day >= today:
            return day
        years += REENROLMENT_YEARS


# ---- Statutory Sick Pay -------------------------------------------------------------------------------------

def qualifying_days(start: date, end: date, working_days: str) -> list[date]:
    """The days in start..end that the PA normally works (working_days: weekday digits, Monday 0)."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)
            if str((start + timedelta(days=n)).weekday()) in working_days]


def average_weekly_earnings(records: Iterable, before: date) -> int | None:
    """Gross pay in the 8 weeks before `before` (pay periods ending in them), a week: None with no pay then."""
    window = [r for r in records if before - timedelta(days=56) <= r.period_end < before]
    if not window:
        return None
    days = sum((r.period_end - r.period_start).days + 1 for r in window)
    return to_pence(Decimal(sum(r.gross_pence for r in window)) * 7 / days)


@dataclass(frozen=True)
class SickPay:
    days: int  # qualifying days off sick
    paid_days: int
    pence: int
    weekly_pence: int
    awe_pence: int | None
    reason: str  # why nothing is owed, when nothing is

    @property
    def working(self) -> str:
        if self.reason:
            return self.reason
        return (f"{self.paid_days} of {self.days} working day{'s' if self.days != 1 else ''} at "
                f"{format_pence(self.weekly_pence)} a week")


def sick_pay(start: date, end: date, *, working_days: str, awe_pence: int | None,
             rates_at: Callable[[date], Rates]) -> SickPay:
    """SSP owed for one sickness. From 6 April 2026 it is payable from the first day with no lower earnings
    limit, at the lower of the weekly rate and 80% of average weekly earnings; before then a sickness of under
    4 days paid nothing, the first 3 working days were waiting days, and earnings had to reach the lower earnings
    limit. Each day is paid at the figures in force on it: the weekly rate shared over the PA's working days."""
    days = qualifying_days(start, end, working_days)
    per_week = len(working_days)
    if not days or not per_week:
        return SickPay(0, 0, 0, 0, awe_pence, "No working days in this sickness")
    first = rates_at(start)
    waiting = int(first["ssp_waiting_days"])
    if waiting:
        if (end - start).days + 1 < 4:
            return SickPay(len(days), 0, 0, 0, awe_pence, "No sick pay: off sick for fewer than 4 days in a row")
        lel = first.pence("lel_weekly")
        if awe_pence is None or awe_pence < lel:
            return SickPay(len(days), 0, 0, 0, awe_pence,
                           f"No sick pay: average weekly earnings below the lower earnings limit ({format_pence(lel)})")
    total = Decimal(0)
    weekly = 0
    for day in days[waiting:]:
        rates = rates_at(day)
        weekly = rates.pence("ssp_weekly")
        try:
            share = rates["ssp_earnings_percent"]
        except UnknownRate:
            share = None
        if share is not None:
            if awe_pence is None:
                return SickPay(len(days), 0, 0, 0, None,
                               "Record the pay of the 8 weeks before the sickness to work out sick pay")
            weekly = min(weekly, to_pence(Decimal(awe_pence) * share / 100))
        total += Decimal(weekly) / per_week
    paid = len(days[waiting:])
    return SickPay(len(days), paid, to_pence(total), weekly, awe_pence, "")


# ---- holiday -----------------------------------------------------------------------------------------------

def leave_year(day: date) -> tuple[date, date]:
    """The leave year holding day: 1 April to 31 March."""
    start = date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    return start, date(start.year + 1, 3, 31)


@dataclass(frozen=True)
class HolidayBalance:
    start: date
    end: date
    accrued_hours: Decimal
    taken_hours: Decimal
    basis: str
    rolled_up_pence: int = 0

    @property
    def left_hours(self) -> Decimal:
        return self.accrued_hours - self.taken_hours


def holiday_balance(*, day: date, irregular: bool, weekly_hours: Decimal, days_per_week: int,
                    employed_from: date, employed_to: date | None, hours_worked: Decimal, taken_hours: Decimal,
                    rates: Rates, rolled_up_pence: int = 0) -> HolidayBalance:
    """Holiday for the leave year holding `day`. Irregular-hours and part-year workers accrue 12.07% of the hours
    they work (leave years from April 2024); everyone else has 5.6 weeks (at most 28 days), in proportion to the
    part of the year they are employed."""
    start, end = leave_year(day)
    if irregular:
        accrued = (hours_worked * rates["holiday_accrual_rate"] / 100).quantize(Decimal("0.01"))
        basis = (f"{rates['holiday_accrual_rate'].normalize():f}% of the {hours_worked.normalize():f} hours worked "
                 f"this leave year")
        return HolidayBalance(start, end, accrued, taken_hours, basis, rolled_up_pence)
    weeks = rates["holiday_weeks"]
    full = weeks * weekly_hours
    if days_per_week > 5:
        full = min(full, Decimal(28) * weekly_hours / days_per_week)
    first, last = max(start, employed_from), min(end, employed_to or end)
    share = Decimal(max((last - first).days + 1, 0)) / Decimal((end - start).days + 1)
    accrued = (full * share).quantize(Decimal("0.01"))
    basis = f"{weeks.normalize():f} weeks of {weekly_hours.normalize():f} hours"
    if share < 1:
        basis += ", in proportion to the part of the leave year they work"
    return HolidayBalance(start, end, accrued, taken_hours, basis, rolled_up_pence)


# ---- pay days in a year --------------------------------------------------------------------------------------

def pay_days(frequency: PayFrequency, pay_weekday: int, first: date, last: date,
             anchor: date | None = None) -> list[date]:
    """The pay days from first to last. Weekly pay on a fixed weekday gives 53 pay days in some years (a Friday
    in 1 April 2027 to 31 March 2028); fortnightly and four-weekly pay count from the first such weekday on or
    after `anchor` (the PA's start); monthly pay is on the month's last day."""
    if last < first:
        return []
    if frequency is PayFrequency.MONTHLY:
        days, month = [], date(first.year, first.month, 1)
        while month <= last:
            end_of_month = add_months(month, 1) - timedelta(days=1)
            if first <= end_of_month <= last:
                days.append(end_of_month)
            month = add_months(month, 1)
        return days
    step = 7 * WEEKS_IN[frequency]
    start = anchor or first
    day = start + timedelta(days=(pay_weekday - start.weekday()) % 7)
    if day < first:
        day += timedelta(days=((first - day).days + step - 1) // step * step)
    days = []
    while day <= last:
        days.append(day)
        day += timedelta(days=step)
    return days
