"""Review dates, review requests and their steps, and recorded reviews."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..audit import record
from ..budget.models import Budget, BudgetLine, IncomeSource, MoneyIn
from ..choices import RecordStatus
from ..extensions import db
from . import notices
from .models import NEXT, RequestEvent, Review, ReviewOutcome, ReviewRequest, ReviewStatus


def add_months(day: date, months: int) -> date:
    """The same day `months` later; a day the month lacks becomes its last (31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_payment_on(budget_id: int) -> date | None:
    """The first payment from the funder into the budget, which starts the review clock."""
    return db.session.scalar(select(func.min(MoneyIn.received_on)).where(
        MoneyIn.budget_id == budget_id, MoneyIn.source == IncomeSource.FUNDER, MoneyIn.status == RecordStatus.ACTIVE))


def latest_review(budget_id: int) -> Review | None:
    return db.session.scalar(select(Review).where(Review.budget_id == budget_id)
                             .order_by(Review.held_on.desc(), Review.id.desc()).limit(1))


def next_review_due(first_payment: date | None, last: Review | None, first_review_months: int) -> date | None:
    if last is not None:
        return last.next_review_on
    if first_payment is not None:
        return add_months(first_payment, first_review_months)
    return None


def refresh_next_review(budget: Budget) -> date | None:
    """Recompute and store when the budget's next review is due (after money in, a review, or a settings change)."""
    budget.next_review_due = next_review_due(first_payment_on(budget.id), latest_review(budget.id),
                                             budget.funder.first_review_months)
    return budget.next_review_due


def refresh_funder(funder_id: int) -> int:
    budgets = db.session.scalars(select(Budget).where(Budget.funder_id == funder_id)).all()
    for budget in budgets:
        refresh_next_review(budget)
    return len(budgets)


# ---- requests ----------------------------------------------------------------------------------------

def create_request(budget: Budget, reason: str, details: str, urgency: str, actor) -> ReviewRequest:
    request = ReviewRequest(budget_id=budget.id, reason=reason, details=details, urgency=urgency,
                            requested_by_id=actor.id)
    db.session.add(request)
    db.session.flush()
    db.session.add(RequestEvent(request_id=request.id, status=ReviewStatus.REQUESTED, by_id=actor.id, note=details))
    event = record("review_request.created", request, actor=actor, budget_id=budget.id, reason=reason,
                   urgency=urgency, details=details)
    notices.request_made(budget, request, event, actor)
    return request


class TransitionError(ValueError):
    """A status change that is not allowed. The message is for the user; `field` names the argument it is about
    ("status", "scheduled_for" or "note" of move_request; "request" of record_review)."""

    def __init__(self, message: str, field: str = "status"):
        super().__init__(message)
        self.field = field


def move_request(request: ReviewRequest, status: str, actor, *, today: date, scheduled_for: date | None = None,
                 note: str = "") -> None:
    """Move a request on a step. `note` is kept as given (forms strip what was typed); declining needs one."""
    if status not in NEXT[request.status]:
        raise TransitionError(f"A request that is {request.status_label.lower()} cannot be "
                              f"{'marked ' if status != ReviewStatus.SCHEDULED else ''}{status}")
    if status == ReviewStatus.SCHEDULED:
        if scheduled_for is None:
            raise TransitionError("Enter the date of the review", field="scheduled_for")
        if scheduled_for < today:
            raise TransitionError("The review cannot be scheduled in the past", field="scheduled_for")
    if status == ReviewStatus.DECLINED and not note.strip():
        raise TransitionError("Enter why the request is declined", field="note")
    before = request.status
    request.status = status
    if status == ReviewStatus.SCHEDULED:
        request.scheduled_for = scheduled_for
    if status == ReviewStatus.DECLINED:
        request.decline_reason = note
    db.session.add(RequestEvent(request_id=request.id, status=status, by_id=actor.id, note=note,
                                scheduled_for=scheduled_for if status == ReviewStatus.SCHEDULED else None))
    event = record("review_request.status_changed", request, actor=actor, budget_id=request.budget_id,
                   before=before, after=status, scheduled_for=scheduled_for, note=note)
    notices.request_moved(request, event, actor)


def requests_for(budget_id: int) -> list[ReviewRequest]:
    return list(db.session.scalars(
        select(ReviewRequest).options(selectinload(ReviewRequest.events).joinedload(RequestEvent.by),
                                      selectinload(ReviewRequest.requested_by))
        .where(ReviewRequest.budget_id == budget_id).order_by(ReviewRequest.requested_at.desc())))


def open_requests_column(budget_id: int):
    """How many review requests of the budget are open, as a scalar subquery (to read beside other figures)."""
    return select(func.count()).select_from(ReviewRequest).where(
        ReviewRequest.budget_id == budget_id, ReviewRequest.is_open).scalar_subquery()


def open_request_counts(budget_ids: list[int]) -> dict[int, int]:
    if not budget_ids:
        return {}
    return dict(db.session.execute(
        select(ReviewRequest.budget_id, func.count()).where(
            ReviewRequest.budget_id.in_(budget_ids), ReviewRequest.is_open)
        .group_by(ReviewRequest.budget_id)).all())


# ---- reviews -----------------------------------------------------------------------------------------

def outcomes_to_rate(lines: list[BudgetLine]) -> list[str]:
    """The outcomes the plan's lines name, each once (two lines may serve one outcome), in order."""
    return sorted({line.outcome for line in lines if line.outcome})


@dataclass
class MoneyPosition:
    plan_pence: int
    expected_pence: int
    spent_pence: int
    received_pence: int

    @property
    def difference_pence(self) -> int:
        return self.expected_pence - self.spent_pence


def money_position(figures, today: date) -> MoneyPosition:
    """Spent against what the plan expected by today (the year's budget × the share of the year gone)."""
    expected = figures.total_pence * figures.plan_year.days_elapsed(today) // figures.plan_year.days
    return MoneyPosition(figures.total_pence, expected, figures.spent_pence, figures.received_pence)


def record_review(budget: Budget, values: dict, outcomes: list[tuple[str, str, str]], money: MoneyPosition,
                  actor, request: ReviewRequest | None, today: date) -> Review:
    review = Review(budget_id=budget.id, request_id=request.id if request else None, recorded_by_id=actor.id,
                    plan_pence=money.plan_pence, expected_pence=money.expected_pence, spent_pence=money.spent_pence,
                    received_pence=money.received_pence, **values)
    db.session.add(review)
    db.session.flush()
    for outcome, rating, comment in outcomes:
        db.session.add(ReviewOutcome(review_id=review.id, outcome=outcome, rating=rating, comment=comment))
    event = record("review.recorded", review, actor=actor, budget_id=budget.id, **values,
                   outcomes=[list(o) for o in outcomes], money=money.__dict__)
    notices.review_recorded(budget, event, actor)
    if request is not None:
        if not request.is_open:
            raise TransitionError(f"That request is {request.status_label.lower()}, so a review cannot complete it",
                                  field="request")
        # Recording the review completes the request from whichever open step it had reached.
        before, request.status = request.status, ReviewStatus.COMPLETED
        db.session.add(RequestEvent(request_id=request.id, status=ReviewStatus.COMPLETED, by_id=actor.id,
                                    note=f"Review held on {values['held_on']:%-d %B %Y} recorded"))
        record("review_request.status_changed", request, actor=actor, budget_id=budget.id, before=before,
               after=ReviewStatus.COMPLETED, review_id=review.id)
    db.session.flush()
    refresh_next_review(budget)
    return review
