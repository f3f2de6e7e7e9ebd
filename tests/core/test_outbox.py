"""The email outbox and its worker, against a real SMTP server: a message goes if and only if its change
commits, is delivered and marked sent once, waits and tries again when the server is down, gives up on a
permanent refusal, and two workers (or one killed mid-send) never lose one."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pbportal import outbox
from pbportal.auth.models import User
from pbportal.extensions import db
from pbportal.outbox import LEASE, MAX_ATTEMPTS, Delivered, OutboxMessage, OutboxStatus, deliver_due, queue
from pbportal.timeutil import utcnow

from ..conftest import make_user
from ..mailserver import free_port


def _only_message() -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage)).one()


def test_a_message_goes_only_if_the_change_that_caused_it_commits(mail):
    make_user("new.person@example.org", "holder", "New Person")
    queue("new.person@example.org", "You have been invited to pbportal", "Open this link…")
    db.session.rollback()
    assert deliver_due() == Delivered()
    assert mail.received == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0

    make_user("new.person@example.org", "holder", "New Person")
    queue("new.person@example.org", "You have been invited to pbportal", "Open this link…")
    db.session.commit()
    assert deliver_due() == Delivered(sent=1)
    assert [m["Subject"] for m in mail.to("new.person@example.org")] == ["You have been invited to pbportal"]


def test_a_delivered_message_has_its_headers_and_text_and_is_marked_sent_once(app, mail):
    queue("jo@example.org", "Your password was changed", "Your pbportal password was changed today.\n\n"
          "If you did not change it, phone 0300 123 4567.")
    db.session.commit()
    assert deliver_due() == Delivered(sent=1)
    assert deliver_due() == Delivered()  # nothing is sent twice
    (email,) = mail.received
    row = _only_message()
    assert email["To"] == "jo@example.org"
    assert email["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert email["Subject"] == "Your password was changed"
    assert email["Message-ID"] == f"<outbox-{row.id}.{row.created_at:%Y%m%d%H%M%S}@pbportal.test>"
    assert email.get_content_type() == "text/plain"
    assert "If you did not change it, phone 0300 123 4567." in email.get_content()
    assert (row.status, row.attempts, row.claim_token) == (OutboxStatus.SENT, 1, None)
    assert row.sent_at is not None


def test_with_the_server_down_a_message_waits_and_goes_when_it_is_back(app, mail):
    queue("jo@example.org", "Reminder", "Text")
    db.session.commit()
    now = utcnow()
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    assert deliver_due(now) == Delivered(retrying=1)
    row = _only_message()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.due_at == now + timedelta(minutes=1)
    assert "Could not connect to the mail server" in row.last_error

    app.config["MAIL_PORT"] = mail.port
    assert deliver_due(now + timedelta(seconds=30)) == Delivered()  # not due yet
    assert deliver_due(now + timedelta(seconds=61)) == Delivered(sent=1)
    assert len(mail.received) == 1
    assert (_only_message().status, _only_message().attempts) == (OutboxStatus.SENT, 2)


def test_a_temporary_refusal_is_tried_again_waiting_longer_each_time_then_given_up(mail, caplog):
    queue("jo@example.org", "Reminder", "Text")
    db.session.commit()
    mail.reply = "451 4.3.0 Try again later"
    now, waits = utcnow(), []
    for _ in range(MAX_ATTEMPTS - 1):
        assert deliver_due(now) == Delivered(retrying=1)
        row = _only_message()
        waits.append(round((row.due_at - now).total_seconds() / 60))
        now = row.due_at
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    with caplog.at_level(logging.ERROR, logger="pbportal.outbox"):
        assert deliver_due(now) == Delivered(failed=1)
    row = _only_message()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
    assert "451" in row.last_error
    assert f"failed after {MAX_ATTEMPTS} tries" in caplog.text and "jo@example.org" not in caplog.text
    assert deliver_due(now + timedelta(days=1)) == Delivered()
    assert mail.received == []


def test_a_permanent_refusal_is_not_tried_again(mail):
    queue("nobody@example.org", "Reminder", "Text")
    db.session.commit()
    mail.reply = "550 5.1.1 No such mailbox"
    assert deliver_due() == Delivered(failed=1)
    row = _only_message()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    assert "550" in row.last_error
    mail.reply = None
    assert deliver_due(utcnow() + timedelta(days=1)) == Delivered()
    assert mail.received == []


def test_a_worker_killed_between_sending_and_marking_sent_delivers_it_at_most_once_more(mail, monkeypatch):
    queue("jo@example.org", "Invitation", "Text")
    db.session.commit()
    now = utcnow()

    def killed(*args, **kwargs):
        raise SystemExit("killed")

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "_finish", killed)
        with pytest.raises(SystemExit):
            deliver_due(now)
    db.session.rollback()
    assert len(mail.received) == 1
    row = _only_message()
    assert row.status == OutboxStatus.PENDING and row.claim_token is not None  # still claimed by the dead worker

    assert deliver_due(now + timedelta(minutes=1)) == Delivered()  # another worker leaves it while claimed
    assert deliver_due(now + LEASE + timedelta(seconds=1)) == Delivered(sent=1)  # the claim ran out: sent again
    assert deliver_due(now + LEASE + timedelta(days=1)) == Delivered()
    assert len(mail.received) == 2  # once more, never more
    assert mail.received[0]["Message-ID"] == mail.received[1]["Message-ID"]
    row = _only_message()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)


def test_with_no_mail_server_the_worker_writes_each_message_to_its_log(app, caplog):
    assert app.config["MAIL_SERVER"] == ""
    queue("jo@example.org", "Your budget is ready", "Sign in to see it.")
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="pbportal.outbox"):
        assert deliver_due() == Delivered(sent=1)
    assert "Subject: Your budget is ready" in caplog.text
    assert "Sign in to see it." in caplog.text
    assert _only_message().status == OutboxStatus.SENT


def test_worker_once_delivers_what_is_due_and_says_what_it_did(app, mail):
    for n in range(3):
        queue(f"person{n}@example.org", "Hello", "Text")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Outbox: 3 sent, 0 to try again, 0 failed." in result.output
    assert sorted(m["To"] for m in mail.received) == [f"person{n}@example.org" for n in range(3)]


@pytest.mark.real_commits  # the workers are threads with connections of their own
def test_two_workers_at_once_deliver_every_message_exactly_once(request, app, mail, monkeypatch):
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL (SQLite in memory has one connection)")
    for n in range(30):
        queue(f"person{n}@example.org", "Hello", "Text")
    db.session.commit()
    both_claimed = threading.Barrier(2, timeout=20)
    original = outbox._transport

    def after_both_claimed():  # both workers have claimed before either sends: the claims must not overlap
        both_claimed.wait()
        return original()

    monkeypatch.setattr(outbox, "_transport", after_both_claimed)

    def worker():
        with app.app_context():
            try:
                return deliver_due(limit=20)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(2) as pool:
        first, second = [f.result(timeout=60) for f in [pool.submit(worker), pool.submit(worker)]]
    assert first.sent + second.sent == 30 and first.sent and second.sent
    assert sorted(m["To"] for m in mail.received) == sorted(f"person{n}@example.org" for n in range(30))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.SENT)) == 30
