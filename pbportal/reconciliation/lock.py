"""The closed-period lock: no spending entry or money in dated inside a closed reconciliation period (or in the
time a provider the account has moved from held it) is added or changed, nor a statement line in it matched,
set aside or unmatched, whichever code asks.

It is a `before_flush` check on every database session, registered once by the app factory (`register`), so it
holds for every screen, import, command and the worker alike."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session, joinedload

from ..banking.models import StatementLine
from ..budget.locks import HandedOver, PeriodLocked, register_closed_spans
from ..budget.models import MoneyIn, ProviderHandover
from ..extensions import db
from ..spending.models import SpendingEntry
from .models import PeriodStatus, ReconciliationPeriod
from .periods import periods_of


def register() -> None:
    """Install the lock on every session (once per process, however many apps are made)."""
    if not event.contains(Session, "before_flush", _refuse_changes_in_closed_periods):
        event.listen(Session, "before_flush", _refuse_changes_in_closed_periods)
    register_closed_spans(closed_periods)
    register_closed_spans(handed_over)


def closed_periods(budget_id: int) -> list[ReconciliationPeriod]:
    return [period for period in periods_of(budget_id) if period.is_closed]


@dataclass(frozen=True)
class HeldBefore:
    """The time a provider the account has moved from held it: closed like a reconciliation period."""

    starts_on: date
    ends_on: date
    provider_name: str


def handed_over(budget_id: int, session=None) -> list[HeldBefore]:
    """Each former provider's time holding the account, oldest first."""
    rows = (session or db.session).scalars(
        select(ProviderHandover).options(joinedload(ProviderHandover.from_provider))
        .where(ProviderHandover.budget_id == budget_id).order_by(ProviderHandover.moves_on)).all()
    return [HeldBefore(row.held_from, row.held_until, row.from_provider.name) for row in rows]


_MONEY_FIELDS = {"status", "amount_pence", "paid_on", "received_on", "line_id", "statement_line_id", "source"}


def _refuse_changes_in_closed_periods(session, _context, _instances) -> None:
    """The lock itself, at the one place every change to money passes: a spending entry or money in dated
    inside a closed period cannot be added, voided, corrected or moved, nor a statement line in it matched,
    set aside or unmatched, whichever screen or import asks."""
    touched = []
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, StatementLine):  # matched, set aside or put back on the list to match
            if obj in session.dirty and inspect(obj).attrs.status.history.has_changes():
                touched.append((obj.budget_id, obj.line_date))
            continue
        if not isinstance(obj, SpendingEntry | MoneyIn):
            continue
        if obj in session.dirty:
            state = inspect(obj)
            changed = {a.key for a in state.attrs if a.key in _MONEY_FIELDS and a.history.has_changes()}
            if not changed:
                continue
            days = [obj.paid_on if isinstance(obj, SpendingEntry) else obj.received_on]
            for key in ("paid_on", "received_on"):
                if key in changed:
                    days += [d for d in state.attrs[key].history.deleted if d is not None]
        else:
            days = [obj.paid_on if isinstance(obj, SpendingEntry) else obj.received_on]
        touched += [(obj.budget_id, day) for day in days]
    if not touched:
        return
    with session.no_autoflush:
        closed = session.scalars(select(ReconciliationPeriod).where(
            ReconciliationPeriod.budget_id.in_({bid for bid, _ in touched}),
            ReconciliationPeriod.status == PeriodStatus.CLOSED)).all()
        moved = session.execute(
            select(ProviderHandover.budget_id, func.max(ProviderHandover.moves_on))
            .where(ProviderHandover.budget_id.in_({bid for bid, _ in touched}))
            .group_by(ProviderHandover.budget_id)).all()
    for budget_id, day in touched:
        for period in closed:
            if period.budget_id == budget_id and period.starts_on <= day <= period.ends_on:
                raise PeriodLocked(period)
        for moved_budget, moves_on in moved:
            if moved_budget == budget_id and day < moves_on:
                with session.no_autoflush:
                    span = next(s for s in handed_over(budget_id, session) if day <= s.ends_on)
                raise HandedOver(span, span.provider_name)
