"""Reconciling a managed account, period by period: opening balance + money in − money out should equal the
closing balance on the bank statement. A closed period is locked until it is reopened with a reason."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from ..audit import record
from ..banking.models import LineStatus, StatementLine
from ..budget.models import Budget, MoneyIn
from ..choices import RecordStatus
from ..extensions import db
from ..spending.figures import money_held
from ..spending.models import SpendingEntry
from ..timeutil import utcnow
from .models import PeriodStatus, ReconciliationPeriod


class StalePeriod(ValueError):
    """Someone else changed the period since the form was opened."""


def periods_of(budget_id: int) -> list[ReconciliationPeriod]:
    return list(db.session.scalars(select(ReconciliationPeriod).where(ReconciliationPeriod.budget_id == budget_id)
                                   .order_by(ReconciliationPeriod.starts_on)))


def _effective_money(budget_ids=None):
    """Every record that counts, dated as the bank saw it once matched (its statement line's date), otherwise
    by its own date: (budget_id, day, signed pence, kind, id, on_statement).

    With budget_ids, only those accounts' records and statement lines are read. Without it, PostgreSQL hash-joins
    the accounts' records to a sequential scan of every account's statement lines, so each page gets slower as
    the table grows, whatever the page shows."""
    line_in, line_out = aliased(StatementLine), aliased(StatementLine)
    in_on, out_on = line_in.id == MoneyIn.statement_line_id, line_out.id == SpendingEntry.statement_line_id
    in_where, out_where = [MoneyIn.status == RecordStatus.ACTIVE], [SpendingEntry.status == RecordStatus.ACTIVE]
    if budget_ids is not None:
        ids = list(budget_ids)
        in_on, out_on = and_(in_on, line_in.budget_id.in_(ids)), and_(out_on, line_out.budget_id.in_(ids))
        in_where.append(MoneyIn.budget_id.in_(ids))
        out_where.append(SpendingEntry.budget_id.in_(ids))
    money_in = (select(MoneyIn.budget_id.label("budget_id"),
                       func.coalesce(line_in.line_date, MoneyIn.received_on).label("day"),
                       MoneyIn.amount_pence.label("pence"), literal("in").label("kind"), MoneyIn.id.label("id"),
                       (MoneyIn.statement_line_id.is_not(None)).label("on_statement"))
                .outerjoin(line_in, in_on).where(*in_where))
    money_out = (select(SpendingEntry.budget_id, func.coalesce(line_out.line_date, SpendingEntry.paid_on),
                        -SpendingEntry.amount_pence, literal("out"), SpendingEntry.id,
                        SpendingEntry.statement_line_id.is_not(None))
                 .outerjoin(line_out, out_on).where(*out_where))
    return union_all(money_in, money_out).subquery("money")


@dataclass
class Reconciliation:
    period: ReconciliationPeriod
    money_in_pence: int
    money_out_pence: int
    statement_in_pence: int
    statement_out_pence: int
    not_in_portal: list[StatementLine] = field(default_factory=list)  # on the bank, not matched
    not_on_statement: list = field(default_factory=list)  # recorded, not seen on the bank
    more_not_in_portal: int = 0
    more_not_on_statement: int = 0
    set_aside: int = 0  # lines set aside as not for the plan (explained, so not a cause of a difference)
    set_aside_pence: int = 0  # their net: a transfer in and back out nets to nothing

    @property
    def expected_pence(self) -> int:
        return self.period.opening_balance_pence + self.money_in_pence - self.money_out_pence

    @property
    def difference_pence(self) -> int:
        """The statement's closing balance less what the books say: 0 when they agree."""
        return self.period.statement_balance_pence - self.expected_pence

    @property
    def statement_gap_pence(self) -> int:
        """Whether the statement lines held add up to the statement's own closing balance (a missing import
        shows here)."""
        return self.period.statement_balance_pence - (self.period.opening_balance_pence + self.statement_in_pence
                                                      - self.statement_out_pence)

    @property
    def agrees(self) -> bool:
        return self.difference_pence == 0


def reconcile(period: ReconciliationPeriod, limit: int = 50) -> Reconciliation:
    """The period's arithmetic and the lines that explain a difference: six queries, whatever the size."""
    money = _effective_money([period.budget_id])
    in_period = and_(money.c.budget_id == period.budget_id, money.c.day.between(period.starts_on, period.ends_on))
    money_in, money_out = db.session.execute(select(
        func.coalesce(func.sum(money.c.pence).filter(money.c.pence > 0), 0),
        func.coalesce(-func.sum(money.c.pence).filter(money.c.pence < 0), 0)).where(in_period)).one()
    lines_here = and_(StatementLine.budget_id == period.budget_id,
                      StatementLine.line_date.between(period.starts_on, period.ends_on))
    st_in, st_out = db.session.execute(select(
        func.coalesce(func.sum(StatementLine.amount_pence).filter(StatementLine.amount_pence > 0), 0),
        func.coalesce(-func.sum(StatementLine.amount_pence).filter(StatementLine.amount_pence < 0), 0))
        .where(lines_here)).one()
    # Lines set aside as not for the plan were explained when they were set aside: not a cause of a difference.
    unmatched = and_(lines_here, StatementLine.status == LineStatus.UNMATCHED)
    not_in_portal = db.session.scalars(select(StatementLine).where(unmatched)
                                       .order_by(StatementLine.line_date, StatementLine.id).limit(limit)).all()
    more_lines, set_aside, set_aside_pence = db.session.execute(select(
        func.count().filter(StatementLine.status == LineStatus.UNMATCHED),
        func.count().filter(StatementLine.status == LineStatus.IGNORED),
        func.coalesce(func.sum(StatementLine.amount_pence).filter(StatementLine.status == LineStatus.IGNORED), 0))
        .where(lines_here)).one()
    off_statement = and_(in_period, money.c.on_statement.is_(False))
    loose = db.session.execute(select(money.c.kind, money.c.id, money.c.day, money.c.pence).where(off_statement)
                               .order_by(money.c.day, money.c.id).limit(limit)).all()
    more_loose = db.session.scalar(select(func.count()).select_from(money).where(off_statement))
    return Reconciliation(period, int(money_in), int(money_out), int(st_in), int(st_out), list(not_in_portal),
                          _records(loose), more_lines - len(not_in_portal), more_loose - len(loose),
                          set_aside, int(set_aside_pence))


def _records(rows) -> list:
    """The spending entries and money in named by (kind, id, …) rows, in the rows' order: two queries."""
    out_ids = [r.id for r in rows if r.kind == "out"]
    in_ids = [r.id for r in rows if r.kind == "in"]
    found = {("out", e.id): e for e in db.session.scalars(select(SpendingEntry).where(SpendingEntry.id.in_(out_ids)))}
    found |= {("in", m.id): m for m in db.session.scalars(select(MoneyIn).where(MoneyIn.id.in_(in_ids)))}
    return [found[(r.kind, r.id)] for r in rows if (r.kind, r.id) in found]


def next_period_start(budget_id: int) -> date | None:
    """The day after the last period ends (None before the first period)."""
    last = db.session.scalar(select(func.max(ReconciliationPeriod.ends_on))
                             .where(ReconciliationPeriod.budget_id == budget_id))
    return last + timedelta(days=1) if last else None


def statement_balance_on(budget_id: int, day: date) -> int | None:
    """The running balance the bank gave on the last line dated on or before day, if its files had one."""
    return db.session.scalar(select(StatementLine.balance_pence).where(
        StatementLine.budget_id == budget_id, StatementLine.line_date <= day, StatementLine.balance_pence.is_not(None))
        .order_by(StatementLine.line_date.desc(), StatementLine.id.desc()).limit(1))


def opening_balance_guess(budget_id: int, starts_on: date) -> int | None:
    """For the first period: the balance before the first statement line on or after starts_on."""
    first = db.session.scalar(select(StatementLine).where(
        StatementLine.budget_id == budget_id, StatementLine.line_date >= starts_on,
        StatementLine.balance_pence.is_not(None)).order_by(StatementLine.line_date, StatementLine.id).limit(1))
    return first.balance_pence - first.amount_pence if first else None


def next_period_defaults(budget_id: int, first: bool) -> dict:
    """What the form to start the next period suggests: to end on the last statement line's date, with the
    bank's balance then; and the first period to open on the balance before the first line."""
    values = {}
    end = db.session.scalar(select(func.max(StatementLine.line_date)).where(StatementLine.budget_id == budget_id))
    if end:
        values.update(ends_on=end, statement=statement_balance_on(budget_id, end))
    if first:
        values["opening"] = opening_balance_guess(budget_id, date(1900, 1, 1))
    return values


def open_period(budget_id: int, starts_on: date, ends_on: date, opening_pence: int, statement_pence: int,
                actor) -> ReconciliationPeriod:
    """Start the next period: periods follow each other day by day, each opening on the last one's closing."""
    previous = db.session.scalar(select(ReconciliationPeriod).where(ReconciliationPeriod.budget_id == budget_id)
                                 .order_by(ReconciliationPeriod.ends_on.desc()).limit(1))
    if previous is not None:
        if not previous.is_closed:
            raise ValueError("Close the current period before starting the next one")
        starts_on, opening_pence = previous.ends_on + timedelta(days=1), previous.statement_balance_pence
    if ends_on < starts_on:
        raise ValueError(f"The period must end on or after {starts_on:%-d %B %Y}")
    if previous is None:  # the books begin: money held is counted from here, on this opening balance
        budget = db.session.get(Budget, budget_id)
        budget.brought_forward_pence, budget.books_from = opening_pence, starts_on
    period = ReconciliationPeriod(budget_id=budget_id, starts_on=starts_on, ends_on=ends_on,
                                  opening_balance_pence=opening_pence, statement_balance_pence=statement_pence,
                                  created_by_id=actor.id)
    db.session.add(period)
    db.session.flush()
    record("period.opened", period, actor=actor, budget_id=budget_id, starts_on=starts_on, ends_on=ends_on,
           opening_balance_pence=opening_pence, statement_balance_pence=statement_pence)
    return period


def _check_version(period: ReconciliationPeriod, seen_version: int) -> None:
    if period.version != seen_version:
        raise StalePeriod("Someone else changed this period while you were looking at it. Check the figures "
                          "again below.")


def close_period(period: ReconciliationPeriod, seen_version: int, statement_pence: int, explanation: str,
                 actor) -> Reconciliation:
    """Close the books for the period if they agree with the bank, or with a written explanation."""
    _check_version(period, seen_version)
    if period.is_closed:
        raise StalePeriod("This period is already closed.")
    period.statement_balance_pence = statement_pence
    result = reconcile(period)
    if not result.agrees and not explanation:
        raise ValueError("Explain the difference, or match the lines that cause it first")
    period.status, period.closed_by_id, period.closed_at = PeriodStatus.CLOSED, actor.id, utcnow()
    period.money_in_pence, period.money_out_pence = result.money_in_pence, result.money_out_pence
    period.difference_pence = result.difference_pence
    period.explanation = explanation if not result.agrees else ""
    db.session.flush()
    record("period.closed", period, actor=actor, budget_id=period.budget_id, starts_on=period.starts_on,
           ends_on=period.ends_on, opening_balance_pence=period.opening_balance_pence,
           money_in_pence=result.money_in_pence, money_out_pence=result.money_out_pence,
           statement_balance_pence=statement_pence, difference_pence=result.difference_pence,
           explanation=period.explanation)
    return result


def reopen_period(period: ReconciliationPeriod, seen_version: int, reason: str, actor) -> None:
    """Unlock a closed period so its money can be put right; only the latest one, as later periods open on its
    closing balance."""
    _check_version(period, seen_version)
    if not period.is_closed:
        raise StalePeriod("This period is already open.")
    later = db.session.scalar(select(func.count()).where(ReconciliationPeriod.budget_id == period.budget_id,
                                                         ReconciliationPeriod.starts_on > period.starts_on))
    if later:
        raise ValueError("Only the latest period can be reopened: later periods open on its closing balance")
    if not reason:
        raise ValueError("Enter why the period is being reopened")
    period.status = PeriodStatus.OPEN
    db.session.flush()
    record("period.reopened", period, actor=actor, budget_id=period.budget_id, reason=reason,
           starts_on=period.starts_on, ends_on=period.ends_on, closed_difference_pence=period.difference_pence)


def last_reconciled_column(budget_id):
    """The end of an account's latest closed period, as a scalar subquery (`budget_id` an id, or Budget.id)."""
    return (select(func.max(ReconciliationPeriod.ends_on))
            .where(ReconciliationPeriod.budget_id == budget_id, ReconciliationPeriod.status == PeriodStatus.CLOSED)
            .scalar_subquery())


def last_reconciled(budget_ids: list[int]) -> dict[int, date]:
    """The end of each account's latest closed period."""
    if not budget_ids:
        return {}
    return dict(db.session.execute(
        select(ReconciliationPeriod.budget_id, func.max(ReconciliationPeriod.ends_on))
        .where(ReconciliationPeriod.budget_id.in_(budget_ids), ReconciliationPeriod.status == PeriodStatus.CLOSED)
        .group_by(ReconciliationPeriod.budget_id)).all())


def portal_balances(budget_ids: list[int], as_of: dict[int, date] | None = None) -> dict[int, int]:
    """What the books say each account holds today (see book_balances)."""
    return book_balances(budget_ids, as_of or {})[0]


def book_balances(budget_ids: list[int], as_of: dict[int, date],
                  held: dict[int, int] | None = None) -> tuple[dict[int, int], dict[int, int]]:
    """What the books say each account holds: today (money held, as spending.figures.money_held defines it;
    `held` when the caller has it already), and at the end of the day as_of gives for an account, with matched
    records dated as the bank saw them (to set beside its last statement). At most three queries, whatever the
    number of accounts."""
    if not budget_ids:
        return {}, {}
    if held is not None and not as_of:
        return held, {}
    budgets = db.session.scalars(select(Budget).where(Budget.id.in_(budget_ids))).all()
    now = held if held is not None else money_held(list(budgets))
    if not as_of:
        return now, {}
    money = _effective_money(list(as_of))
    then = {b.id: b.brought_forward_pence for b in budgets if b.id in as_of}
    rows = db.session.execute(
        select(money.c.budget_id, func.sum(money.c.pence))
        .join(Budget, Budget.id == money.c.budget_id)
        .where(or_(Budget.books_from.is_(None), money.c.day >= Budget.books_from),
               or_(*[and_(money.c.budget_id == bid, money.c.day <= day) for bid, day in as_of.items()]))
        .group_by(money.c.budget_id)).all()
    for bid, total in rows:
        then[bid] += int(total or 0)
    return now, then
