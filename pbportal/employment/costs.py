"""What employing a PA really costs in a tax year: wage, holiday cover, pension, NI and on-costs."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .payrules import age_on, to_pence
from .rates import Rates, tax_year_label

WEEKS_A_YEAR = 52
# Budget line categories that pay for employing PAs; the true cost is compared with these lines together.
EMPLOYMENT_CATEGORIES = ("pa_wages", "hmrc", "pension", "fees", "insurance", "dbs_training")


@dataclass
class PACost:
    """A year of one PA's cost. NI after Employment Allowance is set when the employer's PAs are summed."""

    pa: object
    weekly_pay_pence: int
    annual_wage_pence: int
    holiday_pence: int
    pension_pence: int
    ni_before_pence: int
    ni_after_pence: int = 0
    holiday_basis: str = ""
    pension_note: str = ""

    @property
    def total_pence(self) -> int:
        return self.annual_wage_pence + self.holiday_pence + self.pension_pence + self.ni_after_pence


def weekly_pay(pa) -> int:
    return to_pence(sum((Decimal(r.hourly_pence) * Decimal(r.hours_per_week) for r in pa.rates), Decimal(0)))


def pa_cost(pa, rates: Rates, on: date) -> PACost:
    """One PA's yearly cost at the rates in force on `on` (its tax year)."""
    weekly = weekly_pay(pa)
    annual = weekly * WEEKS_A_YEAR
    if not pa.is_employed:
        # Self-employed: paid on invoice. No holiday pay, pension or employer NI.
        return PACost(pa, weekly, annual, 0, 0, 0, 0, "Self-employed: no holiday pay", "Self-employed")
    if pa.irregular_hours:
        holiday = to_pence(Decimal(annual) * rates.fraction("holiday_accrual_rate"))
        basis = f"{rates['holiday_accrual_rate'].normalize():f}% of hours worked (irregular hours)"
    else:
        holiday = to_pence(Decimal(weekly) * rates["holiday_weeks"])
        basis = f"{rates['holiday_weeks'].normalize():f} weeks of cover"
    if annual > rates.pence("pension_trigger"):
        qualifying = min(annual, rates.pence("pension_upper")) - rates.pence("pension_lower")
        pension = to_pence(Decimal(max(qualifying, 0)) * rates.fraction("pension_employer_rate"))
        note = f"{rates['pension_employer_rate'].normalize():f}% of earnings between the qualifying limits"
    else:
        pension, note = 0, "Earns under the auto-enrolment trigger"
    age = age_on(pa.date_of_birth, on)
    threshold = rates.pence("employer_ni_under21_upper") if age is not None and age < 21 else \
        rates.pence("employer_ni_threshold")
    ni = to_pence(Decimal(max(annual - threshold, 0)) * rates.fraction("employer_ni_rate"))
    return PACost(pa, weekly, annual, holiday, pension, ni, ni, basis, note)


@dataclass
class EmploymentCost:
    """All current PAs' costs for a tax year against what the plan's employment lines provide."""

    on: date
    pas: list[PACost]
    allowance_claimed: bool
    allowance_pence: int
    on_costs: dict[str, int]
    provided_pence: int
    provided_lines: list = field(default_factory=list)

    @property
    def tax_year(self) -> str:
        return tax_year_label(self.on)

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
        return self.wages_pence + self.holiday_pence + self.pension_pence + self.ni_after_pence + \
            self.on_costs_pence

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


def employment_cost(pas, rates: Rates, on: date, *, allowance_claimed: bool, on_costs: dict[str, int],
                    lines) -> EmploymentCost:
    costs = [pa_cost(pa, rates, on) for pa in pas]
    allowance = rates.pence("employment_allowance") if allowance_claimed else 0
    apply_allowance(costs, allowance)
    employment_lines = [line for line in lines if line.category in EMPLOYMENT_CATEGORIES]
    return EmploymentCost(on, costs, allowance_claimed, allowance, on_costs,
                          sum(line.annual_pence for line in employment_lines), employment_lines)
