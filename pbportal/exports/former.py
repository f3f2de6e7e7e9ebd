"""What a provider did while it held a managed account that has since moved to another provider: its staff keep
reading (and downloading) the payments, money in, reconciliation periods and returns of the time they held it,
and nothing from before or after. Access is by the handover alone; the budget's own pages answer 404 to them."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import joinedload

from ..auth.models import Role, User
from ..budget.models import Budget, MoneyIn, ProviderHandover
from ..choices import RecordStatus
from ..extensions import db
from ..pagination import Page, page_of
from ..reconciliation.models import MonitoringReturn, ReconciliationPeriod
from ..spending.models import SpendingEntry


def _moves_from(user: User):
    """The moves away from the user's provider, newest first; none for anyone but a provider's staff."""
    query = (select(ProviderHandover)
             .options(joinedload(ProviderHandover.budget), joinedload(ProviderHandover.to_provider))
             .where(ProviderHandover.from_provider_id == (user.organisation_id or 0))
             .order_by(ProviderHandover.moves_on.desc(), ProviderHandover.id.desc()))
    return query if user.role == Role.PROVIDER_STAFF else query.where(false())


def handovers_from(user: User, budget_id: int) -> list[ProviderHandover]:
    """The moves of one budget away from the user's provider."""
    return list(db.session.scalars(_moves_from(user).where(ProviderHandover.budget_id == budget_id)))


def former_page(user: User, page: int | None) -> Page:
    """The accounts the user's provider held before, a page of them, newest move first."""
    return page_of(_moves_from(user), page)


def _within(column, spans: list[ProviderHandover]):
    return or_(*[column.between(h.held_from, h.held_until) for h in spans])


def _overlapping(model, spans: list[ProviderHandover]):
    return or_(*[and_(model.starts_on <= h.held_until, model.ends_on >= h.held_from) for h in spans])


@dataclass
class HeldTime:
    budget: Budget
    spans: list[ProviderHandover]
    payments: Page
    spent_pence: int
    money_in: list[MoneyIn]
    received_pence: int
    periods: list[ReconciliationPeriod]
    returns: list[MonitoringReturn]


def payments_query(budget_id: int, spans: list[ProviderHandover]):
    return (select(SpendingEntry).options(joinedload(SpendingEntry.line))
            .where(SpendingEntry.budget_id == budget_id, _within(SpendingEntry.paid_on, spans))
            .order_by(SpendingEntry.paid_on, SpendingEntry.id))


def money_in_of(budget_id: int, spans: list[ProviderHandover]) -> list[MoneyIn]:
    return list(db.session.scalars(select(MoneyIn).where(MoneyIn.budget_id == budget_id,
                                                         _within(MoneyIn.received_on, spans))
                                   .order_by(MoneyIn.received_on, MoneyIn.id)))


def held_time(spans: list[ProviderHandover], page: int | None) -> HeldTime:
    budget = spans[0].budget
    payments = page_of(payments_query(budget.id, spans), page)
    spent = db.session.scalar(select(func.coalesce(func.sum(SpendingEntry.amount_pence), 0)).where(
        SpendingEntry.budget_id == budget.id, SpendingEntry.status == RecordStatus.ACTIVE,
        _within(SpendingEntry.paid_on, spans)))
    money_in = money_in_of(budget.id, spans)
    periods = list(db.session.scalars(select(ReconciliationPeriod).where(
        ReconciliationPeriod.budget_id == budget.id, _overlapping(ReconciliationPeriod, spans))
        .order_by(ReconciliationPeriod.starts_on)))
    returns = list(db.session.scalars(select(MonitoringReturn).where(
        MonitoringReturn.budget_id == budget.id, _overlapping(MonitoringReturn, spans))
        .order_by(MonitoringReturn.starts_on)))
    return HeldTime(budget, sorted(spans, key=lambda h: h.moves_on), payments, spent, money_in,
                    sum(m.amount_pence for m in money_in if m.status == RecordStatus.ACTIVE), periods, returns)
