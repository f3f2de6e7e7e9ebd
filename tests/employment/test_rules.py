"""The rules for employing a PA: statutory figures by date, the true cost, warnings and the payroll CSV.

Money is in pence throughout. Expected figures are worked by hand in the comments beside them, from the
domain brief (section 4) and the seeded statutory figures (pbportal/employment/statutory_rates.csv).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from pbportal.employment.costs import (
    EMPLOYMENT_CATEGORIES,
    PACost,
    age_on,
    apply_allowance,
    employment_cost,
    pa_cost,
)
from pbportal.employment.models import RATE_KINDS
from pbportal.employment.payroll_csv import PayrollFileError, decode, parse
from pbportal.employment.payrules import minimum_wage
from pbportal.employment.rates import (
    StatutoryRate,
    UnknownRate,
    rates_on,
    seed_rows,
    seed_statutory_rates,
    tax_year_label,
    tax_year_start,
)
from pbportal.employment.warnings import employer_warnings, pa_warnings
from pbportal.extensions import db

SEED = [SimpleNamespace(**row) for row in seed_rows()]
Y2026 = date(2026, 6, 1)  # a day in tax year 2026/27
Y2024 = date(2024, 10, 1)  # a day in tax year 2024/25


def rates(day):
    """The seeded figures in force on day, without a database."""
    return rates_on(day, SEED)


def rate(hourly_pence, hours, kind="day"):
    return SimpleNamespace(hourly_pence=hourly_pence, hours_per_week=Decimal(hours), kind=kind,
                           kind_label=RATE_KINDS[kind])


def make_pa(*pay, employed=True, irregular=False, dob=None, pa_id=1, name="Maria Santos", relative=False,
            exception=""):
    return SimpleNamespace(id=pa_id, name=name, rates=list(pay) or [rate(1271, "30")], is_employed=employed,
                           irregular_hours=irregular, date_of_birth=dob, is_relative=relative,
                           relative_exception=exception, apprentice_since=None, accommodation_charge=None,
                           sleep_ins_per_week=0, sleep_in_pence=0, pension_enrolled_on=None, pension_opted_out_on=None,
                           pension_postponed_until=None)


def line(category, annual_pence):
    return SimpleNamespace(category=category, annual_pence=annual_pence)


# ---- 1. tax years and the figures in force on a day ------------------------------------------------------

@pytest.mark.parametrize("day, start, label", [
    (date(2026, 4, 5), date(2025, 4, 6), "2025/26"),
    (date(2026, 4, 6), date(2026, 4, 6), "2026/27"),
    (date(2026, 1, 1), date(2025, 4, 6), "2025/26"),
    (date(2025, 12, 31), date(2025, 4, 6), "2025/26"),
    (date(2027, 4, 5), date(2026, 4, 6), "2026/27"),
    (date(2024, 4, 6), date(2024, 4, 6), "2024/25"),
    (date(2099, 4, 6), date(2099, 4, 6), "2099/00"),
])
def test_tax_year_runs_6_april_to_5_april(day, start, label):
    assert tax_year_start(day) == start
    assert tax_year_label(day) == label


def test_seeding_statutory_figures_adds_each_once(app):
    assert seed_statutory_rates() == len(SEED)
    db.session.commit()
    assert seed_statutory_rates() == 0
    db.session.commit()
    assert db.session.query(StatutoryRate).count() == len(SEED)


@pytest.mark.parametrize("kind, day, value", [
    ("employer_ni_rate", date(2025, 4, 5), Decimal("13.8")),
    ("employer_ni_rate", date(2025, 4, 6), Decimal("15")),
    ("employer_ni_threshold", date(2025, 4, 5), Decimal("910000")),   # £9,100 a year
    ("employer_ni_threshold", date(2025, 4, 6), Decimal("500000")),   # £5,000 a year
    ("nlw_21_plus", date(2026, 3, 31), Decimal("1221")),              # £12.21 an hour
    ("nlw_21_plus", date(2026, 4, 1), Decimal("1271")),               # £12.71 an hour
    ("employment_allowance", date(2025, 4, 5), Decimal("500000")),    # £5,000
    ("employment_allowance", date(2025, 4, 6), Decimal("1050000")),   # £10,500
    ("employment_allowance", date(2027, 1, 1), Decimal("1050000")),   # still £10,500 in 2026/27
])
def test_rates_on_reads_the_figure_valid_on_the_day(app, kind, day, value):
    seed_statutory_rates()
    db.session.commit()
    assert rates_on(day)[kind] == value
    assert rates_on(day, SEED)[kind] == value  # the same answer from rows already loaded


def test_no_figure_before_the_first_one_recorded(app):
    seed_statutory_rates()
    db.session.commit()
    figures = rates_on(date(2020, 1, 1))
    with pytest.raises(UnknownRate, match="^No Employer National Insurance rate is recorded for 1 January 2020$"):
        figures["employer_ni_rate"]
    with pytest.raises(UnknownRate, match="National Living Wage is recorded for 1 January 2020"):
        figures.pence("nlw_21_plus")
    with pytest.raises(UnknownRate):
        pa_cost(make_pa(), figures, date(2020, 1, 1))


def test_a_figure_missing_only_for_a_few_days_is_still_refused():
    # 3 April 2023: the NLW (from 1 April) is known, the 2023/24 NI rate (from 6 April) is not.
    figures = rates(date(2023, 4, 3))
    assert figures.pence("nlw_21_plus") == 1042
    with pytest.raises(UnknownRate, match="^No .+ is recorded for 3 April 2023$"):
        pa_cost(make_pa(), figures, date(2023, 4, 3))


# ---- 2. one PA’s true cost ------------------------------------------------------------------------------

def test_worked_example_irregular_hours_2026_27():
    cost = pa_cost(make_pa(rate(1271, "30"), irregular=True), rates(Y2026), Y2026)
    assert cost.weekly_pay_pence == 38_130          # 30 × £12.71 = £381.30
    assert cost.annual_wage_pence == 1_982_760      # £381.30 × 52 = £19,827.60
    assert cost.holiday_pence == 239_319            # 12.07% × £19,827.60 = £2,393.1913 → £2,393.19
    # Pension and NI are worked out each weekly pay day (52 of them in 52 weeks), with the weekly thresholds:
    assert cost.pension_pence == 40_768             # 3% × (£381.30 − £120) = 783.9p → £7.84; × 52 = £407.68
    assert cost.ni_before_pence == 222_508          # 15% × (£381.30 − £96) = 4,279.5p → £42.79 (½p dropped) × 52
    assert cost.total_pence == 2_485_355            # 19,827.60 + 2,393.19 + 407.68 + 2,225.08 (no allowance yet)
    assert cost.pay_days == 52 and cost.pay_note == "52 weekly pay days of £381.30"
    assert cost.holiday_basis == "12.07% of hours worked (irregular hours)"


def test_worked_example_fixed_hours_2026_27():
    cost = pa_cost(make_pa(rate(1271, "30")), rates(Y2026), Y2026)
    assert cost.annual_wage_pence == 1_982_760
    assert cost.holiday_pence == 213_528            # 5.6 weeks × £381.30 = £2,135.28
    assert cost.pension_pence == 40_768
    assert cost.ni_before_pence == 222_508
    assert cost.holiday_basis == "5.6 weeks of cover"


def test_same_pa_in_2024_25_uses_that_years_ni():
    cost = pa_cost(make_pa(rate(1271, "30"), irregular=True), rates(Y2024), Y2024)
    assert cost.annual_wage_pence == 1_982_760
    assert cost.holiday_pence == 239_319            # 12.07% unchanged
    assert cost.pension_pence == 40_768             # pension limits unchanged
    assert cost.ni_before_pence == 148_044          # 13.8% × (£381.30 − £175) = 2,846.94p → £28.47; × 52 = £1,480.44


def test_earning_under_the_pension_trigger_means_no_employer_pension():
    cost = pa_cost(make_pa(rate(1271, "15")), rates(Y2026), Y2026)
    assert cost.annual_wage_pence == 991_380        # 15 × £12.71 = £190.65 a week, not above the £192 trigger
    assert cost.pension_pence == 0
    assert cost.pension_note == "Not an eligible jobholder: no employer pension unless they choose to join"
    assert cost.ni_before_pence == 73_840           # 15% × (£190.65 − £96) = 1,419.75p → £14.20; × 52 = £738.40


def test_pension_stops_at_the_upper_limit():
    cost = pa_cost(make_pa(rate(2000, "50")), rates(Y2026), Y2026)
    assert cost.annual_wage_pence == 5_200_000      # 50 × £20 × 52 = £52,000
    assert cost.pension_pence == 132_132            # 3% × (£967 − £120) = £25.41 a week, not 3% × (£1,000 − £120); × 52
    assert cost.holiday_pence == 560_000            # 5.6 × £1,000
    assert cost.ni_before_pence == 705_120          # 15% × (£1,000 − £96) = £135.60; × 52 = £7,051.20


@pytest.mark.parametrize("dob, ni", [
    (date(2007, 1, 1), 0),          # 19 to 20 all year: 0% up to £967 a week
    (date(2005, 12, 1), 111_254),   # 21 on 1 December 2026: none on the 26 Fridays to 27 November, then 26 × £42.79
    (date(2005, 6, 2), 222_508),    # 21 tomorrow, before the first pay day (Friday 5 June): every week
    (date(1980, 1, 1), 222_508),
    (None, 222_508),                # unknown age: treated as 21 or over
])
def test_under_21s_pay_no_employer_ni_up_to_the_upper_threshold(dob, ni):
    cost = pa_cost(make_pa(rate(1271, "30"), dob=dob), rates(Y2026), Y2026)
    assert cost.ni_before_pence == ni


def test_under_21_earning_above_the_upper_threshold_pays_ni_on_the_excess():
    cost = pa_cost(make_pa(rate(2000, "50"), dob=date(2007, 1, 1)), rates(Y2026), Y2026)
    assert cost.ni_before_pence == 25_740           # 15% × (£1,000 − £967) = £4.95 a week; × 52 = £257.40


def test_self_employed_pa_costs_only_their_invoices():
    cost = pa_cost(make_pa(rate(1800, "30"), employed=False, irregular=True), rates(Y2026), Y2026)
    assert cost.annual_wage_pence == 2_808_000      # 30 × £18 × 52 = £28,080
    assert (cost.holiday_pence, cost.pension_pence, cost.ni_before_pence, cost.ni_after_pence) == (0, 0, 0, 0)
    assert cost.total_pence == 2_808_000


def test_several_rates_are_summed():
    pa = make_pa(rate(1271, "20", "day"), rate(1350, "10", "night"), rate(1333, "7.25", "weekend"), irregular=True)
    cost = pa_cost(pa, rates(Y2026), Y2026)
    assert cost.weekly_pay_pence == 48_584          # 20 × 12.71 + 10 × 13.50 + 7.25 × 13.33 = 254.20 + 135 + 96.6425
    assert cost.annual_wage_pence == 2_526_368      # £485.84 × 52 = £25,263.68
    assert cost.holiday_pence == 304_933            # 12.07% × £25,263.68 = £3,049.326 → £3,049.33
    assert cost.pension_pence == 57_096             # 3% × (£485.84 − £120) = 1,097.52p → £10.98; × 52 = £570.96
    assert cost.ni_before_pence == 304_096          # 15% × (£485.84 − £96) = 5,847.6p → £58.48; × 52 = £3,040.96


# ---- 3. Employment Allowance and the plan’s lines -------------------------------------------------------

def test_allowance_wipes_out_ni_for_two_pas():
    pas = [make_pa(rate(1271, "30"), pa_id=1), make_pa(rate(1271, "30"), pa_id=2, name="Sam Jones")]
    cost = employment_cost(pas, rates(Y2026), Y2026, allowance_claimed=True, on_costs={}, lines=[])
    assert cost.allowance_pence == 1_050_000
    assert cost.ni_before_pence == 445_016          # 2 × £2,225.08, under £10,500
    assert [c.ni_after_pence for c in cost.pas] == [0, 0]
    assert cost.ni_after_pence == 0


def test_allowance_smaller_than_ni_shares_the_rest_in_proportion():
    pas = [make_pa(rate(1500, "40"), pa_id=1), make_pa(rate(1400, "40"), pa_id=2),
           make_pa(rate(1300, "40"), pa_id=3)]
    cost = employment_cost(pas, rates(Y2026), Y2026, allowance_claimed=True, on_costs={}, lines=[])
    # NI before, weekly: 15% × (£600 − £96) = £75.60; 15% × (£560 − £96) = £69.60; 15% × (£520 − £96) = £63.60;
    # × 52 = £3,931.20, £3,619.20, £3,307.20. Total £10,857.60 − £10,500 allowance = £357.60 left, shared.
    assert [c.ni_before_pence for c in cost.pas] == [393_120, 361_920, 330_720]
    assert cost.ni_after_pence == 35_760
    # 35,760 × 393,120 / 1,085,760 = 12,947.59 → 12,948; × 361,920 / … = 11,920; the rest 10,892 (10,892.41)
    assert [c.ni_after_pence for c in cost.pas] == [12_948, 11_920, 10_892]


def test_allowance_share_gives_no_ni_to_a_pa_who_has_none():
    # Three employed PAs at 45 h/week and a self-employed PA listed last (as sorted by name).
    pas = [make_pa(rate(1300, "45"), pa_id=1), make_pa(rate(1310, "45"), pa_id=2),
           make_pa(rate(1380, "45"), pa_id=3), make_pa(rate(1300, "10"), pa_id=4, employed=False)]
    cost = employment_cost(pas, rates(Y2026), Y2026, allowance_claimed=True, on_costs={}, lines=[])
    # NI before, weekly: 15% × (£585 − £96) = £73.35; 15% × (£589.50 − £96) = 7,402.5p → £74.02 (½p dropped);
    # 15% × (£621 − £96) = £78.75; × 52 = £3,814.20, £3,849.04, £4,095; self-employed £0.
    # Total £11,758.24 − £10,500 = £1,258.24 left.
    assert [c.ni_before_pence for c in cost.pas] == [381_420, 384_904, 409_500, 0]
    assert cost.ni_after_pence == 125_824
    # Exact shares 40,705.86 / 41,080.58 / 43,703.56: each PA’s share is within a penny of it, never negative,
    # and the self-employed PA, who has no employer NI, gets none of it.
    assert cost.pas[3].ni_after_pence == 0
    exact = [Decimal(125_824) * c.ni_before_pence / 1_175_824 for c in cost.pas]
    assert all(0 <= c.ni_after_pence and abs(c.ni_after_pence - e) < 1 for c, e in zip(cost.pas, exact, strict=True))
    assert cost.pas[3].total_pence == 676_000       # 10 × £13 × 52: just the invoices


def test_allowance_not_claimed_leaves_ni_unchanged():
    pas = [make_pa(rate(1271, "30"), pa_id=1), make_pa(rate(1400, "20"), pa_id=2)]
    cost = employment_cost(pas, rates(Y2026), Y2026, allowance_claimed=False, on_costs={}, lines=[])
    assert cost.allowance_pence == 0
    # 52 × £42.79 = £2,225.08; 52 × 15% × (20 × £14 − £96) = 52 × £27.60 = £1,435.20
    assert [c.ni_after_pence for c in cost.pas] == [222_508, 143_520]
    assert cost.ni_after_pence == cost.ni_before_pence == 366_028


def test_apply_allowance_larger_than_ni_never_goes_negative():
    costs = [PACost(None, 0, 0, 0, 0, 1_000, 1_000), PACost(None, 0, 0, 0, 0, 3, 3)]
    apply_allowance(costs, 1_050_000)
    assert [c.ni_after_pence for c in costs] == [0, 0]


PLAN = [line("pa_wages", 4_400_000), line("hmrc", 50_000), line("pension", 80_000), line("fees", 26_000),
        line("insurance", 12_000), line("dbs_training", 10_000), line("equipment", 500_000),
        line("day_activities", 300_000)]


def test_employment_lines_are_the_six_employment_categories():
    assert set(EMPLOYMENT_CATEGORIES) == {"pa_wages", "hmrc", "pension", "fees", "insurance", "dbs_training"}


def test_headroom_when_the_allowance_is_claimed():
    pas = [make_pa(rate(1271, "30"), pa_id=1), make_pa(rate(1271, "30"), pa_id=2)]
    cost = employment_cost(pas, rates(Y2026), Y2026, allowance_claimed=True,
                           on_costs={"Payroll": 26_000, "Insurance": 12_000}, lines=PLAN)
    # Each PA: £19,827.60 + holiday £2,135.28 + pension £407.68 + NI £0 = £22,370.56; two = £44,741.12;
    # + on-costs £380 = £45,121.12. Lines: 44,000 + 500 + 800 + 260 + 120 + 100 = £45,780 (equipment and day
    # activities do not pay for PAs).
    assert cost.provided_pence == 4_578_000
    assert [ln.category for ln in cost.provided_lines] == ["pa_wages", "hmrc", "pension", "fees", "insurance",
                                                           "dbs_training"]
    assert cost.total_pence == 4_512_112
    assert cost.headroom_pence == 65_888            # £45,780 − £45,121.12 = £658.88
    assert cost.year_label == "1 June 2026 to 30 May 2027"


def test_shortfall_when_the_allowance_is_not_claimed():
    pas = [make_pa(rate(1271, "30"), pa_id=1), make_pa(rate(1271, "30"), pa_id=2)]
    cost = employment_cost(pas, rates(Y2026), Y2026, allowance_claimed=False,
                           on_costs={"Payroll": 26_000, "Insurance": 12_000}, lines=PLAN)
    # As above plus NI 2 × £2,225.08 = £4,450.16: £49,571.28 against £45,780 (counting equipment, £50,780,
    # would hide the shortfall).
    assert cost.total_pence == 4_957_128
    assert cost.headroom_pence == -379_128          # £3,791.28 short


# ---- 4. minimum wage and warnings -----------------------------------------------------------------------

@pytest.mark.parametrize("dob, pence, name", [
    (date(2009, 6, 2), 800, "National Minimum Wage for under 18s"),               # 16
    (date(2008, 6, 2), 800, "National Minimum Wage for under 18s"),               # 17, 18 tomorrow
    (date(2008, 6, 1), 1085, "National Minimum Wage for 18 to 20 year olds"),     # 18 today
    (date(2005, 6, 2), 1085, "National Minimum Wage for 18 to 20 year olds"),     # 20, 21 tomorrow
    (date(2005, 6, 1), 1271, "National Living Wage"),                             # 21 today
    (date(1970, 1, 1), 1271, "National Living Wage"),
    (None, 1271, "National Living Wage"),                                          # unknown: highest band
])
def test_minimum_wage_by_age_band(dob, pence, name):
    assert minimum_wage(rates(Y2026), dob, Y2026) == (pence, name)


def test_minimum_wage_bands_in_2025_26():
    day = date(2025, 9, 1)
    assert minimum_wage(rates(day), date(2006, 1, 1), day) == (1000, "National Minimum Wage for 18 to 20 year olds")
    assert minimum_wage(rates(day), date(2000, 1, 1), day)[0] == 1221


def test_age_of_someone_born_on_29_february():
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


TODAY = date(2026, 3, 15)  # NLW £12.21 today; £12.71 from 1 April 2026, within 30 days


def check(kind, checked_on=date(2025, 1, 10), expires_on=None):
    return SimpleNamespace(kind=kind, checked_on=checked_on, expires_on=expires_on)


GOOD_CHECKS = [check("contract"), check("right_to_work"), check("dbs", expires_on=date(2028, 1, 10))]


def warnings_for(pa, *, checks=None, trainings=(), tasks=(), pay_records=(), today=TODAY):
    return pa_warnings(pa, checks=GOOD_CHECKS if checks is None else checks, trainings=list(trainings),
                       tasks=list(tasks), pay_records=list(pay_records), rates_now=rates(today),
                       rates_soon=rates(date.fromordinal(today.toordinal() + 30)), rates_at=rates, today=today)


def texts(found):
    return [(w.text, w.urgent) for w in found]


def test_a_pa_with_everything_in_order_has_no_warnings():
    assert warnings_for(make_pa(rate(1271, "30"))) == []


def test_rate_below_the_national_living_wage_is_urgent():
    found = warnings_for(make_pa(rate(1200, "30", "night")))
    assert texts(found) == [("Maria Santos’s night rate of £12.00 an hour is below the National Living Wage "
                             "(£12.21 an hour)", True)]
    assert found[0].pa_id == 1


def test_rate_below_the_new_national_living_wage_within_30_days_is_a_warning_not_urgent():
    found = warnings_for(make_pa(rate(1250, "30")))
    assert texts(found) == [("Maria Santos’s day rate of £12.50 an hour will be below the National Living Wage "
                             "(£12.71 an hour) within 30 days", False)]


@pytest.mark.parametrize("today, warned", [
    (date(2026, 3, 1), False),   # 30 days on is 31 March: still £12.21
    (date(2026, 3, 2), True),    # 30 days on is 1 April: £12.71
])
def test_upcoming_rise_is_looked_for_exactly_30_days_ahead(today, warned):
    assert bool(warnings_for(make_pa(rate(1250, "30")), today=today)) is warned


def test_pa_turning_21_within_30_days_is_warned_about_the_higher_band():
    # 20 on 15 March 2026 (NMW 18–20 £10.00); 21 on 1 April 2026, when the NLW is £12.71.
    found = warnings_for(make_pa(rate(1100, "30"), dob=date(2005, 4, 1)))
    assert texts(found) == [("Maria Santos’s day rate of £11.00 an hour will be below the National Living Wage "
                             "(£12.71 an hour) within 30 days", False)]


def test_self_employed_pa_is_not_held_to_the_minimum_wage_or_employment_checks():
    found = warnings_for(make_pa(rate(900, "30"), employed=False), checks=[check("dbs", expires_on=date(2028, 1, 1))])
    assert found == []


def test_minimum_wage_cannot_be_checked_without_figures():
    found = warnings_for(make_pa(), today=date(2020, 1, 1))
    assert (found[0].text, found[0].urgent) == (
        "Cannot check Maria Santos’s pay against the minimum wage: No National Living Wage is "
        "recorded for 1 January 2020", True)


def pay(gross_pence, hours, paid_on, status="active"):
    return SimpleNamespace(gross_pence=gross_pence, hours=Decimal(hours), paid_on=paid_on, status=status,
                           period_start=date(paid_on.year, paid_on.month, 1), period_end=paid_on)


@pytest.mark.parametrize("record, warned", [
    (pay(45_787, "37.5", date(2026, 2, 28)), True),    # £457.87 / 37.5 = £12.2099 an hour < £12.21
    (pay(45_788, "37.5", date(2026, 2, 28)), False),   # £457.88 / 37.5 = £12.2101 an hour
    (pay(12_000, "10", date(2025, 4, 10)), True),      # £12.00 an hour after the NLW rose to £12.21 (1 Apr 2025)
    (pay(12_000, "10", date(2025, 3, 31)), False),     # £12.00 an hour when the NLW was £11.44
    (pay(5_000, "10", date(2026, 2, 28), status="voided"), False),
    (pay(5_000, "0", date(2026, 2, 28)), False),       # no hours recorded: nothing to divide by
])
def test_pay_record_below_the_minimum_on_its_pay_date(record, warned):
    found = warnings_for(make_pa(rate(1271, "30")), pay_records=[record])
    assert [w.urgent for w in found] == ([True] if warned else [])
    if warned:
        assert "below the National Living Wage for a pay period starting then" in found[0].text


def period_pay(gross_pence, hours, start, end, paid_on):
    return SimpleNamespace(gross_pence=gross_pence, hours=Decimal(hours), period_start=start, period_end=end,
                           paid_on=paid_on, status="active")


@pytest.mark.parametrize("record, warned", [
    # The week of 30 March to 5 April 2026 started before the April rise: £12.21 is the minimum, whenever paid.
    (period_pay(36_630, "30", date(2026, 3, 30), date(2026, 4, 5), date(2026, 4, 10)), False),
    # April's pay period starts on 1 April: £12.71 applies even when paid in advance on 31 March.
    (period_pay(36_630, "30", date(2026, 4, 1), date(2026, 4, 30), date(2026, 3, 31)), True),
    # March pay paid on 1 April: March's rate.
    (period_pay(36_630, "30", date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1)), False),
])
def test_the_minimum_wage_goes_by_the_pay_period_not_the_pay_date(record, warned):
    """National Minimum Wage Regulations 2015, reg 4B: a new rate applies from the first pay reference period
    that starts on or after the day it comes in. Both cases were wrong before (paid_on decided)."""
    found = warnings_for(make_pa(rate(1271, "30")), pay_records=[record])
    assert [w.code for w in found] == (["below_minimum_wage"] if warned else [])


def test_the_age_band_is_taken_when_the_period_starts_and_its_age_is_a_figure():
    """Turning 21 on 15 April 2026: the April period (from the 1st) is at the 18-20 rate (£10.85); May's at
    the National Living Wage. The age it starts at is a statutory figure: it was 23 in 2023/24, when a PA of 21
    was in the 21 to 22 band."""
    twenty = make_pa(rate(1100, "30"), dob=date(2005, 4, 15))
    april = period_pay(33_000, "30", date(2026, 4, 1), date(2026, 4, 30), date(2026, 4, 30))  # £11.00 an hour
    may = period_pay(33_000, "30", date(2026, 5, 1), date(2026, 5, 31), date(2026, 5, 31))
    assert [w.code for w in warnings_for(twenty, pay_records=[april])] == []
    assert "below_minimum_wage" in [w.code for w in warnings_for(twenty, pay_records=[may])]
    assert minimum_wage(rates(date(2023, 5, 1)), date(2002, 4, 15), date(2023, 5, 1)) == (
        1018, "National Minimum Wage for 21 to 22 year olds")
    assert minimum_wage(rates(date(2026, 5, 1)), date(2005, 4, 15), date(2026, 5, 1))[1] == "National Living Wage"


def test_pay_record_warning_names_the_period_and_hourly_figure():
    found = warnings_for(make_pa(), pay_records=[pay(12_000, "10", date(2025, 4, 30))])
    assert found[0].text == ("Maria Santos’s pay for 1 Apr to 30 Apr 2025 works out at £12.00 an hour for the hours "
                             "awake and working, below the National Living Wage for a pay period starting then "
                             "(£12.21 an hour): £2.10 short")  # 10 hours × 21p


@pytest.mark.parametrize("missing, text", [
    ("contract", "No written contract recorded for Maria Santos"),
    ("right_to_work", "No right to work check recorded for Maria Santos"),
    ("dbs", "No DBS check recorded for Maria Santos"),
])
def test_missing_checks_are_urgent(missing, text):
    found = warnings_for(make_pa(), checks=[c for c in GOOD_CHECKS if c.kind != missing])
    assert texts(found) == [(text, True)]


@pytest.mark.parametrize("renewal, expected", [
    (date(2026, 3, 14), ("Maria Santos’s DBS check (renewal date) expired on 14 March 2026", True)),
    (date(2026, 3, 15), ("Maria Santos’s DBS check (renewal date) expires on 15 March 2026", False)),
    (date(2026, 4, 14), ("Maria Santos’s DBS check (renewal date) expires on 14 April 2026", False)),
    (date(2026, 4, 15), None),
])
def test_dbs_renewal_date(renewal, expected):
    checks = [check("contract"), check("right_to_work"), check("dbs", expires_on=renewal)]
    assert texts(warnings_for(make_pa(), checks=checks)) == ([expected] if expected else [])


def test_a_newer_dbs_check_supersedes_an_expired_one():
    checks = [check("contract"), check("right_to_work"),
              check("dbs", checked_on=date(2026, 3, 1), expires_on=date(2029, 3, 1)),
              check("dbs", checked_on=date(2023, 3, 1), expires_on=date(2026, 3, 1))]
    assert warnings_for(make_pa(), checks=checks) == []


def test_right_to_work_expiry_is_warned():
    checks = [check("contract"), check("right_to_work", expires_on=date(2026, 3, 1)),
              check("dbs", expires_on=date(2028, 1, 1))]
    assert texts(warnings_for(make_pa(), checks=checks)) == [
        ("Maria Santos’s right to work expired on 1 March 2026", True)]


def training(course, completed_on, expires_on):
    return SimpleNamespace(course=course, completed_on=completed_on, expires_on=expires_on)


def test_only_the_newest_record_of_a_course_counts():
    renewed = [training("First aid ", date(2026, 3, 1), date(2029, 3, 1)),
               training("First aid", date(2023, 3, 1), date(2026, 3, 1))]
    assert warnings_for(make_pa(), trainings=renewed) == []
    lapsed = [training("First aid", date(2023, 3, 1), date(2026, 3, 1)),
              training("Moving and handling", date(2025, 4, 1), date(2026, 4, 1))]
    assert texts(warnings_for(make_pa(), trainings=lapsed)) == [
        ("Maria Santos’s training ‘First aid’ expired on 1 March 2026", True),
        ("Maria Santos’s training ‘Moving and handling’ expires on 1 April 2026", False)]


def task(name="PEG feeding", signed_off_on=date(2025, 9, 1), review_on=date(2026, 9, 1)):
    return SimpleNamespace(task=name, signed_off_on=signed_off_on, review_on=review_on)


@pytest.mark.parametrize("delegated, expected", [
    (task(signed_off_on=None), [("Maria Santos’s delegated task ‘PEG feeding’ has no competence sign-off", True)]),
    (task(review_on=date(2026, 3, 1)),
     [("Maria Santos’s delegated task ‘PEG feeding’ was due for review on 1 March 2026", True)]),
    (task(review_on=date(2026, 4, 1)),
     [("Maria Santos’s delegated task ‘PEG feeding’ is due for review on 1 April 2026", False)]),
    (task(), []),
])
def test_delegated_task_sign_off_and_review(delegated, expected):
    assert texts(warnings_for(make_pa(), tasks=[delegated])) == expected


@pytest.mark.parametrize("exception, warned", [("", True), ("   ", True), ("Agreed by the council, 3 Jan 2026", False)])
def test_relative_needs_a_recorded_exception(exception, warned):
    found = warnings_for(make_pa(relative=True, exception=exception))
    expected = [("Maria Santos is a relative: record the funder’s exception before paying them", True)]
    assert texts(found) == (expected if warned else [])


def employer(renews_on=date(2026, 12, 1), covers=True):
    return SimpleNamespace(insurance_renews_on=renews_on, insurance_covers_delegated_tasks=covers)


@pytest.mark.parametrize("emp, has_tasks, expected", [
    (None, False, [("No employer’s liability insurance recorded", True)]),
    (employer(renews_on=None), False, [("No employer’s liability insurance recorded", True)]),
    (employer(renews_on=date(2026, 3, 10)), False, [("Employer’s liability insurance expired on 10 March 2026", True)]),
    (employer(renews_on=date(2026, 4, 1)), False, [("Employer’s liability insurance expires on 1 April 2026", False)]),
    (employer(covers=False), True,
     [("The insurance is not recorded as covering delegated healthcare tasks", True)]),
    (employer(covers=False), False, []),
    (employer(), True, []),
])
def test_employers_liability_insurance(emp, has_tasks, expected):
    found = employer_warnings(emp, has_employed_pas=True, has_delegated_tasks=has_tasks, cost=None, today=TODAY)
    assert texts(found) == expected


def test_no_insurance_warning_when_every_pa_is_self_employed():
    assert employer_warnings(None, has_employed_pas=False, has_delegated_tasks=False, cost=None, today=TODAY) == []


def test_a_plan_year_with_53_fridays_costs_53_weeks_of_pay():
    """Weekly pay on a Friday: 53 pay days from 1 April 2027 to 31 March 2028, 52 the year before."""
    pa = make_pa(rate(1271, "30"))
    pa.pay_weekday = 4
    longer = pa_cost(pa, rates, date(2027, 6, 1), (date(2027, 4, 1), date(2028, 3, 31)))
    usual = pa_cost(pa, rates, date(2026, 6, 1), (date(2026, 4, 1), date(2027, 3, 31)))
    assert (longer.pay_days, usual.pay_days) == (53, 52)
    assert longer.annual_wage_pence == 53 * 38_130 == 2_020_890  # £20,208.90
    assert longer.ni_before_pence == 53 * 4_279  # £42.79 each Friday: the 53rd week's NI too
    assert longer.pay_note == "53 weekly pay days of £381.30"
    plan = [line("pa_wages", 52 * 38_130 + 213_528 + 40_768)]  # provides for 52 weeks only (no NI: allowance)
    cost = employment_cost([pa], rates, date(2027, 6, 1), allowance_claimed=True, on_costs={}, lines=plan,
                           span=(date(2027, 4, 1), date(2028, 3, 31)))
    assert cost.headroom_pence == -(38_130 + 784)  # the 53rd week's pay and its £7.84 pension


def test_monthly_pay_uses_the_monthly_thresholds_12_times():
    pa = make_pa(rate(1271, "30"))
    pa.pay_frequency = "monthly"
    cost = pa_cost(pa, rates, date(2026, 6, 1), (date(2026, 4, 1), date(2027, 3, 31)))
    # £381.30 × 52 / 12 = £1,652.30 a month; NI 15% × (£1,652.30 − £417) = £185.295 → £185.29 (½p dropped);
    # pension 3% × (£1,652.30 − £520) = £33.969 → £33.97.
    assert (cost.pay_days, cost.annual_wage_pence) == (12, 12 * 165_230)
    assert cost.ni_before_pence == 12 * 18_529 and cost.pension_pence == 12 * 3_397


def test_sleep_ins_are_in_the_true_cost_and_their_pay_in_ni():
    pa = make_pa(rate(1271, "30"))
    pa.sleep_ins_per_week, pa.sleep_in_pence = Decimal(3), 6_000
    cost = pa_cost(pa, rates, date(2026, 6, 1), (date(2026, 4, 1), date(2027, 3, 31)))
    # 52 weeks of 3 sleep-ins at £60 = £9,360; the week's pay £561.30: NI 15% × £465.30 = £69.795 → £69.79.
    assert cost.sleep_in_pence == 936_000 and cost.ni_before_pence == 52 * 6_979
    assert cost.total_pence == cost.annual_wage_pence + 936_000 + cost.holiday_pence + cost.pension_pence + \
        cost.ni_after_pence


def test_a_pa_aged_20_costs_no_pension_unless_they_join():
    young = make_pa(rate(1271, "30"), dob=date(2006, 1, 1))
    cost = pa_cost(young, rates, date(2026, 6, 1), (date(2026, 4, 1), date(2027, 3, 31)))
    assert cost.pension_pence == 0  # 20 all plan year: may opt in
    young.pension_enrolled_on = date(2026, 4, 1)
    assert pa_cost(young, rates, date(2026, 6, 1), (date(2026, 4, 1), date(2027, 3, 31))).pension_pence == 52 * 784
    older = make_pa(rate(1271, "30"), dob=date(1990, 1, 1))
    older.pension_postponed_until = date(2026, 7, 1)  # 13 Fridays in April to June postponed
    assert pa_cost(older, rates, date(2026, 6, 1), (date(2026, 4, 1), date(2027, 3, 31))).pension_pence == 39 * 784


def test_plan_shortfall_is_an_urgent_warning():
    pas = [make_pa(rate(1271, "30"), pa_id=1), make_pa(rate(1271, "30"), pa_id=2)]
    short = employment_cost(pas, rates, Y2026, allowance_claimed=False, span=(date(2026, 4, 1), date(2027, 3, 31)),
                            on_costs={"Payroll": 26_000, "Insurance": 12_000}, lines=PLAN)
    found = employer_warnings(employer(), has_employed_pas=True, has_delegated_tasks=False, cost=short, today=Y2026)
    assert texts(found) == [("The plan’s lines for employing PAs are £3,791.28 a year short of the true cost "
                             "(1 April 2026 to 31 March 2027)", True)]
    enough = employment_cost(pas, rates(Y2026), Y2026, allowance_claimed=True,
                             on_costs={"Payroll": 26_000, "Insurance": 12_000}, lines=PLAN)
    assert employer_warnings(employer(), has_employed_pas=True, has_delegated_tasks=False, cost=enough,
                             today=Y2026) == []


# ---- 5. payroll CSV ---------------------------------------------------------------------------------------

MARIA = SimpleNamespace(id=1, name="Maria Santos", is_employed=True)
SAM = SimpleNamespace(id=2, name="Sam Jones", is_employed=True)
ZOE = SimpleNamespace(id=3, name="Zoe Self", is_employed=False)
PAS = {pa.name.lower(): pa for pa in (MARIA, SAM, ZOE)}
HEADER = "PA,Period start,Period end,Hours,Gross pay,Net pay,Date paid\n"


def csv_bytes(*rows, header=HEADER):
    return (header + "".join(r + "\n" for r in rows)).encode("utf-8")


def test_a_good_file():
    content = ("\ufeffEmployee,Period start,Period end,Hours worked,Gross pay,Employer’s NI,Net pay,Date paid\r\n"
               'Maria Santos,01/03/2026,31/03/2026,130,"£1,651.30",£0.00,"£1,420.12",31/03/2026\r\n'
               'sam jones ,2026-01-01,2026-03-31,"1,040.5","£13,225.36",£12.34,"£10,000.00",2026-04-01\r\n'
               ).encode("utf-8")
    result = parse(content, PAS)
    assert result.errors == []
    assert [(r.line_no, r.pa) for r in result.rows] == [(2, MARIA), (3, SAM)]
    assert result.rows[0].values == {
        "period_start": date(2026, 3, 1), "period_end": date(2026, 3, 31), "paid_on": date(2026, 3, 31),
        "hours": Decimal("130"), "gross_pence": 165_130, "net_pence": 142_012, "employer_ni_pence": 0,
        "employee_pension_pence": 0, "employer_pension_pence": 0}
    second = result.rows[1].values
    assert (second["hours"], second["gross_pence"], second["net_pence"], second["employer_ni_pence"]) == (
        Decimal("1040.5"), 1_322_536, 1_000_000, 1_234)
    assert (second["period_start"], second["paid_on"]) == (date(2026, 1, 1), date(2026, 4, 1))


def test_more_hours_than_the_period_has_are_refused():
    # 1 to 31 March has 31 × 24 = 744 hours; 744.01 cannot have been worked.
    header = "PA,Period start,Period end,Hours,Gross pay,Net pay,Date paid\n"
    result = parse(csv_bytes("Maria Santos,01/03/2026,31/03/2026,744.01,£9000.00,£8000.00,31/03/2026",
                             header=header), PAS)
    assert result.errors == ["Row 2: hours ‘744.01’ is more than the 744 hours in the pay period"]


@pytest.mark.parametrize("zero", ["£0", "0.0", "£0.0"])
def test_a_zero_optional_amount_however_written_is_zero(zero):
    # Employer NI is £0 for many PAs (under 21, or under the threshold); payroll exports write it in different ways.
    header = "PA,Period start,Period end,Hours,Gross pay,Employer NI,Net pay,Date paid\n"
    result = parse(csv_bytes(f"Maria Santos,01/03/2026,31/03/2026,10,£130.00,{zero},£120.00,31/03/2026",
                             header=header), PAS)
    assert result.errors == []
    assert result.rows[0].values["employer_ni_pence"] == 0


def test_headers_with_units_or_punctuation_are_recognised():
    header = "Employee name,Period start,Period end,Hours:,Gross pay (£),Net pay (£),Date paid\n"
    result = parse(csv_bytes("Maria Santos,01/03/2026,31/03/2026,10,130.00,120.00,31/03/2026", header=header), PAS)
    assert result.errors == []
    assert (result.rows[0].values["gross_pence"], result.rows[0].values["net_pence"]) == (13_000, 12_000)


def test_missing_required_columns_are_named():
    with pytest.raises(PayrollFileError, match="^The file is missing columns: Gross pay, Net pay$"):
        parse(csv_bytes("Maria Santos,01/03/2026,31/03/2026,10,31/03/2026",
                        header="Employee,Period start,Period end,Hours,Date paid\n"), PAS)


def test_windows_1252_file_is_refused_with_the_utf8_message():
    content = (HEADER + "Maria Santos,01/03/2026,31/03/2026,10,£130.00,£120.00,31/03/2026\n").encode("cp1252")
    assert b"\xa3" in content
    with pytest.raises(PayrollFileError) as err:
        parse(content, PAS)
    assert str(err.value) == "The file must be saved as UTF-8 (in Excel: Save as ‘CSV UTF-8’)"


@pytest.mark.parametrize("content, message", [
    (b"", "The selected file is empty"),
    (b"  \r\n \n", "The selected file is empty"),
    (b"\xef\xbb\xbf", "The selected file is empty"),
    (HEADER.encode(), "The file has a header row but no pay rows"),
    ((HEADER + ",,,,,,\n\n").encode(), "The file has a header row but no pay rows"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
     "The file must be a CSV file exported from your payroll service"),
    (b"a" * (1024 * 1024 + 1), "The file must be smaller than 1 MB"),
])
def test_files_that_cannot_be_read(content, message):
    with pytest.raises(PayrollFileError) as err:
        parse(content, PAS)
    assert str(err.value) == message


def test_decode_strips_the_byte_order_mark():
    assert decode("\ufeffPA,Gross\n£1".encode()) == "PA,Gross\n£1"


def test_every_row_error_carries_its_row_number():
    content = csv_bytes(
        "Maria Santos,01/03/2026,31/03/2026,130,£1651.30,£1420.12,31/03/2026",    # row 2: fine
        "Nobody Known,01/03/2026,31/03/2026,10,£130.00,£120.00,31/03/2026",       # row 3
        "",                                                                         # row 4: blank, skipped
        "Sam Jones,01/03/2026,31/03/2026,10,£130.00,£130.01,31/03/2026",          # row 5
        "Sam Jones,31/03/2026,01/03/2026,10,£130.00,£120.00,31/03/2026",          # row 6
        "Maria Santos,01/03/2026,31/03/2026,4,£52.00,£50.00,31/03/2026",          # row 7: same as row 2
        "Zoe Self,01/03/2026,31/03/2026,4,£60.00,£60.00,31/03/2026",              # row 8
        "Sam Jones,31/02/2026,31/03/2026,ten,£0,,31/03/2026",                     # row 9
    )
    result = parse(content, PAS)
    assert [r.line_no for r in result.rows] == [2]
    assert result.errors == [
        "Row 3: no PA called ‘Nobody Known’",
        "Row 5: net pay is more than gross pay",
        "Row 6: the period ends before it starts",
        "Row 7: the same PA and pay period appear twice in the file",
        "Row 8: Zoe Self is self-employed: record their invoices as payments instead",
        "Row 9: period start ‘31/02/2026’ is not a date like 31/03/2026; hours ‘ten’ is not a number of hours; "
        "gross pay: amount must be more than £0; net pay: enter an amount",
    ]


def test_the_same_pa_in_different_periods_is_not_a_duplicate():
    result = parse(csv_bytes("Maria Santos,01/02/2026,28/02/2026,10,£130.00,£120.00,28/02/2026",
                             "Maria Santos,01/03/2026,31/03/2026,10,£130.00,£120.00,31/03/2026",
                             "Sam Jones,01/03/2026,31/03/2026,10,£130.00,£120.00,31/03/2026"), PAS)
    assert result.errors == []
    assert [r.line_no for r in result.rows] == [2, 3, 4]


def test_pension_re_enrolment_is_reminded_30_days_before_each_third_anniversary():
    start = date(2023, 12, 20)  # duties began: re-enrolment on 20 December 2026, 2029…
    kwargs = {"has_employed_pas": True, "has_delegated_tasks": False, "cost": None, "duties_start": start}
    insured = employer(renews_on=date(2027, 6, 1))
    assert employer_warnings(insured, today=date(2026, 11, 19), **kwargs) == []
    found = employer_warnings(insured, today=date(2026, 11, 20), opted_out=("Tom Price",), **kwargs)
    assert texts(found) == [("Pension re-enrolment is due on 20 December 2026: put Tom Price, who opted out, back into "
                             "the pension if they are eligible jobholders, and the re-declaration of compliance goes "
                             "to the Pensions Regulator within 5 months of it", False)]
    assert employer_warnings(insured, today=date(2026, 12, 21), **kwargs) == []  # next: 2029
