"""Money that may not change: the error raised when a change touches books that are closed.

The rule that raises it lives with reconciliation (`reconciliation/lock.py`, registered by the app factory);
the error lives here, in the base layer, so every area that records money can catch it without depending on
reconciliation."""
from __future__ import annotations

from datetime import date
from typing import Protocol


class ClosedSpan(Protocol):
    starts_on: date
    ends_on: date


class PeriodLocked(ValueError):
    """A change to money dated inside a closed period."""

    def __init__(self, period: ClosedSpan):
        self.period = period
        super().__init__(f"The books from {period.starts_on:%-d %B %Y} to {period.ends_on:%-d %B %Y} are closed. "
                         "Reopen that period first, or choose a later date")


class BudgetEnded(Exception):
    """A change asked of a budget that has ended: it is read-only."""

    def __init__(self, budget):
        self.budget = budget
        super().__init__(f"{budget.person_name}’s budget ended on {budget.ended_on:%-d %B %Y}")
