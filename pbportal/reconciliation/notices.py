"""Who hears of a question on a statement line and its answer, and of a monitoring return's steps."""
from __future__ import annotations

from ..banking.models import LineComment, StatementLine
from ..budget.access import holder_side_people, money_holders, provider_staff
from ..budget.models import Budget
from ..extensions import db
from ..notifications.models import Kind
from ..notifications.services import path_for, tell_of
from .models import MonitoringReturn, ReturnStatus


def _line_link(budget_id: int, line_id: int) -> str:
    return path_for("account.line", budget_id=budget_id, line_id=line_id)


def question_asked(budget: Budget, line: StatementLine, event, actor) -> None:
    tell_of(event, provider_staff(budget), Kind.HOLDER_QUESTION,
            f"{budget.person_name} asked about “{line.description}” on {line.line_date:%-d %B %Y}",
            _line_link(budget.id, line.id), budget.id, actor=actor)


def question_answered(question: LineComment, event, actor) -> None:
    budget = db.session.get(Budget, question.budget_id)
    line = db.session.get(StatementLine, question.statement_line_id)
    tell_of(event, holder_side_people(budget), Kind.LINE_ANSWERED,
            f"The provider answered your question about “{line.description}”",
            _line_link(budget.id, line.id), budget.id, actor=actor)


def return_moved(ret: MonitoringReturn, event, actor) -> None:
    budget = db.session.get(Budget, ret.budget_id)
    link = path_for("returns.show", budget_id=budget.id, return_id=ret.id)
    period = f"{ret.starts_on:%-d %B %Y} to {ret.ends_on:%-d %B %Y}"
    if ret.status == ReturnStatus.SUBMITTED:
        tell_of(event, [budget.case_manager], Kind.RETURN_SUBMITTED,
                f"A monitoring return for {budget.person_name} ({period}) is ready to check", link, budget.id,
                actor=actor)
        if budget.is_managed_account:  # a direct payment's holder sent it themselves
            tell_of(event, holder_side_people(budget), Kind.RETURN_SUBMITTED_FOR_ACCOUNT,
                    f"The provider sent the council the monitoring return for your account ({period})", link,
                    budget.id, actor=actor)
    elif ret.status == ReturnStatus.QUERIED:
        tell_of(event, money_holders(budget), Kind.RETURN_QUERIED,
                f"The case manager queried the return for {budget.person_name} ({period})", link, budget.id,
                actor=actor)
    elif ret.status == ReturnStatus.ACCEPTED:
        tell_of(event, money_holders(budget), Kind.RETURN_ACCEPTED,
                f"The case manager accepted the return for {budget.person_name} ({period})", link, budget.id,
                actor=actor)
