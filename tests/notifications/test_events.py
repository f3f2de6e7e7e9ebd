"""What happens tells the people it is for, and not the person who did it: review requests and their steps,
reviews recorded, plans signed off, questions on a statement line and their answers, monitoring returns."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from pbportal.banking.models import LineComment
from pbportal.budget.services import agree_plan
from pbportal.extensions import db
from pbportal.notifications.models import Kind, Notification
from pbportal.outbox import deliver_due
from pbportal.reconciliation import returns as rsvc
from pbportal.reconciliation.comments import add_comment, answer_question
from pbportal.reviews.services import move_request
from pbportal.timeutil import today

from ..banking.helpers import add_lines
from ..reconciliation.helpers import closed_period
from ..reviews.helpers import OUTCOMES, make_request, review_form
from ..support import plan_of, signed_in


def told(user) -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(n.kind, n.title) for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]


def test_a_review_request_tells_the_case_manager_and_the_representative_not_the_holder(world, mail):
    make_request(world)
    name = world.dp.person_name
    assert told(world.case_manager) == [(Kind.REVIEW_REQUESTED, f"{name} asked for a review")]
    assert told(world.rep) == [(Kind.REVIEW_STEP, f"A review of {name}’s support was asked for")]
    assert told(world.holder) == []
    assert told(world.other_case_manager) == []
    deliver_due()
    (message,) = mail.to("cm@example.org")
    assert message["Subject"] == f"{name} asked for a review"
    assert "Reason:" in message.get_content()


def test_each_step_of_a_request_and_the_review_tell_the_holder_side(app, world):
    world.lines["wages"].outcome = OUTCOMES[1]
    world.lines["gym"].outcome = OUTCOMES[0]
    req = make_request(world)
    day = today() + timedelta(days=10)
    move_request(req, "acknowledged", world.case_manager, today=today())
    move_request(req, "scheduled", world.case_manager, today=today(), scheduled_for=day)
    db.session.commit()
    cm = signed_in(app, "case_manager")
    assert cm.post(f"/budgets/{world.dp.id}/reviews/new", data=review_form(request_id=req.id)).status_code == 303
    name = world.dp.person_name
    expected = [(Kind.REVIEW_STEP, f"{name}’s review request has been acknowledged"),
                (Kind.REVIEW_STEP, f"{name}’s review is booked for {day:%-d %B %Y}"),
                (Kind.REVIEW_RECORDED, f"{name}’s review has been recorded")]  # which completes the request
    assert told(world.holder) == expected
    assert told(world.rep)[1:] == expected
    assert [k for k, _ in told(world.case_manager)] == [Kind.REVIEW_REQUESTED]  # not their own steps


def test_a_plan_signed_off_tells_the_holder_side(world):
    agree_plan(plan_of(world.dp), world.case_manager)
    db.session.commit()
    assert told(world.holder) == [(Kind.PLAN_AGREED,
                                   f"{world.dp.person_name}’s support plan budget (version 1) has been signed off")]
    assert told(world.case_manager) == []


def test_a_question_on_a_statement_line_and_its_answer(app, world):
    (line,) = add_lines(world.ma, world.staff, [(3, "MIXED SHOP", -4400)])
    db.session.commit()
    add_comment(world.ma, line, "What was this?", True, None, world.ma_holder, app.config["UPLOAD_DIR"])
    db.session.commit()
    name = world.ma.person_name
    assert told(world.staff) == [(Kind.HOLDER_QUESTION,
                                  f"{name} asked about “MIXED SHOP” on {line.line_date:%-d %B %Y}")]
    assert told(world.other_staff) == []
    add_comment(world.ma, line, "Just a note", False, None, world.ma_holder, app.config["UPLOAD_DIR"])
    db.session.commit()
    assert len(told(world.staff)) == 1  # a note is not a question
    question = db.session.scalar(select(LineComment).where(LineComment.text == "What was this?"))
    answer_question(question, "Gloves and wipes", world.staff)
    db.session.commit()
    assert told(world.ma_holder) == [(Kind.LINE_ANSWERED, "The provider answered your question about “MIXED SHOP”")]


def test_a_return_submitted_queried_and_accepted(world):
    ma = world.ma
    period = closed_period(ma, world.staff, 10, 0)
    ret = rsvc.submit_return(ma, period.starts_on, period.ends_on, world.staff)
    db.session.commit()
    span = f"{period.starts_on:%-d %B %Y} to {period.ends_on:%-d %B %Y}"
    assert told(world.case_manager) == [
        (Kind.RETURN_SUBMITTED, f"A monitoring return for {ma.person_name} ({span}) is ready to check")]
    assert told(world.ma_holder) == [
        (Kind.RETURN_SUBMITTED_FOR_ACCOUNT, f"The provider sent the council the monitoring return for your account "
                                            f"({span})")]
    rsvc.respond(ret, ret.version, "queried", "What was the shop?", world.case_manager)
    db.session.commit()
    rsvc.resubmit_return(ma, ret, ret.version, "Gloves", world.staff)
    db.session.commit()
    rsvc.respond(ret, ret.version, "accepted", "", world.case_manager)
    db.session.commit()
    assert [k for k, _ in told(world.staff)] == [Kind.RETURN_QUERIED, Kind.RETURN_ACCEPTED]
    assert [k for k, _ in told(world.case_manager)] == [Kind.RETURN_SUBMITTED, Kind.RETURN_SUBMITTED]
