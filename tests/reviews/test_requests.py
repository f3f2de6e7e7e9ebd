"""Review requests: asking for a review and each step the case manager takes it through."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from pbportal.audit import AuditEvent
from pbportal.extensions import db
from pbportal.reviews.models import RequestEvent, ReviewRequest
from pbportal.reviews.services import move_request
from pbportal.timeutil import today

from ..conftest import login
from ..support import audits, long_date, page_of, parts, signed_in
from .helpers import fresh, make_request


def request_form(**overrides):
    data = {"reason": "need", "details": "I need help getting up at night now", "urgency": "soon"}
    data.update(overrides)
    return data


def status_url(world, req_id):
    return f"/budgets/{world.dp.id}/reviews/requests/{req_id}/status"


def hidden_version(page: str) -> str:
    tag = re.search(r'<input[^>]*name="version"[^>]*>', page)
    assert tag, page
    return re.search(r'value="([^"]*)"', tag.group(0)).group(1)


@pytest.mark.parametrize("field, value, message", [
    ("reason", "", "Select why you want a review"),
    ("details", "", "Enter what has changed"),
    ("urgency", "", "Select how soon the review is needed"),
    ("urgency", "yesterday", "Not a valid choice"),
])
def test_bad_review_request(client, world, field, value, message):
    login(client, "holder@example.org")
    page = page_of(client.post(f"/budgets/{world.dp.id}/reviews/request", data=request_form(**{field: value})))
    assert "There is a problem" in page and message in page
    assert db.session.query(ReviewRequest).count() == 0


def test_the_holder_asks_for_a_review_and_follows_each_step(app, world):
    holder = signed_in(app, "holder")
    response = holder.post(f"/budgets/{world.dp.id}/reviews/request", data=request_form())
    req = db.session.query(ReviewRequest).one()
    assert response.status_code == 303
    assert response.location == f"/budgets/{world.dp.id}/reviews/requests/{req.id}"
    page = page_of(holder.get(response.location))
    assert "Your request for a review has been sent to the case manager" in page
    assert "My needs have changed" in page and "Soon (within a month)" in page
    assert "Requested</strong>" in page and "Requested</strong> by Alex Holder" in page
    assert "What happens next?" not in page  # the holder cannot move it on
    created = audits("review_request.created")
    assert len(created) == 1 and created[0].actor_id == world.holder.id and created[0].data["reason"] == "need"
    assert "1 request in progress" in page_of(holder.get(f"/budgets/{world.dp.id}"))

    cm = signed_in(app, "case_manager")
    form = page_of(cm.get(response.location))
    assert "What happens next?" in form and hidden_version(form) == "1"
    r = cm.post(status_url(world, req.id), data={"action": "acknowledged", "note": "I will call you this week",
                                                 "version": "1"})
    assert r.status_code == 303 and r.location == f"/budgets/{world.dp.id}/reviews/requests/{req.id}"
    assert "Request acknowledged." in page_of(cm.get(r.location))
    review_day = today() + timedelta(days=14)
    r = cm.post(status_url(world, req.id), data={"action": "scheduled", "scheduled_for": parts(review_day),
                                                 "version": "2"})
    assert r.status_code == 303

    page = page_of(holder.get(response.location))
    assert re.search(rf"Status: <strong[^>]*>Scheduled</strong>\s*for {long_date(review_day)}", page)
    assert re.search(r"Acknowledged</strong> by Cara Case, \d+ \w+ \d{4} at [\d:]+[ap]m: I will call you this week",
                     page)
    assert f"Scheduled</strong> for {long_date(review_day)} by Cara Case" in page
    # A scheduled review can be moved to another date.
    later = review_day + timedelta(days=7)
    r = cm.post(status_url(world, req.id), data={"action": "scheduled", "scheduled_for": parts(later), "version": "3"})
    assert r.status_code == 303 and fresh(req).scheduled_for == later
    review_day = later
    assert re.search(rf"Status: <strong[^>]*>Scheduled</strong>\s*for {long_date(later)}",
                     page_of(holder.get(response.location)))
    index = page_of(holder.get(f"/budgets/{world.dp.id}/reviews"))
    assert "My needs have changed</a>, asked" in index and f"Scheduled</strong> for {long_date(review_day)}" in index

    req = fresh(req)
    assert req.status == "scheduled" and req.scheduled_for == review_day and req.version == 4
    events = db.session.query(RequestEvent).filter_by(request_id=req.id).order_by(RequestEvent.id).all()
    assert [(e.status, e.by_id) for e in events] == [("requested", world.holder.id),
                                                      ("acknowledged", world.case_manager.id),
                                                      ("scheduled", world.case_manager.id),
                                                      ("scheduled", world.case_manager.id)]
    changes = audits("review_request.status_changed")
    assert [(e.data["before"], e.data["after"]) for e in changes] == [("requested", "acknowledged"),
                                                                      ("acknowledged", "scheduled"),
                                                                      ("scheduled", "scheduled")]


def test_scheduling_in_the_past_or_without_a_date_is_refused(client, world):
    req = make_request(world)
    login(client, "cm@example.org")
    past = today() - timedelta(days=1)
    page = page_of(client.post(status_url(world, req.id),
                               data={"action": "scheduled", "scheduled_for": parts(past), "version": "1"}))
    assert "The review cannot be scheduled in the past" in page
    page = page_of(client.post(status_url(world, req.id), data={"action": "scheduled", "version": "1"}))
    assert "Enter the date of the review" in page
    req = fresh(req)
    assert req.status == "requested" and req.scheduled_for is None and req.version == 1
    assert db.session.query(RequestEvent).count() == 1
    assert audits("review_request.status_changed") == []
    # Today is fine.
    r = client.post(status_url(world, req.id), data={"action": "scheduled", "scheduled_for": parts(today()),
                                                     "version": "1"})
    assert r.status_code == 303 and fresh(req).scheduled_for == today()


def test_declining_needs_a_reason_which_the_holder_sees(app, world):
    req = make_request(world)
    cm = signed_in(app, "case_manager")
    page = page_of(cm.post(status_url(world, req.id), data={"action": "declined", "note": " ", "version": "1"}))
    assert "Enter why the request is declined" in page
    assert fresh(req).status == "requested"
    r = cm.post(status_url(world, req.id), data={"action": "declined", "version": "1",
                                                 "note": "A review was held last month"})
    assert r.status_code == 303
    req = fresh(req)
    assert req.status == "declined" and req.decline_reason == "A review was held last month"
    page = page_of(signed_in(app, "holder").get(f"/budgets/{world.dp.id}/reviews/requests/{req.id}"))
    assert "Declined</strong>" in page and "Reason: A review was held last month" in page
    assert "Declined</strong> by Cara Case" in page


@pytest.mark.parametrize("start, action, message", [
    ("declined", "completed", "A request that is declined cannot be marked completed"),
    ("declined", "scheduled", "A request that is declined cannot be scheduled"),
    ("declined", "acknowledged", "A request that is declined cannot be marked acknowledged"),
    ("requested", "completed", "A request that is requested cannot be marked completed"),
    ("acknowledged", "acknowledged", "A request that is acknowledged cannot be marked acknowledged"),
])
def test_a_change_the_request_cannot_make_is_refused_and_changes_nothing(client, world, start, action, message):
    req = make_request(world)
    if start != "requested":
        move_request(req, start, world.case_manager, today=today(), note="Not needed now")
        db.session.commit()
    before = fresh(req)
    version, status, events = before.version, before.status, len(before.events)
    login(client, "cm@example.org")  # (signing in is itself audited)
    audit_count = db.session.query(AuditEvent).count()
    response = client.post(status_url(world, req.id), data={
        "action": action, "scheduled_for": parts(today() + timedelta(days=7)), "note": "Trying", "version": version})
    page = page_of(response)
    assert response.status_code == 200
    assert message in page, "the refusal is not shown to the case manager"
    after = fresh(req)
    assert (after.version, after.status, len(after.events)) == (version, status, events)
    assert after.scheduled_for is None
    assert db.session.query(AuditEvent).count() == audit_count


def test_a_stale_form_is_refused(app, world):
    req = make_request(world)
    cm = signed_in(app, "case_manager")
    stale = page_of(cm.get(f"/budgets/{world.dp.id}/reviews/requests/{req.id}"))
    assert hidden_version(stale) == "1"
    # Someone else moves it on first.
    move_request(req, "acknowledged", world.other_case_manager, today=today())
    db.session.commit()
    assert fresh(req).version == 2
    page = page_of(cm.post(status_url(world, req.id), data={"action": "declined", "note": "Not needed",
                                                           "version": "1"}))
    assert "Someone else changed this request while you were looking at it" in page
    req = fresh(req)
    assert req.status == "acknowledged" and req.version == 2 and len(req.events) == 2
    assert "Status: <strong" in page and "Acknowledged</strong>" in page
    # Trying again from the form shown with the message must work: it carries the request's current version.
    assert hidden_version(page) == "2", "the form shown after a stale refusal still carries the stale version"


def test_htmx_status_change_returns_the_status_component(client, world):
    req = make_request(world)
    login(client, "cm@example.org")
    headers = {"HX-Request": "true", "HX-Target": "request-status"}
    response = client.post(status_url(world, req.id), data={"action": "acknowledged", "version": "1"},
                           headers=headers)
    page = page_of(response)
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<div id="request-status">')
    assert "Request acknowledged." in page and "Acknowledged</strong> by Cara Case" in page
    assert hidden_version(page) == "2"
    # A refusal comes back the same way, with its message.
    response = client.post(status_url(world, req.id), data={"action": "scheduled", "version": "2",
                                                            "scheduled_for": parts(today() - timedelta(days=3))},
                           headers=headers)
    page = page_of(response)
    assert "<html" not in page and 'id="request-status"' in page
    assert "The review cannot be scheduled in the past" in page
    assert fresh(req).status == "acknowledged"
