"""Making and handing over a budget's data. Asking queues an ExportRequest (one at a time per person and
budget); small budgets are made there and then, large ones by the worker, which takes requests with a lease
(SKIP LOCKED on PostgreSQL), builds the ZIP, stores it under exports/ in the upload store and tells the person it
is ready. The file is kept for EXPORT_DAYS, then removed by the worker; the row says it has expired."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from ..audit import record
from ..budget.models import Budget
from ..extensions import db
from ..notifications.models import Kind
from ..notifications.services import notify
from ..spending.models import Receipt, SpendingEntry
from ..storage import uploads
from ..timeutil import utcnow
from .bundle import build
from .models import ExportRequest, ExportStatus

EXPORT_DAYS = 7
LEASE = timedelta(minutes=10)
SMALL_ENTRIES = 3000  # up to this many payments, and SMALL_FILES files, a ZIP is made while the person waits
SMALL_FILES = 50


def _name(request: ExportRequest) -> str:
    return f"exports/{request.storage_key}.zip"


def latest(budget_id: int, user_id: int) -> ExportRequest | None:
    return db.session.scalar(select(ExportRequest).where(ExportRequest.budget_id == budget_id,
                                                         ExportRequest.requested_by_id == user_id)
                             .order_by(ExportRequest.id.desc()).limit(1))


def ask(budget: Budget, actor) -> ExportRequest:
    """Queue a request (the one already queued, if there is one); the caller commits."""
    waiting = db.session.scalar(select(ExportRequest).where(
        ExportRequest.budget_id == budget.id, ExportRequest.requested_by_id == actor.id,
        ExportRequest.status == ExportStatus.QUEUED).with_for_update())
    if waiting is not None:
        return waiting
    request = ExportRequest(budget_id=budget.id, requested_by_id=actor.id)
    db.session.add(request)
    db.session.flush()
    record("export.asked", request, actor=actor, budget_id=budget.id)
    return request


def is_small(budget_id: int) -> bool:
    entries = db.session.scalar(select(func.count()).select_from(SpendingEntry)
                                .where(SpendingEntry.budget_id == budget_id))
    files = db.session.scalar(select(func.count()).select_from(Receipt).where(Receipt.budget_id == budget_id))
    return entries <= SMALL_ENTRIES and files <= SMALL_FILES


def make(request: ExportRequest) -> None:
    """Build and store the ZIP, mark the request ready and tell the person (the caller commits)."""
    budget = db.session.get(Budget, request.budget_id)
    content, files = build(budget, current_app.config.get("UPLOAD_STORE") or current_app.config["UPLOAD_DIR"])
    request.storage_key = secrets.token_hex(16)
    uploads().put(_name(request), content)
    now = utcnow()
    request.status, request.ready_at, request.expires_at = ExportStatus.READY, now, now + timedelta(days=EXPORT_DAYS)
    request.size_bytes, request.files, request.claim_token, request.claimed_until = len(content), files, None, None
    record("export.ready", request, actor=None, budget_id=budget.id, size_bytes=len(content), files=files)
    link = f"/budgets/{budget.id}/export"
    notify(request.requested_by, Kind.EXPORT_READY, f"export:{request.id}",
           f"The download of {budget.person_name}'s data is ready until {request.expires_at:%-d %B %Y}", link,
           budget_id=budget.id)


def run_due(now: datetime | None = None, limit: int = 5) -> int:
    """The worker: make up to `limit` queued requests, then remove expired files. How many were made."""
    now = now or utcnow()
    made = 0
    for _ in range(limit):
        request = _claim(now)
        if request is None:
            break
        try:
            make(request)
            db.session.commit()
            made += 1
        except Exception as error:  # noqa: BLE001 - the request says it failed; the person can ask again
            db.session.rollback()
            current_app.logger.exception("Export %s failed", request.id)
            db.session.execute(update(ExportRequest).where(ExportRequest.id == request.id).values(
                status=ExportStatus.FAILED, error=type(error).__name__, claim_token=None))
            db.session.commit()
    expire_due(now)
    return made


def _claim(now: datetime) -> ExportRequest | None:
    free = and_(ExportRequest.status == ExportStatus.QUEUED,
                or_(ExportRequest.claimed_until.is_(None), ExportRequest.claimed_until < now))
    chosen = select(ExportRequest.id).where(free).order_by(ExportRequest.id).limit(1)
    if db.session.get_bind().dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    request_id = db.session.scalar(chosen)
    if request_id is None:
        db.session.commit()
        return None
    token = secrets.token_hex(16)
    claimed = db.session.execute(update(ExportRequest).where(ExportRequest.id == request_id, free).values(
        claim_token=token, claimed_until=now + LEASE).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return db.session.scalar(select(ExportRequest).where(ExportRequest.id == request_id,
                                                         ExportRequest.claim_token == token)) if claimed else None


def expire_due(now: datetime) -> int:
    """Remove the files of downloads past their week; their rows say they expired."""
    gone = list(db.session.scalars(select(ExportRequest).where(ExportRequest.status == ExportStatus.READY,
                                                               ExportRequest.expires_at <= now)))
    for request in gone:
        uploads().delete(_name(request))
        request.status = ExportStatus.EXPIRED
    db.session.commit()
    return len(gone)


def content_of(request: ExportRequest) -> bytes | None:
    return uploads().get(_name(request)) if request.storage_key else None
