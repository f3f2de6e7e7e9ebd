"""Append-only audit log: who did what to which record, and when."""
from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from flask import abort, request
from flask_login import current_user
from sqlalchemy import DDL, JSON, ForeignKey, String, event, select
from sqlalchemy.orm import Mapped, mapped_column

from .choices import RecordStatus
from .extensions import db
from .timeutil import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[int | None]
    budget_id: Mapped[int | None] = mapped_column(ForeignKey("budget.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# The database itself refuses to change or remove an audit row (the same statements are in the
# migration that creates the table).
APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]
APPEND_ONLY_POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
]
for _statement in APPEND_ONLY_SQLITE:
    event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in APPEND_ONLY_POSTGRESQL:
    event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))


def record(action: str, obj: Any, *, actor: Any, budget_id: int | None, **data: Any) -> AuditEvent:
    """Add an audit event to the current transaction, so it commits (or not) with the change itself."""
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush([obj])
    audit = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        budget_id=budget_id,
        data={k: _jsonable(v) for k, v in data.items()},
    )
    db.session.add(audit)
    return audit


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class AlreadyChanged(ValueError):
    """Another request voided or corrected this record first: this one changes nothing."""


def mark_changed(row: Any, status: str, reason: str, actor: Any) -> None:
    """Void or correct a money record in place: it stays, with its new status, why, who and when.

    The row is read again under a row lock (PostgreSQL `SELECT … FOR UPDATE`; SQLite takes one writer at a time),
    so of two requests at once the second waits, sees the first's change, and is refused: a payment is never
    corrected twice, or voided and corrected, and the audit log has only what happened."""
    model = type(row)
    current = db.session.execute(select(model.status).where(model.id == row.id).with_for_update()).scalar_one()
    if current != RecordStatus.ACTIVE or row.status != RecordStatus.ACTIVE:
        raise AlreadyChanged("This has just been voided or corrected by someone else, so nothing was changed")
    row.status = status
    row.change_reason = reason
    row.changed_by_id = actor.id
    row.changed_at = utcnow()


def refuse(what: str, object_id: int | None = None) -> NoReturn:
    """Answer 404 to someone signed in who asked for a page or record that is not theirs (an organisation's
    staff, another device, a role's page), and note in the audit log who asked, for what and where. The note
    commits on its own: the 404 handler rolls the request's transaction back."""
    if current_user.is_authenticated:
        db.session.rollback()
        record("access.refused", None, actor=current_user, budget_id=None, object_type=what, object_id=object_id,
               path=request.path[:300], method=request.method)
        db.session.commit()
    abort(404)
