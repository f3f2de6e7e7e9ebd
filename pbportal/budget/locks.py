"""Money that may not change: the error raised when a change touches books that are closed.

The rule that raises it lives with reconciliation (`reconciliation/lock.py`, registered by the app factory);
the error lives here, in the base layer, so every area that records money can catch it without depending on
reconciliation."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol


class ClosedSpan(Protocol):
    starts_on: date
    ends_on: date


_closed_spans: list[Callable[[int], list[ClosedSpan]]] = []


def register_closed_spans(finder: Callable[[int], list[ClosedSpan]]) -> None:
    """Reconciliation says here how to find a budget's closed periods (once per process), so an area below it
    (the statement import) can warn before it brings in lines that could never be matched."""
    if finder not in _closed_spans:
        _closed_spans.append(finder)


def closed_spans(budget_id: int) -> list[ClosedSpan]:
    """The budget's closed periods, oldest first (none if reconciliation is not installed)."""
    return [span for finder in _closed_spans for span in finder(budget_id)]


class PeriodLocked(ValueError):
    """A change to money dated inside a closed period."""

    def __init__(self, period: ClosedSpan):
        self.period = period
        super().__init__(f"The books from {period.starts_on:%-d %B %Y} to {period.ends_on:%-d %B %Y} are closed. "
                         "Reopen that period first, or choose a later date")


class HandedOver(PeriodLocked):
    """A change to money dated while a provider the account has since moved from held it: that provider's time is
    closed for good (its staff read it; the new provider reads it; nobody changes it)."""

    def __init__(self, period: ClosedSpan, provider_name: str):
        self.period = period
        ValueError.__init__(self, f"{provider_name} held this account until {period.ends_on:%-d %B %Y}, so the "
                                  "books to then are closed. Choose a later date")


class BudgetEnded(Exception):
    """A change asked of a budget that has ended: it is read-only."""

    def __init__(self, budget):
        self.budget = budget
        super().__init__(f"{budget.person_name}’s budget ended on {budget.ended_on:%-d %B %Y}")
