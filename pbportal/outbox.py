"""Email through an outbox. A change that should tell someone writes the message to the `outbox_message` table
in its own transaction (`queue`), so a message is never lost because the mail server was down, and never sent
for a change that rolled back. The worker (`flask --app app worker`) delivers what is due (`deliver_due`).

Delivery, when several workers run or one dies:
- A worker claims due messages in one statement (on PostgreSQL the rows are chosen with
  `FOR UPDATE SKIP LOCKED`; SQLite runs one writer at a time), giving them its claim token and a lease. Another
  worker skips a claimed message until the lease has run out.
- Having sent a message, the worker marks it sent only if it still holds the claim. A message is marked sent
  exactly once.
- A worker killed between the SMTP server accepting a message and marking it sent leaves the claim to run out;
  another worker then sends it once more. So each message is delivered at least once, and again only after
  such a crash; the copy carries the same Message-ID, which mail programs use to drop it.
- A temporary failure (no connection, a 4xx answer) is tried again later, waiting twice as long each time
  (1 minute, 2, 4… up to an hour); after 10 tries, or at once on a permanent refusal (5xx), the message is
  marked failed, and the worker logs it.
- With no MAIL_SERVER configured, the worker writes each message to its log instead, so development and demos
  need no mail server."""
from __future__ import annotations

import enum
import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import CheckConstraint, Index, String, Text, and_, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .choices import check_in
from .extensions import db
from .timeutil import UTCDateTime, utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # longer than a batch can take to send (BATCH × the SMTP timeout)
BATCH = 20
SMTP_TIMEOUT = 20  # seconds
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(check_in("status", OutboxStatus), name="status"),
        Index("ix_outbox_message_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def queue(to_address: str, subject: str, body: str) -> OutboxMessage:
    """Add an email to the current transaction: it is sent if, and only if, the change commits."""
    message = OutboxMessage(to_address=to_address, subject=subject, body=body)
    db.session.add(message)
    return message


def queue_email(to_address: str, template: str, **context) -> OutboxMessage:
    """Render `templates/email/<template>.txt` (its first line `Subject: …`, a blank line, then the text) and
    queue it. Plain text in GOV.UK's style: what happened, what to do, one link, who to contact."""
    rendered = current_app.jinja_env.get_template(f"email/{template}.txt").render(absolute_url=absolute_url,
                                                                                 **context)
    head, _, body = rendered.partition("\n\n")
    if not head.startswith("Subject: "):
        raise ValueError(f"email/{template}.txt must start with a Subject: line")
    return queue(to_address, head.removeprefix("Subject: ").strip(), body.strip() + "\n")


def absolute_url(endpoint: str, **values) -> str:
    """A link for an email: built from BASE_URL, never from the request's Host header."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


@dataclass
class Delivered:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retrying} to try again, {self.failed} failed"


class PermanentFailure(Exception):
    """The server refused the message for good (a 5xx answer): trying again would not help."""


def deliver_due(now: datetime | None = None, limit: int = BATCH) -> Delivered:
    """Send every message that is due (up to `limit`), each marked sent, to try again, or failed."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    claimed = _claim(token, now, limit)
    done = Delivered()
    if not claimed:
        return done
    try:
        transport = _transport()
    except (OSError, smtplib.SMTPException) as err:  # no connection: every message waits for the next try
        for message in claimed:
            _retry_or_fail(message, token, now, f"Could not connect to the mail server: {err}", done)
        return done
    with transport:
        for message in claimed:
            try:
                transport.send(_email(message))
            except PermanentFailure as err:
                _finish(message, token, done, "failed", status=OutboxStatus.FAILED, last_error=str(err))
                log.error("Email %s refused for good (%s); the reason is on its row", message.id, type(err).__name__)
            except (OSError, smtplib.SMTPException) as err:
                _retry_or_fail(message, token, now, str(err), done)
            else:
                _finish(message, token, done, "sent", status=OutboxStatus.SENT, sent_at=utcnow())
    return done


def _claim(token: str, now: datetime, limit: int) -> list[OutboxMessage]:
    """Take the due messages nobody holds and commit the claim before sending anything. On PostgreSQL the rows
    are chosen with FOR UPDATE SKIP LOCKED (a second worker passes over them), then claimed; on SQLite one
    UPDATE chooses and claims them at once (SQLite runs one writer at a time). Either way the claim repeats
    the conditions, so a row another worker claimed meanwhile is left to it."""
    due = and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.due_at <= now,
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
    chosen = select(OutboxMessage.id).where(due).order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        # Two statements: PostgreSQL may run a LIMIT … SKIP LOCKED subquery of an UPDATE more than once.
        ids = list(db.session.scalars(chosen.with_for_update(skip_locked=True)))
    else:
        ids = chosen.scalar_subquery()
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids), due)
        .values(claim_token=token, claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.claim_token == token)
                                   .order_by(OutboxMessage.due_at, OutboxMessage.id)))


def _finish(message: OutboxMessage, token: str, done: Delivered, outcome: str, **values) -> None:
    """Record what happened, only if this worker still holds the claim (a claim that ran out is another's)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.claim_token == token,
               OutboxMessage.status == OutboxStatus.PENDING)
        .values(claim_token=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if result.rowcount == 1:
        setattr(done, outcome, getattr(done, outcome) + 1)
    else:
        log.warning("Email %s: the claim ran out before it was marked %s", message.id, outcome)


def _retry_or_fail(message: OutboxMessage, token: str, now: datetime, error: str, done: Delivered) -> None:
    if message.attempts >= MAX_ATTEMPTS:
        _finish(message, token, done, "failed", status=OutboxStatus.FAILED, last_error=error)
        log.error("Email %s failed after %s tries; the last error is on its row", message.id, message.attempts)
        return
    wait = min(FIRST_RETRY * 2 ** (message.attempts - 1), LONGEST_WAIT)
    _finish(message, token, done, "retrying", due_at=now + wait, last_error=error)
    log.warning("Email %s not sent (try %s), trying again in %s; the error is on its row", message.id,
                message.attempts, wait)


def _email(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    # The same id every time this message is sent, so a copy sent again after a crash can be recognised.
    domain = urlsplit(config["BASE_URL"]).hostname or "localhost"
    email["Message-ID"] = f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"
    email.set_content(message.body)
    return email


class _LogTransport:
    """No MAIL_SERVER: each message goes to the worker's log."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send(self, email: EmailMessage) -> None:
        log.info("Email (no MAIL_SERVER, so not sent):\n%s", email.as_string())


class _SMTPTransport:
    def __init__(self, config):
        host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        self.smtp = smtp_class(host, port, timeout=SMTP_TIMEOUT)
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            self.smtp.starttls()
        if config["MAIL_USERNAME"]:
            self.smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
        return False

    def send(self, email: EmailMessage) -> None:
        try:
            self.smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as err:
            codes = [code for code, _ in err.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise PermanentFailure(f"Recipient refused: {err.recipients}") from None
            raise
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as err:
            if 500 <= err.smtp_code < 600:
                raise PermanentFailure(f"{err.smtp_code} {err.smtp_error!r}") from None
            raise


def _transport():
    config = current_app.config
    return _SMTPTransport(config) if config["MAIL_SERVER"] else _LogTransport()
