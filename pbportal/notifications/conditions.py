"""Standing conditions: what is wrong with a budget (a line overspent, money held too low or too high, pay below
the minimum wage, the plan short of what employing costs), told when it first becomes true and not again until it
has stopped being true; the case manager is told of any urgent warning that has stood for 14 days.

The conditions themselves are worked out above every area (homes.conditions) and handed in here. Every session
notes which budgets a flush changed (`watch`), so the app can look again at just those after a request."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..audit import AuditEvent
from ..auth.models import User
from ..extensions import db
from ..timeutil import utcnow
from .models import Kind, Notification, StandingCondition
from .services import notify, told

STANDING_DAYS = 14
CHANGED = "pbportal.changed_budgets"


@dataclass(frozen=True)
class Condition:
    key: str  # the same problem has the same key each time it is worked out
    title: str
    link: str
    kind: Kind | None = None  # told to the holder side as this; None: it counts only towards the 14 days


def apply(budget_id: int, person_name: str, holder_side: list[User], case_manager: User | None,
          found: list[Condition], on: date, case_manager_link: str) -> int:
    """Open, keep or end the budget's conditions to match `found`, telling whom it concerns. People told."""
    now = utcnow()
    open_rows = {row.key: row for row in db.session.scalars(
        select(StandingCondition).where(StandingCondition.budget_id == budget_id,
                                        StandingCondition.ended_at.is_(None)))}
    current = {c.key: c for c in found}
    for key, row in open_rows.items():
        if key not in current:
            row.ended_at = now
    count = 0
    for key, condition in current.items():
        row = open_rows.get(key)
        if row is None:
            row = _open(budget_id, condition, on)
            if row is not None and condition.kind is not None:
                count += told(holder_side, condition.kind, f"condition:{row.id}", condition.title, condition.link,
                              budget_id)
        elif (row.case_manager_told_at is None and case_manager is not None
              and row.started_on <= on - timedelta(days=STANDING_DAYS)):
            row.case_manager_told_at = now
            count += notify(case_manager, Kind.WARNING_STANDING, f"standing:{row.id}",
                            f"{person_name}: {row.title} (since {row.started_on:%-d %B %Y})", case_manager_link,
                            budget_id) is not None
    return count


def _open(budget_id: int, condition: Condition, on: date) -> StandingCondition | None:
    """The new condition's row, or None if another request opened it a moment ago."""
    row = StandingCondition(budget_id=budget_id, key=condition.key[:200], kind=condition.kind,
                            title=condition.title[:300], started_on=on)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    return row


# ---- which budgets a request changed ---------------------------------------------------------------

_NOT_CHANGES = (Notification, StandingCondition, AuditEvent)


def watch() -> None:
    """Note, on every session, the budgets each flush touches (once per process)."""
    if not event.contains(Session, "before_flush", _note_changed):
        event.listen(Session, "before_flush", _note_changed)


def _note_changed(session, _context, _instances) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, _NOT_CHANGES):
            continue
        budget_id = getattr(obj, "budget_id", None)
        if isinstance(budget_id, int):
            session.info.setdefault(CHANGED, set()).add(budget_id)


def take_changed() -> set[int]:
    """The budgets changed in this session since last asked."""
    return db.session().info.pop(CHANGED, set())
