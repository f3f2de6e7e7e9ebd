"""Review requests and the review form, for the reviews tests and the caseload's."""
from __future__ import annotations

from pbportal.extensions import db
from pbportal.reviews.models import ReviewRequest
from pbportal.reviews.services import add_months, create_request
from pbportal.timeutil import today

from ..support import parts


def make_request(world, by=None) -> ReviewRequest:
    req = create_request(world.dp, "need", "I need help getting up at night now", "soon", by or world.holder)
    db.session.commit()
    return req


def fresh(req: ReviewRequest) -> ReviewRequest:
    db.session.expire_all()
    return db.session.get(ReviewRequest, req.id)


OUTCOMES = ["See my friends every week", "Stay living at home"]


def review_form(next_on=None, request_id="", **overrides):
    day = today()
    data = {"held_on": parts(day), "money_notes": "", "decision": "change", "decision_notes": "More hours at night",
            "next_review_on": parts(next_on or add_months(day, 6)), "request_id": str(request_id)}
    for i, (outcome, rating, comment) in enumerate([(OUTCOMES[0], "met", "Goes every Tuesday"),
                                                    (OUTCOMES[1], "partly", "")]):
        data[f"outcomes-{i}-outcome"] = outcome
        data[f"outcomes-{i}-rating"] = rating
        data[f"outcomes-{i}-comment"] = comment
    data.update(overrides)
    return data
