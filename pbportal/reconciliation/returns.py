"""Monitoring returns: an account's figures for a span of closed periods, for the funder's case manager."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from ..audit import record
from ..budget.models import CATEGORIES, INCOME_SOURCES, Budget, BudgetLine, IncomeSource, MoneyIn, Plan
from ..budget.services import in_force
from ..extensions import db
from ..reviews.services import add_months
from ..spending.models import SpendingEntry
from ..spreadsheet import text_cell
from . import notices
from .models import MonitoringReturn, ReconciliationPeriod, ReturnAction, ReturnEvent, ReturnStatus
from .periods import _effective_money, periods_of

DECLARATION = ("I confirm that these figures are taken from the account’s bank statements and the records kept in "
               "pbportal, that the money was spent on the support in the person’s care and support plan, and that "
               "the closing balance agrees with the bank statement (or the difference is explained).")
HOLDER_DECLARATION = ("I confirm that these figures are taken from my direct payment account’s bank statements and "
                      "the records I keep in pbportal, that the money was spent on the support in my care and support "
                      "plan, and that the closing balance agrees with the bank statement (or the difference is "
                      "explained).")


def declaration_for(budget: Budget, actor) -> str:
    """What the person sending the return confirms: in the first person for a holder sending their own."""
    return HOLDER_DECLARATION if actor.id == budget.holder_id else DECLARATION


# Money in as a funder reads it (INCOME_SOURCES is worded for the holder: "My own contribution").
RETURN_SOURCES = {IncomeSource.FUNDER: "Payments from the funder",
                  IncomeSource.CONTRIBUTION: "The person’s own contribution",
                  IncomeSource.OTHER: "Other money in (refunds and the like)"}


class StaleReturn(ValueError):
    """Someone else moved the return on since the page was opened."""


def covered_by_closed_periods(budget_id: int, starts_on: date, ends_on: date) -> list[ReconciliationPeriod] | None:
    """The closed periods that exactly make up starts_on…ends_on, or None if any day is not reconciled."""
    chosen = [p for p in periods_of(budget_id) if p.starts_on >= starts_on and p.ends_on <= ends_on]
    if not chosen or chosen[0].starts_on != starts_on or chosen[-1].ends_on != ends_on:
        return None
    if any(not p.is_closed for p in chosen):
        return None
    return chosen


def return_figures(budget: Budget, starts_on: date, ends_on: date) -> dict:
    """Opening balance, income by source, spending by category and by budget line against the plan, closing
    balance, weeks of funding held and the surplus over the funder's threshold. All integers (pence, days)."""
    periods = covered_by_closed_periods(budget.id, starts_on, ends_on)
    if periods is None:
        raise ValueError("Choose dates that begin and end with closed reconciliation periods")
    money = _effective_money([budget.id])
    in_span = and_(money.c.budget_id == budget.id, money.c.day.between(starts_on, ends_on))
    income = dict(db.session.execute(
        select(MoneyIn.source, func.sum(MoneyIn.amount_pence))
        .join(money, and_(money.c.kind == "in", money.c.id == MoneyIn.id)).where(in_span)
        .group_by(MoneyIn.source)).all())
    spent_rows = db.session.execute(
        select(func.coalesce(BudgetLine.root_line_id, BudgetLine.id), SpendingEntry.category,
               func.sum(SpendingEntry.amount_pence))
        .join(money, and_(money.c.kind == "out", money.c.id == SpendingEntry.id))
        .join(BudgetLine, BudgetLine.id == SpendingEntry.line_id).where(in_span)
        .group_by(func.coalesce(BudgetLine.root_line_id, BudgetLine.id), SpendingEntry.category)).all()
    plans = list(db.session.scalars(select(Plan).where(Plan.budget_id == budget.id).order_by(Plan.version)))
    plan = in_force(plans, ends_on)
    lines = list(db.session.scalars(select(BudgetLine).where(BudgetLine.plan_id == (plan.id if plan else 0))
                                    .order_by(BudgetLine.position, BudgetLine.id)))
    days = (ends_on - starts_on).days + 1
    by_lineage: dict[int, int] = {}
    by_category: dict[str, int] = {}
    for lineage, category, pence in spent_rows:
        by_lineage[lineage] = by_lineage.get(lineage, 0) + int(pence)
        by_category[category] = by_category.get(category, 0) + int(pence)
    line_rows = []
    for line in lines:
        line_rows.append({"item": line.item, "category": line.category,
                          "planned_pence": line.annual_pence * days // 365,
                          "spent_pence": by_lineage.pop(line.lineage, 0)})
    if by_lineage:  # spending on lines an earlier version of the plan had
        line_rows.append({"item": "Lines no longer in the plan", "category": "other", "planned_pence": 0,
                          "spent_pence": sum(by_lineage.values())})
    annual = sum(line.annual_pence for line in lines)
    weekly = annual // 52
    opening, closing = periods[0].opening_balance_pence, periods[-1].statement_balance_pence
    threshold = weekly * budget.funder.surplus_weeks
    money_in = sum(int(v) for v in income.values())
    money_out = sum(by_category.values())
    return {
        "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), "days": days,
        "opening_pence": opening, "closing_pence": closing,
        "income": {source: int(income.get(source, 0)) for source in INCOME_SOURCES},
        "money_in_pence": money_in, "money_out_pence": money_out,
        "by_category": {key: by_category[key] for key in CATEGORIES if key in by_category},
        "lines": line_rows,
        "periods": [{"starts_on": p.starts_on.isoformat(), "ends_on": p.ends_on.isoformat(),
                     "statement_balance_pence": p.statement_balance_pence, "difference_pence": p.difference_pence,
                     "explanation": p.explanation} for p in periods],
        "annual_plan_pence": annual, "weekly_plan_pence": weekly,
        # Tenths of a week, as an integer: 83 means 8.3 weeks of the plan's cost held.
        "weeks_held_tenths": (abs(closing) * 10 // weekly * (-1 if closing < 0 else 1)) if weekly > 0 else None,
        "surplus_weeks": budget.funder.surplus_weeks, "threshold_pence": threshold,
        "surplus_pence": max(0, closing - threshold) if weekly > 0 else 0,
        "unexplained_pence": opening + money_in - money_out - closing,
    }


def _event(ret: MonitoringReturn, action: ReturnAction, comment: str, actor) -> None:
    db.session.add(ReturnEvent(return_id=ret.id, budget_id=ret.budget_id, action=action, comment=comment,
                               actor_id=actor.id))
    event = record(f"return.{action}", ret, actor=actor, budget_id=ret.budget_id, comment=comment,
                   starts_on=ret.starts_on, ends_on=ret.ends_on, closing_pence=ret.figures["closing_pence"])
    notices.return_moved(ret, event, actor)


def refuse_overlap(budget: Budget, starts_on: date, ends_on: date) -> None:
    """A span that overlaps a return already submitted (other than one for exactly these dates, which
    submit_return names) is refused, naming that return: the same money would be reported twice."""
    other = db.session.scalar(select(MonitoringReturn).where(
        MonitoringReturn.budget_id == budget.id, MonitoringReturn.starts_on <= ends_on,
        MonitoringReturn.ends_on >= starts_on,
        ~((MonitoringReturn.starts_on == starts_on) & (MonitoringReturn.ends_on == ends_on)))
        .order_by(MonitoringReturn.starts_on))
    if other is not None:
        raise ValueError(f"These dates overlap the return for {other.starts_on:%-d %B %Y} to "
                         f"{other.ends_on:%-d %B %Y}, already submitted. Choose periods that start after "
                         f"{other.ends_on:%-d %B %Y} or end before {other.starts_on:%-d %B %Y}")


def submit_return(budget: Budget, starts_on: date, ends_on: date, actor, comment: str = "") -> MonitoringReturn:
    figures = return_figures(budget, starts_on, ends_on)
    existing = db.session.scalar(select(MonitoringReturn).where(
        MonitoringReturn.budget_id == budget.id, MonitoringReturn.starts_on == starts_on,
        MonitoringReturn.ends_on == ends_on))
    if existing is not None:
        raise ValueError("A return for these dates has already been submitted: open it to see where it is")
    refuse_overlap(budget, starts_on, ends_on)
    ret = MonitoringReturn(budget_id=budget.id, starts_on=starts_on, ends_on=ends_on, figures=figures,
                           declaration=declaration_for(budget, actor), submitted_by_id=actor.id)
    db.session.add(ret)
    db.session.flush()
    _event(ret, ReturnAction.SUBMITTED, comment, actor)
    return ret


def _move(ret: MonitoringReturn, seen_version: int, moving_from: ReturnStatus) -> None:
    if ret.version != seen_version or ret.status != moving_from:
        raise StaleReturn("This return has moved on since you opened it. It is shown as it is now.")


def resubmit_return(budget: Budget, ret: MonitoringReturn, seen_version: int, comment: str, actor) -> None:
    """After a query: the figures are taken again (periods may have been reopened and put right)."""
    _move(ret, seen_version, ReturnStatus.QUERIED)
    if not comment:
        raise ValueError("Enter your answer to the case manager’s query")
    ret.figures = return_figures(budget, ret.starts_on, ret.ends_on)
    ret.status = ReturnStatus.SUBMITTED
    db.session.flush()
    _event(ret, ReturnAction.RESUBMITTED, comment, actor)


def respond(ret: MonitoringReturn, seen_version: int, decision: str, comment: str, actor) -> None:
    """The case manager accepts the return, or queries it with a comment."""
    _move(ret, seen_version, ReturnStatus.SUBMITTED)
    if decision not in (ReturnStatus.ACCEPTED, ReturnStatus.QUERIED):
        raise ValueError("Choose whether to accept the return or query it")
    if decision == ReturnStatus.QUERIED and not comment:
        raise ValueError("Enter what you want the provider to check")
    ret.status = ReturnStatus(decision)
    db.session.flush()
    _event(ret, ReturnAction(decision), comment, actor)  # the step is named as the state it leads to


def events_of(ret: MonitoringReturn) -> list[ReturnEvent]:
    return list(db.session.scalars(select(ReturnEvent).options(joinedload(ReturnEvent.actor))
                                   .where(ReturnEvent.return_id == ret.id).order_by(ReturnEvent.at, ReturnEvent.id)))


def as_csv(budget: Budget, figures: dict) -> str:
    """The return as a spreadsheet opens it: one figure a row, pounds with pence; text that could run as a
    formula is neutralised (spreadsheet.text_cell)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    money = _csv_pounds
    w.writerow(["Monitoring return", text_cell(budget.person_name)])
    w.writerow(["Funder", text_cell(budget.funder.name)])
    w.writerow(["Provider", text_cell(budget.provider.name if budget.provider else "")])
    w.writerow(["Period", figures["starts_on"], figures["ends_on"]])
    w.writerow([])
    w.writerow(["Section", "Item", "Planned (£)", "Amount (£)"])
    w.writerow(["Balance", "Opening balance", "", money(figures["opening_pence"])])
    for source, pence in figures["income"].items():
        w.writerow(["Money in", RETURN_SOURCES[source], "", money(pence)])
    w.writerow(["Money in", "Total money in", "", money(figures["money_in_pence"])])
    for category, pence in figures["by_category"].items():
        w.writerow(["Money out by category", text_cell(CATEGORIES.get(category, category)), "", money(pence)])
    w.writerow(["Money out", "Total money out", "", money(figures["money_out_pence"])])
    for row in figures["lines"]:
        w.writerow(["Budget line", text_cell(row["item"]), money(row["planned_pence"]), money(row["spent_pence"])])
    w.writerow(["Balance", "Closing balance per the bank statement", "", money(figures["closing_pence"])])
    w.writerow(["Funding held", "Weekly cost of the plan", "", money(figures["weekly_plan_pence"])])
    w.writerow(["Funding held", "Weeks of funding held", "", format_weeks(figures["weeks_held_tenths"])])
    w.writerow(["Funding held", f"Surplus above {figures['surplus_weeks']} weeks", "",
                money(figures["surplus_pence"])])
    return out.getvalue()


def _csv_pounds(pence: int) -> str:
    """Pence as plain pounds for a spreadsheet: -12345 → '-123.45' (no £ sign, no thousands separator)."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(int(pence)) // 100}.{abs(int(pence)) % 100:02d}"


def format_weeks(tenths: int | None) -> str:
    """Tenths of a week as '8.3', rounded towards zero both sides of it ('-14.7' when overdrawn)."""
    if tenths is None:
        return ""
    return f"{'-' if tenths < 0 else ''}{abs(tenths) // 10}.{abs(tenths) % 10}"


def returns_waiting(budget_ids: list[int]) -> dict[int, int]:
    """Returns submitted and waiting for the case manager, per budget."""
    if not budget_ids:
        return {}
    return dict(db.session.execute(select(MonitoringReturn.budget_id, func.count())
                                   .where(MonitoringReturn.budget_id.in_(budget_ids),
                                          MonitoringReturn.status == ReturnStatus.SUBMITTED)
                                   .group_by(MonitoringReturn.budget_id)).all())


DAYS_TO_SEND = 28  # after a return's span ends, the time to reconcile it and send it


@dataclass
class ReturnDue:
    """The next return a budget owes its funder: the span it covers, and when it should be sent by."""
    starts_on: date
    ends_on: date
    due_by: date
    overdue: bool


def returns_due(budgets: list[Budget], today: date) -> dict[int, ReturnDue]:
    """For each budget that owes one now (its next span has ended): the return due. Spans follow on from the last
    return sent (or the plan year's start), the funder's return_interval_months long. One query."""
    live = [b for b in budgets if not b.is_ended]
    if not live:
        return {}
    last = dict(db.session.execute(select(MonitoringReturn.budget_id, func.max(MonitoringReturn.ends_on))
                                   .where(MonitoringReturn.budget_id.in_([b.id for b in live]))
                                   .group_by(MonitoringReturn.budget_id)).all())
    found = {}
    for budget in live:
        starts = last[budget.id] + timedelta(days=1) if budget.id in last else budget.plan_year_start
        ends = add_months(starts, budget.funder.return_interval_months) - timedelta(days=1)
        if ends < today:
            due_by = ends + timedelta(days=DAYS_TO_SEND)
            found[budget.id] = ReturnDue(starts, ends, due_by, today > due_by)
    return found
