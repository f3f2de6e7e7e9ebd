"""What employing a PA really costs in a tax year: wage, holiday cover, pension, NI and on-costs."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from ..money import format_pence
from .payrules import (
    WEEKS_IN,
    PayFrequency,
    PensionStatus,
    age_on,
    assess_pension,
    employer_ni,
    pay_days,
    period_name,
    to_pence,
)
from .rates import Rates

WEEKS_A_YEAR = 52
# Budget line categories that pay for employing PAs; the true cost is compared with these lines together.
EMPLOYMENT_CATEGORIES = ("pa_wages", "hmrc", "pension", "fees", "insurance", "dbs_training")


@dataclass
class PACost:
    """A year of one PA's cost, pay day by pay day. NI after Employment Allowance is set when the employer's PAs
    are summed."""

    pa: object
    weekly_pay_pence: int
    annual_wage_pence: int
    holiday_pence: int
    pension_pence: int
    ni_before_pence: int
    ni_after_pence: int = 0
    holiday_basis: str = ""
    pension_note: str = ""
    sleep_in_pence: int = 0
    pay_days: int = WEEKS_A_YEAR
    pay_note: str = ""
    ni_note: str = ""
    ni_schedule: tuple = ()  # (pay day, employer NI before the allowance) for each pay day

    @property
    def total_pence(self) -> int:
        return self.annual_wage_pence + self.sleep_in_pence + self.holiday_pence + self.pension_pence + \
            self.ni_after_pence


def weekly_pay(pa) -> int:
    return to_pence(sum((Decimal(r.hourly_pence) * Decimal(r.hours_per_week) for r in pa.rates), Decimal(0)))


def weekly_sleep_ins(pa) -> int:
    return to_pence(Decimal(pa.sleep_ins_per_week or 0) * pa.sleep_in_pence)


def _period_pay(weekly: int, frequency: PayFrequency) -> int:
    if frequency is PayFrequency.MONTHLY:
        return to_pence(Decimal(weekly) * WEEKS_A_YEAR / 12)
    return weekly * WEEKS_IN[frequency]


def _in_pension(pa, day: date, status: PensionStatus) -> bool:
    """Whether the employer pays into a pension for the PA on this pay day: a member who has not opted out, or an
    eligible jobholder who must be enrolled (unless opted out, or enrolment is postponed past the day)."""
    if pa.pension_opted_out_on is not None and pa.pension_opted_out_on <= day:
        return False
    if pa.pension_enrolled_on is not None and pa.pension_enrolled_on <= day:
        return True
    postponed = pa.pension_postponed_until is not None and day < pa.pension_postponed_until
    return status is PensionStatus.ELIGIBLE and not postponed


def pa_cost(pa, rates: Rates | Callable[[date], Rates], on: date, span: tuple[date, date] | None = None) -> PACost:
    """One PA's cost over a year (`span`, by default 52 weeks from `on`), worked out for each of its pay days:
    weekly pay on a Friday comes 53 times in some plan years; employer NI and automatic enrolment are assessed
    each pay period with that period's thresholds and the figures in force on the pay day (so a PA under 21 pays
    no NI until the pay day they are 21, and one aged 20 costs no pension unless they join). Holiday cover is
    5.6 weeks of pay (12.07% of pay for irregular hours). `rates` is the figures in force, or a function giving
    them for a day."""
    rates_at = rates if callable(rates) else (lambda _day: rates)
    first, last = span or (on, on + timedelta(days=7 * WEEKS_A_YEAR - 1))
    weekly = weekly_pay(pa)
    frequency = PayFrequency(getattr(pa, "pay_frequency", PayFrequency.WEEKLY))
    days = pay_days(frequency, getattr(pa, "pay_weekday", 4), max(first, getattr(pa, "start_date", first)),
                    min(last, getattr(pa, "end_date", None) or last), anchor=getattr(pa, "start_date", None))
    wage_each, sleep_each = _period_pay(weekly, frequency), _period_pay(weekly_sleep_ins(pa), frequency)
    wage, sleep_ins = wage_each * len(days), sleep_each * len(days)
    when = f"{len(days)} {period_name(frequency)} pay day{'s' if len(days) != 1 else ''}"
    if not pa.is_employed:
        # Self-employed: paid on invoice. No holiday pay, pension or employer NI.
        return PACost(pa, weekly, wage, 0, 0, 0, 0, "Self-employed: no holiday pay", "Self-employed", sleep_ins,
                      len(days), f"{when} of {format_pence(wage_each)}")
    current = rates_at(on)
    if pa.irregular_hours:
        holiday = to_pence(Decimal(wage) * current.fraction("holiday_accrual_rate"))
        basis = f"{current['holiday_accrual_rate'].normalize():f}% of hours worked (irregular hours)"
    else:
        holiday = to_pence(Decimal(weekly) * current["holiday_weeks"])
        basis = f"{current['holiday_weeks'].normalize():f} weeks of cover"
    ni = pension = 0
    statuses: set[PensionStatus] = set()
    ni_days = 0
    schedule = []
    for day in days:
        figures = rates_at(day)
        gross = wage_each + sleep_each
        period_ni = employer_ni(gross, figures, frequency, age_on(pa.date_of_birth, day)).pence
        ni, ni_days = ni + period_ni, ni_days + bool(period_ni)
        schedule.append((day, period_ni))
        assessment = assess_pension(gross, figures, frequency, pa.date_of_birth, day)
        statuses.add(assessment.status)
        if _in_pension(pa, day, assessment.status):
            pension += assessment.contribution_pence
    note = _pension_note(pa, statuses, pension, current, frequency)
    ni_note = (f"{current['employer_ni_rate'].normalize():f}% of pay above the {period_name(frequency)} threshold "
               f"on {ni_days} of {len(days)} pay days")
    pay_note = f"{when} of {format_pence(wage_each)}"
    if sleep_each:
        pay_note += f" and {format_pence(sleep_each)} for sleep-ins"
    return PACost(pa, weekly, wage, holiday, pension, ni, ni, basis, note, sleep_ins, len(days), pay_note, ni_note,
                  tuple(schedule))


def _pension_note(pa, statuses: set[PensionStatus], pension: int, rates: Rates, frequency: PayFrequency) -> str:
    if pa.pension_opted_out_on is not None:
        return f"Opted out on {pa.pension_opted_out_on:%-d %B %Y}: enrolled again at re-enrolment"
    if pension and pa.pension_enrolled_on is not None:
        return f"{rates['pension_employer_rate'].normalize():f}% of qualifying earnings each pay day, in the pension"
    if pension:
        return (f"Must be enrolled: {rates['pension_employer_rate'].normalize():f}% of qualifying earnings on the pay "
                f"days above the {period_name(frequency)} trigger")
    if PensionStatus.ELIGIBLE in statuses:
        return "Enrolment postponed"
    if statuses & {PensionStatus.NON_ELIGIBLE, PensionStatus.ENTITLED}:
        return "Not an eligible jobholder: no employer pension unless they choose to join"
    return "No pension duties"


@dataclass
class EmploymentCost:
    """All current PAs' costs for a year (the plan year in force) against what the plan's employment lines
    provide."""

    on: date
    pas: list[PACost]
    allowance_claimed: bool
    allowance_pence: int
    on_costs: dict[str, int]
    provided_pence: int
    provided_lines: list = field(default_factory=list)
    first: date | None = None
    last: date | None = None
    # Employment Allowance belongs to the employer: the holder's whole allowance, how many of their budgets share
    # it, and the pay day (across them all) on which it runs out, if it does.
    allowance_total_pence: int = 0
    shared_by: int = 1
    allowance_runs_out: date | None = None
    allowance_used_pence: int = 0

    @property
    def year_label(self) -> str:
        if self.first is None or self.last is None:
            return f"52 weeks from {self.on:%-d %B %Y}"
        return f"{self.first:%-d %B %Y} to {self.last:%-d %B %Y}"

    @property
    def sleep_in_pence(self) -> int:
        return sum(c.sleep_in_pence for c in self.pas)

    @property
    def wages_pence(self) -> int:
        return sum(c.annual_wage_pence for c in self.pas)

    @property
    def holiday_pence(self) -> int:
        return sum(c.holiday_pence for c in self.pas)

    @property
    def pension_pence(self) -> int:
        return sum(c.pension_pence for c in self.pas)

    @property
    def ni_before_pence(self) -> int:
        return sum(c.ni_before_pence for c in self.pas)

    @property
    def ni_after_pence(self) -> int:
        return sum(c.ni_after_pence for c in self.pas)

    @property
    def on_costs_pence(self) -> int:
        return sum(self.on_costs.values())

    @property
    def total_pence(self) -> int:
        return self.wages_pence + self.sleep_in_pence + self.holiday_pence + self.pension_pence + \
            self.ni_after_pence + self.on_costs_pence

    @property
    def headroom_pence(self) -> int:
        """Positive: the plan provides more than employing the PAs costs. Negative: a shortfall."""
        return self.provided_pence - self.total_pence


def apply_allowance(costs: list[PACost], allowance_pence: int) -> None:
    """Employment Allowance comes off the employer's total NI; what is left is shared in proportion, in whole
    pence that add up exactly (largest remainders get the odd pennies), so a PA with no NI never gets any."""
    before = sum(c.ni_before_pence for c in costs)
    if before == 0:
        return
    remaining = max(before - allowance_pence, 0)
    shares = [divmod(remaining * c.ni_before_pence, before) for c in costs]
    for cost, (whole, _) in zip(costs, shares, strict=True):
        cost.ni_after_pence = whole
    leftover = remaining - sum(whole for whole, _ in shares)
    by_remainder = sorted(range(len(costs)), key=lambda i: shares[i][1], reverse=True)
    for i in by_remainder[:leftover]:
        costs[i].ni_after_pence += 1


def employment_cost(pas, rates: Rates | Callable[[date], Rates], on: date, *, allowance_claimed: bool,
                    on_costs: dict[str, int], lines, span: tuple[date, date] | None = None) -> EmploymentCost:
    """The PAs' costs over `span` (the plan year; by default 52 weeks from `on`) beside the plan's lines."""
    costs = [pa_cost(pa, rates, on, span) for pa in pas]
    current = rates(on) if callable(rates) else rates
    allowance = current.pence("employment_allowance") if allowance_claimed else 0
    apply_allowance(costs, allowance)
    employment_lines = [line for line in lines if line.category in EMPLOYMENT_CATEGORIES]
    first, last = span or (on, on + timedelta(days=7 * WEEKS_A_YEAR - 1))
    return EmploymentCost(on, costs, allowance_claimed, allowance, on_costs,
                          sum(line.annual_pence for line in employment_lines), employment_lines, first, last)


def share_allowance(costs: list[EmploymentCost], allowance_pence: int) -> None:
    """One Employment Allowance across all the budgets of one employer (a council direct payment and an NHS
    personal health budget, say): each budget's share is in proportion to its employer NI, in whole pence that add
    up; the day it runs out is found from every PA's pay days together."""
    before = [c.ni_before_pence for c in costs]
    total = sum(before)
    shares = [min(allowance_pence, total) * b // total if total else 0 for b in before]
    leftover = min(allowance_pence, total) - sum(shares)
    order = sorted(range(len(costs)), key=lambda i: (min(allowance_pence, total) * before[i]) % total if total else 0,
                   reverse=True)
    for i in order[:leftover]:
        shares[i] += 1
    schedule = sorted(item for c in costs for pa in c.pas for item in pa.ni_schedule)
    running, runs_out = 0, None
    for day, pence in schedule:
        running += pence
        if running > allowance_pence:
            runs_out = day
            break
    for cost, share in zip(costs, shares, strict=True):
        cost.allowance_claimed = True
        cost.allowance_pence = share
        cost.allowance_total_pence = allowance_pence
        cost.shared_by = len(costs)
        cost.allowance_runs_out = runs_out
        cost.allowance_used_pence = min(allowance_pence, total)
        apply_allowance(cost.pas, share)

