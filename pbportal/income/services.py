"""Money into a budget: recording it, voiding a mistake, listing it."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..audit import mark_changed, record
from ..budget.models import Budget, MoneyIn
from ..choices import RecordStatus
from ..dates import PlanYear
from ..extensions import db
from ..pagination import Page, page_of
from ..reviews.services import refresh_next_review


def _refresh_reviews(budget) -> None:
    """The first payment from the funder starts the review clock."""
    refresh_next_review(budget)


def record_money_in(budget, received_on, amount_pence: int, source: str, note: str, actor) -> MoneyIn:
    item = MoneyIn(budget_id=budget.id, received_on=received_on, amount_pence=amount_pence, source=source,
                   note=note, created_by_id=actor.id)
    db.session.add(item)
    db.session.flush()
    _refresh_reviews(budget)
    record("money_in.recorded", item, actor=actor, budget_id=budget.id, received_on=received_on,
           amount_pence=amount_pence, source=source, note=note)
    return item


def void_money_in(item: MoneyIn, reason: str, actor) -> None:
    mark_changed(item, RecordStatus.VOIDED, reason, actor)
    db.session.flush()
    _refresh_reviews(db.session.get(Budget, item.budget_id))
    record("money_in.voided", item, actor=actor, budget_id=item.budget_id, reason=reason,
           amount_pence=item.amount_pence)


def list_money_in(budget_id: int, plan_year: PlanYear, page: int) -> tuple[Page, dict[str, int]]:
    """One page of this plan year's money in (voided records too, marked), newest first: three queries."""
    base = select(MoneyIn).where(MoneyIn.budget_id == budget_id,
                                 MoneyIn.received_on.between(plan_year.start, plan_year.end))
    count = db.session.scalar(select(func.count()).select_from(base.subquery()))
    by_source = dict(db.session.execute(
        select(MoneyIn.source, func.sum(MoneyIn.amount_pence))
        .where(MoneyIn.budget_id == budget_id, MoneyIn.status == RecordStatus.ACTIVE,
               MoneyIn.received_on.between(plan_year.start, plan_year.end))
        .group_by(MoneyIn.source)
    ).all())
    found = page_of(base.options(joinedload(MoneyIn.created_by), joinedload(MoneyIn.changed_by))
                    .order_by(MoneyIn.received_on.desc(), MoneyIn.id.desc()), page, count=count)
    return found, {k: int(v) for k, v in by_source.items()}
