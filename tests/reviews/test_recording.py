"""Recording a review: outcomes, money and the next date; mistakes save nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest

from pbportal.budget.models import Budget
from pbportal.dates import plan_year_for
from pbportal.extensions import db
from pbportal.reviews.models import Review, ReviewOutcome
from pbportal.reviews.services import add_months, move_request
from pbportal.timeutil import today

from ..conftest import login
from ..support import audits, long_date, page_of, parts, signed_in
from .helpers import OUTCOMES, fresh, make_request, review_form


def test_record_a_review_with_outcomes_money_and_the_next_date(app, world, outcomes):
    req = make_request(world)
    cm = signed_in(app, "case_manager")
    form = page_of(cm.get(f"/budgets/{world.dp.id}/reviews/new?request={req.id}"))
    assert form.index(OUTCOMES[0]) < form.index(OUTCOMES[1]) and form.count(f">{OUTCOMES[0]}</legend>") == 1
    # The money position, pre-filled: the plan's year, what it expected by today, what was spent.
    total = 1271 * 10 * 52 + 3000 * 12 + 1000 * 2 * 52
    year = plan_year_for(world.dp.plan_year_start, today())
    expected = total * year.days_elapsed(today()) // year.days
    assert f"Plan for the year</dt><dd>£{total / 100:,.2f}</dd>" in form
    assert f"Expected by today</dt><dd>£{expected / 100:,.2f}</dd>" in form
    assert "Spent</dt><dd>£120.00</dd>" in form
    assert f'<option value="{req.id}" selected>' in form
    assert f'value="{parts(add_months(today(), 12))[0]}"' in form  # next review suggested at the interval

    next_on = add_months(today(), 6)
    response = cm.post(f"/budgets/{world.dp.id}/reviews/new", data=review_form(next_on, req.id))
    assert response.status_code == 303 and response.location == f"/budgets/{world.dp.id}/reviews"
    page = page_of(cm.get(response.location))
    assert f"Review recorded. The next review is due by {long_date(next_on)}." in page
    assert f"{long_date(today())}: Change the plan" in page and "More hours at night" in page
    assert "See my friends every week: <strong>Met</strong>. Goes every Tuesday" in page
    assert "Stay living at home: <strong>Partly met</strong>" in page
    assert f"Next review due by <strong>{long_date(next_on)}</strong>" in page

    review = db.session.query(Review).one()
    assert (review.plan_pence, review.expected_pence, review.spent_pence, review.received_pence) == \
        (total, expected, 12_000, 0)
    assert review.decision == "change" and review.next_review_on == next_on and review.request_id == req.id
    assert review.recorded_by_id == world.case_manager.id
    assert [(o.outcome, o.rating, o.comment) for o in review.outcomes] == [
        (OUTCOMES[0], "met", "Goes every Tuesday"), (OUTCOMES[1], "partly", "")]
    req = fresh(req)
    assert req.status == "completed" and req.events[-1].status == "completed"
    assert req.events[-1].note == f"Review held on {long_date(today())} recorded"
    assert db.session.get(Budget, world.dp.id).next_review_due == next_on
    recorded = audits("review.recorded")
    assert len(recorded) == 1 and recorded[0].object_id == review.id
    assert recorded[0].data["money"]["spent_pence"] == 12_000
    assert audits("review_request.status_changed")[-1].data["after"] == "completed"
    holder_view = page_of(signed_in(app, "holder").get(f"/budgets/{world.dp.id}/reviews/requests/{req.id}"))
    assert "Completed</strong>" in holder_view


def test_review_form_mistakes_save_nothing(client, world, outcomes):
    login(client, "cm@example.org")
    url = f"/budgets/{world.dp.id}/reviews/new"
    cases = [
        (review_form(add_months(today(), 12) + timedelta(days=1)),
         f"The next review must be within 12 months, by {long_date(add_months(today(), 12))}"),
        (review_form(today()), "The next review must be after this one"),
        (review_form(**{"outcomes-1-rating": ""}), "Select whether the outcome is being met"),
        (review_form(decision=""), "Select the decision"),
        (review_form(held_on=parts(today() + timedelta(days=1))), "The date of the review must be today or in"),
    ]
    for data, message in cases:
        page = page_of(client.post(url, data=data))
        assert "There is a problem" in page and message in page, message
    assert db.session.query(Review).count() == 0 and db.session.query(ReviewOutcome).count() == 0
    assert db.session.get(Budget, world.dp.id).next_review_due is None


def test_a_declined_request_cannot_be_completed_by_a_review(client, world, outcomes):
    req = make_request(world)
    move_request(req, "declined", world.case_manager, today=today(), note="Held last month")
    db.session.commit()
    login(client, "cm@example.org")
    response = client.post(f"/budgets/{world.dp.id}/reviews/new", data=review_form(request_id=req.id))
    page = page_of(response)
    assert response.status_code == 200
    assert "That request is declined, so a review cannot complete it" in page
    assert db.session.query(Review).count() == 0 and db.session.query(ReviewOutcome).count() == 0
    assert audits("review.recorded") == []
    assert fresh(req).status == "declined"
    assert db.session.get(Budget, world.dp.id).next_review_due is None


@pytest.mark.parametrize("posted", ["none", "forged"])
def test_outcomes_must_be_the_plans(client, world, outcomes, posted):
    """A form whose outcomes differ from the plan's (changed meanwhile, or hand-made) is refused."""
    login(client, "cm@example.org")
    data = review_form()
    if posted == "none":
        data = {k: v for k, v in data.items() if not k.startswith("outcomes-")}
    else:
        data["outcomes-1-outcome"] = "An outcome that is not in the plan"
    page = page_of(client.post(f"/budgets/{world.dp.id}/reviews/new", data=data))
    assert "The plan’s outcomes changed while you were writing" in page
    assert db.session.query(Review).count() == 0


def test_a_review_cannot_name_another_budgets_request(client, world):
    from pbportal.reviews.models import Review
    from pbportal.reviews.services import create_request

    elsewhere = create_request(world.other_dp, "need", "Not Alex's", "routine", world.other_holder)
    db.session.commit()
    login(client, "cm@example.org")
    day = today()
    r = client.post(f"/budgets/{world.dp.id}/reviews/new", data={
        "held_on": [str(day.day), str(day.month), str(day.year)], "decision": "maintain",
        "next_review_on": [str(day.day), str(day.month), str(day.year + 1 if day.month > 1 else day.year)],
        "request_id": str(elsewhere.id)})
    assert "Choose one of this person’s review requests, or none" in r.get_data(as_text=True)
    assert db.session.query(Review).count() == 0
