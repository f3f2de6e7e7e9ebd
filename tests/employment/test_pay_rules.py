"""The employment rules of one pay period (pbportal/employment/payrules.py), with cases worked by hand.

Each expected figure is worked in the comment beside it from the seeded statutory figures
(pbportal/employment/statutory_rates.csv) and the rules in ../shared/domain.md section 4 and issue 14.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from pbportal.employment.payrules import (
    PayFrequency,
    PensionStatus,
    age_on,
    assess_pension,
    average_weekly_earnings,
    employer_ni,
    frequency_of,
    holiday_balance,
    minimum_wage,
    pay_days,
    reenrolment_date,
    sick_pay,
    state_pension_age_reached_on,
    wage_check,
)
from pbportal.employment.rates import UnknownRate, rates_on, seed_rows

SEED = [SimpleNamespace(**row) for row in seed_rows()]
WEEKLY, MONTHLY = PayFrequency.WEEKLY, PayFrequency.MONTHLY


def rates(day):
    return rates_on(day, SEED)


R2026 = rates(date(2026, 6, 1))


def pay(start, end, gross, hours, **more):
    return SimpleNamespace(period_start=start, period_end=end, gross_pence=gross, hours=Decimal(hours), **more)


# ---- 1. the minimum wage by pay reference period -------------------------------------------------------------

def test_the_week_across_5_and_6_april_2026_is_judged_at_the_rate_of_the_day_it_starts():
    week = pay(date(2026, 3, 30), date(2026, 4, 5), 30 * 1221, 30)  # paid 10 April at £12.21
    check = wage_check(week, rates(week.period_start), date_of_birth=date(1990, 1, 1))
    assert (check.minimum_pence, check.below) == (1221, False)
    april = pay(date(2026, 4, 1), date(2026, 4, 30), 100 * 1221, 100)  # paid early, on 31 March
    check = wage_check(april, rates(april.period_start), date_of_birth=date(1990, 1, 1))
    assert (check.minimum_pence, check.below) == (1271, True)
    assert check.shortfall_pence == 100 * 50  # 50p an hour short for 100 hours


def test_march_pay_paid_on_1_april_keeps_the_march_rate():
    march = pay(date(2026, 3, 1), date(2026, 3, 31), 80 * 1221, 80)
    assert not wage_check(march, rates(march.period_start), date_of_birth=None).below


@pytest.mark.parametrize("born, start, minimum", [
    (date(2005, 6, 10), date(2026, 6, 8), 1085),  # 20 on 8 June 2026: 18 to 20 band
    (date(2005, 6, 10), date(2026, 6, 10), 1271),  # 21 on the day the period starts: National Living Wage
    (date(2005, 6, 10), date(2026, 6, 4), 1085),  # turns 21 inside the week 4-10 June: the band at its start
    (date(2001, 7, 1), date(2023, 6, 1), 1018),  # 2023/24: 21 to 22 band while the NLW started at 23
    (date(2000, 5, 1), date(2023, 6, 1), 1042),  # 23 in 2023: National Living Wage
    (date(2002, 5, 1), date(2024, 5, 1), 1144),  # 22 in May 2024: the NLW age is 21 from April 2024
    (date(2009, 1, 1), date(2026, 6, 1), 800),  # 17: under 18 rate
])
def test_the_age_band_is_taken_when_the_pay_period_starts(born, start, minimum):
    assert minimum_wage(rates(start), born, start)[0] == minimum


def test_an_apprentice_rate_applies_under_19_or_in_the_first_year_only():
    start = date(2026, 6, 1)
    assert minimum_wage(rates(start), date(2000, 1, 1), start, date(2026, 1, 1))[0] == 800  # first year
    assert minimum_wage(rates(start), date(2000, 1, 1), start, date(2025, 5, 31))[0] == 1271  # second year, 26
    assert minimum_wage(rates(start), date(2008, 1, 1), start, date(2024, 1, 1))[0] == 800  # 18, second year


def test_older_pay_records_are_checked_with_2023_24_figures():
    week = pay(date(2023, 9, 4), date(2023, 9, 10), 20 * 1000, 20)  # £10.00 an hour, under £10.42
    check = wage_check(week, rates(week.period_start), date_of_birth=date(1980, 1, 1))
    assert (check.minimum_pence, check.below) == (1042, True)


def test_a_date_before_any_figure_is_unknown_not_passed():
    with pytest.raises(UnknownRate):
        minimum_wage(rates(date(2022, 6, 1)), None, date(2022, 6, 1))


# ---- 2. sleep-ins ------------------------------------------------------------------------------------------

def test_a_sleep_in_week_of_561_30_for_30_awake_hours_and_3_sleep_ins_is_not_below_the_minimum():
    # 30 awake hours at £12.71 = £381.30; 3 sleep-ins at £60 flat = £180; gross £561.30.
    week = pay(date(2026, 6, 1), date(2026, 6, 7), 56130, 30, sleep_ins=3, sleep_in_pence=18000)
    check = wage_check(week, R2026, date_of_birth=date(1990, 1, 1))
    assert check.counted_pence == 38130 and check.hourly == Decimal(1271) and not check.below
    assert "£180.00 sleep-in pay not counted" in check.working
    # Counting the sleep-ins' 27 hours asleep as working time would have made it £9.85 an hour: a false alarm.
    assert Decimal(56130) / 57 < 1271


def test_sleep_in_pay_cannot_make_up_awake_hours_paid_too_little():
    # 30 awake hours at £11.00 = £330 plus 3 sleep-ins at £90 = £600; gross £600 is £20 an awake hour overall.
    week = pay(date(2026, 6, 1), date(2026, 6, 7), 60000, 30, sleep_in_pence=27000)
    check = wage_check(week, R2026, date_of_birth=date(1990, 1, 1))
    assert check.below and check.shortfall_pence == 38130 - 33000


def test_holiday_pay_and_sick_pay_are_not_pay_for_hours_worked():
    week = pay(date(2026, 6, 1), date(2026, 6, 7), 38130 + 4602 + 2400, 30, holiday_pay_pence=4602,
               ssp_pence=2400)
    check = wage_check(week, R2026, date_of_birth=None)
    assert check.counted_pence == 38130 and not check.below


def test_a_live_in_pa_s_free_accommodation_counts_up_to_the_offset():
    # 7 days of free accommodation at the £11.10 offset adds £77.70; 40 hours at £10.90 = £436 → £513.70 = £12.84.
    week = pay(date(2026, 6, 1), date(2026, 6, 7), 43600, 40)
    assert wage_check(week, R2026, date_of_birth=None).below
    assert not wage_check(week, R2026, date_of_birth=None, accommodation_charge_pence=0).below
    # Charged £15 a day: £3.90 a day above the offset comes off (£27.30), so £12.71 × 40 = £508.40 falls short.
    charged = pay(date(2026, 6, 1), date(2026, 6, 7), 50840, 40)
    assert wage_check(charged, R2026, date_of_birth=None, accommodation_charge_pence=1500).counted_pence == 50840 - 2730


# ---- 3. employer NI per pay period ---------------------------------------------------------------------------

@pytest.mark.parametrize("gross, frequency, ni", [
    (9533, WEEKLY, 0),  # £95.33 is under the £96 weekly threshold
    (9660, WEEKLY, 9),  # 15% of £0.60 = 9p
    (10168, WEEKLY, 85),  # 15% of £5.68 = 85.2p → 85p
    (41310, MONTHLY, 0),  # £95.33 a week is £413.10 a month, under £417
    (41860, MONTHLY, 24),  # £96.60 a week is £418.60 a month: 15% of £1.60 = 24p
    (44061, MONTHLY, 354),  # £101.68 a week is £440.61 a month: 15% of £23.61 = 354.15p → 354p
    (9610, WEEKLY, 1),  # 15% of 10p = 1.5p: half a penny or less is dropped → 1p
    (19200, PayFrequency.FORTNIGHTLY, 0),  # two weeks' threshold is £192
    (40000, PayFrequency.FOUR_WEEKLY, 240),  # 15% of (£400 − 4 × £96 = £384) = £2.40
])
def test_employer_ni_uses_the_pay_period_s_threshold(gross, frequency, ni):
    assert employer_ni(gross, R2026, frequency, 40).pence == ni


def test_irregular_pay_costs_ni_each_week_it_is_paid_not_an_annual_figure_spread_evenly():
    # 26 weeks at £200 and 26 at nothing: 26 × 15% × (£200 − £96) = 26 × £15.60 = £405.60 (an annual figure
    # would say 15% × (£5,200 − £5,000) = £30).
    weeks = [20000] * 26 + [0] * 26
    assert sum(employer_ni(g, R2026, WEEKLY, 40).pence for g in weeks) == 40560


def test_under_21_relief_ends_from_the_pay_period_the_pa_turns_21():
    born = date(2005, 9, 10)
    week_before = employer_ni(30000, R2026, WEEKLY, 20)  # £300: 0% up to £967 while under 21
    assert week_before.pence == 0 and week_before.under_21
    turning = date(2026, 9, 13)  # the week 7-13 September holds the 21st birthday
    assert employer_ni(30000, R2026, WEEKLY, age_on(born, turning)).pence == 3060  # 15% of £204


def test_2024_25_weekly_threshold_was_175():
    assert employer_ni(20000, rates(date(2024, 10, 1)), WEEKLY, 40).pence == 345  # 13.8% of £25 = 345p


# ---- 5. automatic enrolment per pay period ------------------------------------------------------------------

def test_the_trigger_is_assessed_each_period():
    born = date(1990, 1, 1)
    end = date(2026, 6, 7)
    over = assess_pension(19300, R2026, WEEKLY, born, end)  # £193 > £192
    at = assess_pension(19200, R2026, WEEKLY, born, end)  # £192 is not more than the trigger
    assert over.status is PensionStatus.ELIGIBLE and over.contribution_pence == 219  # 3% of £73 = £2.19
    assert at.status is PensionStatus.NON_ELIGIBLE
    assert assess_pension(83400, R2026, MONTHLY, born, end).status is PensionStatus.ELIGIBLE  # > £833
    assert assess_pension(83300, R2026, MONTHLY, born, end).status is PensionStatus.NON_ELIGIBLE
    assert assess_pension(12000, R2026, WEEKLY, born, end).status is PensionStatus.ENTITLED  # not above £120


def test_a_pa_aged_20_may_opt_in_but_is_not_enrolled_and_22_is_the_age_of_enrolment():
    end = date(2026, 6, 7)
    assert assess_pension(40000, R2026, WEEKLY, date(2006, 1, 1), end).status is PensionStatus.NON_ELIGIBLE
    assert assess_pension(40000, R2026, WEEKLY, date(2004, 6, 7), end).status is PensionStatus.ELIGIBLE  # 22 today
    assert assess_pension(40000, R2026, WEEKLY, date(2004, 6, 8), end).status is PensionStatus.NON_ELIGIBLE
    assert assess_pension(40000, R2026, WEEKLY, date(1951, 1, 1), end).status is PensionStatus.NONE  # 75


def test_state_pension_age_rises_by_date_of_birth():
    assert state_pension_age_reached_on(date(1960, 4, 5)) == date(2026, 4, 5)  # 66
    assert state_pension_age_reached_on(date(1960, 4, 6)) == date(2026, 5, 6)  # 66 and 1 month
    assert state_pension_age_reached_on(date(1961, 3, 6)) == date(2028, 3, 6)  # 67
    over = assess_pension(40000, R2026, WEEKLY, date(1960, 1, 1), date(2026, 6, 7))
    assert over.status is PensionStatus.NON_ELIGIBLE  # over State Pension age: may opt in


def test_reenrolment_comes_every_third_anniversary():
    assert reenrolment_date(date(2023, 5, 1), date(2026, 4, 1)) == date(2026, 5, 1)
    assert reenrolment_date(date(2023, 5, 1), date(2026, 5, 2)) == date(2029, 5, 1)


# ---- 6. Statutory Sick Pay --------------------------------------------------------------------------------

def test_ssp_for_a_3_day_sickness_at_150_a_week_from_april_2026():
    # The lower of £123.25 and 80% of £150 = £120 a week; 3 of 5 working days = £72.00, from the first day.
    owed = sick_pay(date(2026, 6, 1), date(2026, 6, 3), working_days="01234", awe_pence=15000, rates_at=rates)
    assert (owed.pence, owed.paid_days, owed.weekly_pence) == (7200, 3, 12000)


def test_before_april_2026_a_3_day_sickness_paid_nothing_and_low_earners_nothing():
    short = sick_pay(date(2025, 6, 2), date(2025, 6, 4), working_days="01234", awe_pence=15000, rates_at=rates)
    assert short.pence == 0 and "fewer than 4 days" in short.reason
    # 5 working days Mon-Fri: 3 waiting days, then 2 at £118.75 / 5 = £47.50.
    week = sick_pay(date(2025, 6, 2), date(2025, 6, 6), working_days="01234", awe_pence=15000, rates_at=rates)
    assert (week.pence, week.paid_days) == (4750, 2)
    low = sick_pay(date(2025, 6, 2), date(2025, 6, 6), working_days="01234", awe_pence=12000, rates_at=rates)
    assert low.pence == 0 and "lower earnings limit" in low.reason  # £120 < £125
    # From April 2026 the same low earner is paid: 80% of £120 = £96 a week, 5 of 5 days.
    assert sick_pay(date(2026, 6, 1), date(2026, 6, 5), working_days="01234", awe_pence=12000,
                    rates_at=rates).pence == 9600


def test_ssp_counts_only_working_days_and_caps_at_the_weekly_rate():
    # Works Mon, Wed, Fri; off sick Mon-Sun: 3 working days at the full £123.25 (80% of £400 is more).
    owed = sick_pay(date(2026, 6, 1), date(2026, 6, 7), working_days="024", awe_pence=40000, rates_at=rates)
    assert (owed.days, owed.pence) == (3, 12325)


def test_average_weekly_earnings_come_from_the_8_weeks_before():
    start = date(2026, 6, 1)
    weeks = [pay(start - timedelta(days=7 * n), start - timedelta(days=7 * n - 6), 15000, 12) for n in range(1, 12)]
    assert average_weekly_earnings(weeks, start) == 15000
    assert average_weekly_earnings([], start) is None


# ---- 7. holiday ----------------------------------------------------------------------------------------------

def test_irregular_hours_accrue_12_07_percent_of_hours_worked():
    balance = holiday_balance(day=date(2026, 9, 1), irregular=True, weekly_hours=Decimal(0), days_per_week=5,
                              employed_from=date(2024, 1, 1), employed_to=None, hours_worked=Decimal(400),
                              taken_hours=Decimal(20), rates=R2026)
    assert balance.accrued_hours == Decimal("48.28") and balance.left_hours == Decimal("28.28")


def test_regular_hours_have_5_6_weeks_in_proportion_to_the_year_worked():
    full = holiday_balance(day=date(2026, 9, 1), irregular=False, weekly_hours=Decimal(30), days_per_week=5,
                           employed_from=date(2024, 1, 1), employed_to=None, hours_worked=Decimal(0),
                           taken_hours=Decimal(0), rates=R2026)
    assert full.accrued_hours == Decimal("168.00")  # 5.6 × 30
    half = holiday_balance(day=date(2026, 9, 1), irregular=False, weekly_hours=Decimal(30), days_per_week=5,
                           employed_from=date(2026, 10, 1), employed_to=None, hours_worked=Decimal(0),
                           taken_hours=Decimal(0), rates=R2026)
    assert half.accrued_hours == Decimal("83.77")  # starts 1 October: 168 × 182 of 365 days = 83.77
    six_days = holiday_balance(day=date(2026, 9, 1), irregular=False, weekly_hours=Decimal(36), days_per_week=6,
                               employed_from=date(2024, 1, 1), employed_to=None, hours_worked=Decimal(0),
                               taken_hours=Decimal(0), rates=R2026)
    assert six_days.accrued_hours == Decimal("168.00")  # 5.6 × 36 = 201.6, but at most 28 days of 6 hours


# ---- 10. pay days in a year -------------------------------------------------------------------------------

def test_weekly_pay_on_a_friday_comes_53_times_from_april_2027_to_march_2028():
    assert len(pay_days(WEEKLY, 4, date(2027, 4, 1), date(2028, 3, 31))) == 53  # 2 April 2027 … 31 March 2028
    assert len(pay_days(WEEKLY, 4, date(2026, 4, 1), date(2027, 3, 31))) == 52
    assert len(pay_days(MONTHLY, 0, date(2027, 4, 1), date(2028, 3, 31))) == 12
    fortnightly = pay_days(PayFrequency.FORTNIGHTLY, 4, date(2027, 4, 1), date(2028, 3, 31), anchor=date(2027, 1, 1))
    assert fortnightly[0] == date(2027, 4, 9) and len(fortnightly) == 26  # Fridays from 1 Jan 2027, every 14 days


@pytest.mark.parametrize("days, frequency", [(7, WEEKLY), (14, PayFrequency.FORTNIGHTLY),
                                             (28, PayFrequency.FOUR_WEEKLY), (31, MONTHLY), (30, MONTHLY)])
def test_a_pay_period_s_length_says_how_often_the_pa_is_paid(days, frequency):
    start = date(2026, 6, 1)
    assert frequency_of(start, start + timedelta(days=days - 1)) is frequency
