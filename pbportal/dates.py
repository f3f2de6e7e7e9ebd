"""Plan years and other date rules."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


def anniversary(start: date, year: int) -> date:
    """start's day and month in another year; 29 February falls back to 28 February."""
    day = min(start.day, calendar.monthrange(year, start.month)[1])
    return date(year, start.month, day)


@dataclass(frozen=True)
class PlanYear:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def days_elapsed(self, today: date) -> int:
        """Days of the year gone, counting today; 0 before it starts, all after it ends."""
        if today < self.start:
            return 0
        return min((today - self.start).days + 1, self.days)

    def label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def plan_year_for(first_start: date, day: date) -> PlanYear:
    """The plan year (anniversaries of first_start) that contains day; the first one if day is earlier."""
    year = day.year
    start = anniversary(first_start, year)
    if start > day:
        start = anniversary(first_start, year - 1)
    if start < first_start:
        start = first_start
    end = anniversary(first_start, start.year + 1) - timedelta(days=1)
    return PlanYear(start, end)


def plan_years(first_start: date, today: date) -> list[PlanYear]:
    """Every plan year from the first to the one containing today, newest first."""
    years = [plan_year_for(first_start, today)]
    while years[-1].start > first_start and len(years) < 100:
        years.append(plan_year_for(first_start, years[-1].start - timedelta(days=1)))
    return years


def month_bounds(month: str) -> tuple[date, date] | None:
    """'2026-03' -> (1 March 2026, 31 March 2026); None for anything else."""
    try:
        year_text, month_text = month.split("-")
        year, mon = int(year_text), int(month_text)
        first = date(year, mon, 1)
    except (ValueError, AttributeError):
        return None
    return first, date(year, mon, calendar.monthrange(year, mon)[1])


def months_in(plan_year: PlanYear) -> list[date]:
    """First day of each calendar month that the plan year touches, newest first."""
    months = []
    cursor = date(plan_year.start.year, plan_year.start.month, 1)
    while cursor <= plan_year.end:
        months.append(cursor)
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    return list(reversed(months))
