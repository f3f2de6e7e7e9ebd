"""Who hears of a review request's steps and a review recorded (notifications)."""
from __future__ import annotations

from ..budget.access import holder_side_people
from ..budget.models import Budget
from ..extensions import db
from ..notifications.models import Kind
from ..notifications.services import path_for, tell_of
from .models import REASONS, ReviewRequest, ReviewStatus

STEP_TITLES = {
    ReviewStatus.ACKNOWLEDGED: "{name}’s review request has been acknowledged",
    ReviewStatus.SCHEDULED: "{name}’s review is booked for {day}",
    ReviewStatus.COMPLETED: "{name}’s review request is complete",
    ReviewStatus.DECLINED: "{name}’s review request was declined",
}


def request_made(budget: Budget, request: ReviewRequest, event, actor) -> None:
    link = path_for("reviews.show_request", budget_id=budget.id, request_id=request.id)
    tell_of(event, [budget.case_manager], Kind.REVIEW_REQUESTED, f"{budget.person_name} asked for a review",
            link, budget.id, f"Reason: {REASONS.get(request.reason, request.reason)}.", actor)
    tell_of(event, holder_side_people(budget), Kind.REVIEW_STEP,
            f"A review of {budget.person_name}’s support was asked for", link, budget.id, actor=actor)


def request_moved(request: ReviewRequest, event, actor) -> None:
    budget = db.session.get(Budget, request.budget_id)
    title = STEP_TITLES[ReviewStatus(request.status)].format(
        name=budget.person_name, day=f"{request.scheduled_for:%-d %B %Y}" if request.scheduled_for else "")
    detail = f"Reason: {request.decline_reason}" if request.status == ReviewStatus.DECLINED else ""
    tell_of(event, holder_side_people(budget), Kind.REVIEW_STEP, title,
            path_for("reviews.show_request", budget_id=budget.id, request_id=request.id), budget.id, detail, actor)


def review_recorded(budget: Budget, event, actor) -> None:
    tell_of(event, holder_side_people(budget), Kind.REVIEW_RECORDED,
            f"{budget.person_name}’s review has been recorded", path_for("reviews.index", budget_id=budget.id),
            budget.id, actor=actor)

