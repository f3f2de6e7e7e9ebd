from datetime import date

from pbportal.dates import anniversary, month_bounds, months_in, plan_year_for


def test_plan_year_runs_from_the_anniversary_to_the_day_before_the_next():
    year = plan_year_for(date(2025, 5, 1), date(2026, 11, 22))
    assert (year.start, year.end) == (date(2026, 5, 1), date(2027, 4, 30))
    assert year.days == 365


def test_plan_year_on_its_first_and_last_day():
    start = date(2026, 4, 6)
    assert plan_year_for(start, date(2026, 4, 6)).start == date(2026, 4, 6)
    assert plan_year_for(start, date(2027, 4, 5)).end == date(2027, 4, 5)
    assert plan_year_for(start, date(2027, 4, 6)).start == date(2027, 4, 6)


def test_before_the_first_plan_year_it_is_the_first_one():
    year = plan_year_for(date(2026, 12, 1), date(2026, 11, 22))
    assert year.start == date(2026, 12, 1)


def test_leap_day_start_falls_back_to_28_february():
    assert anniversary(date(2024, 2, 29), 2025) == date(2025, 2, 28)
    year = plan_year_for(date(2024, 2, 29), date(2025, 3, 1))
    assert (year.start, year.end) == (date(2025, 2, 28), date(2026, 2, 27))
    leap = plan_year_for(date(2024, 2, 29), date(2024, 6, 1))
    assert leap.days == 365  # 29 Feb 2024 to 27 Feb 2025


def test_days_elapsed_counts_today_and_stops_at_the_ends():
    year = plan_year_for(date(2026, 1, 1), date(2026, 1, 1))
    assert year.days_elapsed(date(2025, 12, 31)) == 0
    assert year.days_elapsed(date(2026, 1, 1)) == 1
    assert year.days_elapsed(date(2026, 12, 31)) == 365
    assert year.days_elapsed(date(2027, 6, 1)) == 365


def test_month_bounds():
    assert month_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert month_bounds("2026-13") is None
    assert month_bounds("junk") is None
    assert month_bounds("") is None


def test_months_in_a_plan_year_newest_first():
    months = months_in(plan_year_for(date(2026, 5, 15), date(2026, 6, 1)))
    assert months[0] == date(2027, 5, 1) and months[-1] == date(2026, 5, 1)
    assert len(months) == 13
